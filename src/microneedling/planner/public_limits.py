"""Rate limits of the public endpoints (questionnaire, patient links), kept in the database so that every
worker process counts the same requests: at most ``per_address`` requests per client address and
``overall`` requests from all addresses per ``window_s`` seconds, per scope. Addresses are stored only as a
salted SHA-256 prefix. A refused request is not counted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microneedling.planner.models import PublicHitRow, utcnow

SALT = b"microneedling-public-limit"


@dataclass(frozen=True)
class PublicLimit:
    per_address: int = 20  # requests per address per window
    overall: int = 500  # requests from all addresses per window
    window_s: float = 3600.0


def _keys(scope: str, address: str) -> tuple[str, str]:
    digest = hashlib.sha256(SALT + address.encode("utf-8", "replace")).hexdigest()[:32]
    return f"{scope}:a:{digest}", f"{scope}:all"


def admit(db: Session, scope: str, address: str, limit: PublicLimit) -> bool:
    """Count one request of ``address`` in ``scope`` and commit; False (nothing counted) if either limit is
    already reached in the window."""
    per, overall = _keys(scope, address)
    since = utcnow() - timedelta(seconds=limit.window_s)
    for key, cap in ((per, limit.per_address), (overall, limit.overall)):
        n = db.scalar(select(func.count()).select_from(PublicHitRow).where(PublicHitRow.key == key,
                                                                             PublicHitRow.at >= since))
        if n >= cap:
            db.rollback()
            return False
    now = utcnow()
    db.add_all([PublicHitRow(key=per, at=now), PublicHitRow(key=overall, at=now)])
    db.commit()
    return True
