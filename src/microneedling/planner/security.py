"""Accounts and access: argon2 password hashes, server-side login sessions, CSRF tokens, roles and
permissions, patient visibility, the idle timeout of sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
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
    "consent.collect": frozenset({"admin", "provider", "assistant"}),
    "consent.edit": frozenset({"admin", "provider"}),
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


def dummy_hash(ph: PasswordHasher) -> str:
    """A hash of a random password with the app's cost, checked when the user name is unknown."""
    return ph.hash(secrets.token_urlsafe(24))


def verify_password(stored: str, password: str, ph: PasswordHasher) -> bool:
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# the user and login session of a token digest: built once, as every request runs it
_SESSION_OF_DIGEST = (select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id)
                      .where(LoginSession.token_hash == bindparam("digest")))


def open_session(db: Session, user: User) -> tuple[str, LoginSession]:
    """A new login session; returns the raw cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_hash=_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                       created_at=utcnow(), expires_at=utcnow() + timedelta(hours=SESSION_HOURS))
    db.add(row)
    return token, row


TOUCH_EVERY_S = 60.0  # a session's last-seen time is written at most this often (s)


def session_user(db: Session, token: str | None,
                 idle_timeout_min: float | None = None) -> tuple[User, LoginSession] | None:
    """The user and session of the cookie ``token``, or None when there is none, it has passed its absolute
    lifetime (:data:`SESSION_HOURS`), it saw no request for ``idle_timeout_min`` minutes (the session is then
    deleted), or the user is deactivated. A live session's last-seen time is updated (at most every
    :data:`TOUCH_EVERY_S` seconds; the caller commits)."""
    if not token:
        return None
    found = db.execute(_SESSION_OF_DIGEST, {"digest": _digest(token)}).first()
    if found is None:
        return None
    user, row = found
    now = utcnow()
    if row.expires_at < now or not user.active:
        return None
    seen = row.last_seen_at or row.created_at
    if idle_timeout_min is not None and now - seen > timedelta(minutes=idle_timeout_min):
        db.delete(row)
        return None
    if (now - seen).total_seconds() >= TOUCH_EVERY_S:
        row.last_seen_at = now
    return user, row


def end_sessions(db: Session, user: User, keep: LoginSession | None = None) -> int:
    """Delete every login session of ``user`` (but ``keep``); returns how many ended."""
    rows = [r for r in db.scalars(select(LoginSession).where(LoginSession.user_id == user.id))
            if keep is None or r.id != keep.id]
    for r in rows:
        db.delete(r)
    return len(rows)


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

