"""Reads of patient records are audited (action ``view``), as changes are: who opened which patient, plan
or set of records, and when (OWASP ASVS 4.0 V7.1.3: log access to sensitive data; HIPAA 45 CFR 164.312(b)
audit controls)."""

from __future__ import annotations

from microneedling.planner.deps import Ctx
from microneedling.planner.services import audit


def viewed(ctx: Ctx, entity: str, entity_id: int | None, **detail) -> None:
    """Write a ``view`` entry for ``entity`` ``entity_id`` by the logged-in user and commit it."""
    audit(ctx.db, ctx.user, "view", entity, entity_id, **detail)
    ctx.db.commit()
