"""Accounts and access: argon2 password hashes, server-side login sessions, CSRF tokens, roles and
permissions, patient visibility, login rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from microneedling.planner.models import LoginSession, PatientRow, User, utcnow

ROLES = ("admin", "provider", "assistant")

# which roles may do what; every route names one permission
PERMISSIONS: dict[str, frozenset[str]] = {
    "patient.read": frozenset({"admin", "provider", "assistant"}),
    "patient.write": frozenset({"admin", "provider"}),
    "candidacy.override": frozenset({"admin", "provider"}),
    "plan.write": frozenset({"admin", "provider"}),
    "schedule.write": frozenset({"admin", "provider", "assistant"}),
    "treatment.record": frozenset({"admin", "provider"}),
    "followup.write": frozenset({"admin", "provider", "assistant"}),
    "users.manage": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),
}

SESSION_COOKIE = "mn_session"
PRE_LOGIN_COOKIE = "mn_prelogin"
SESSION_HOURS = 12


def allowed(user: User, permission: str) -> bool:
    return user.role in PERMISSIONS[permission]


def hasher(fast: bool = False) -> PasswordHasher:
    """argon2id; ``fast`` lowers the cost for test databases only."""
    return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1) if fast else PasswordHasher()


def hash_password(password: str, ph: PasswordHasher) -> str:
    return ph.hash(password)


def verify_password(stored: str, password: str, ph: PasswordHasher) -> bool:
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Session, user: User) -> tuple[str, LoginSession]:
    """A new login session; returns the raw cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_hash=_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                       created_at=utcnow(), expires_at=utcnow() + timedelta(hours=SESSION_HOURS))
    db.add(row)
    return token, row


def session_user(db: Session, token: str | None) -> tuple[User, LoginSession] | None:
    if not token:
        return None
    found = db.execute(select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id)
                       .where(LoginSession.token_hash == _digest(token))).first()
    if found is None:
        return None
    user, row = found
    if row.expires_at < utcnow() or not user.active:
        return None
    return user, row


def close_session(db: Session, token: str | None) -> None:
    if token:
        row = db.scalar(select(LoginSession).where(LoginSession.token_hash == _digest(token)))
        if row is not None:
            db.delete(row)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def visible_owner_ids(user: User) -> set[int] | None:
    """Owners whose patients ``user`` may see: None = all (admin); own for providers; the provider's for assistants."""
    if user.role == "admin":
        return None
    if user.role == "provider":
        return {user.id}
    return {user.provider_id} if user.provider_id is not None else set()


def can_see(user: User, patient: PatientRow) -> bool:
    owners = visible_owner_ids(user)
    return owners is None or patient.owner_id in owners


@dataclass
class RateLimiter:
    """At most ``max_failures`` failed logins per key (client address, and username) per ``window_s``."""

    max_failures: int = 5
    window_s: float = 300.0

    def __post_init__(self) -> None:
        self._fails: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        q = self._fails[key]
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._trim(k, now)) >= self.max_failures for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._trim(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)
