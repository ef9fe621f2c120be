"""Account changes: a user changing their own password (the current one required; their other sessions end)
and an administrator deactivating or reactivating a user (a deactivated user cannot log in and every session
of theirs ends at once). OWASP ASVS 4.0 V2.1.6 (password change needs the current password) and V3.3
(sessions end when the account changes)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from microneedling.errors import InputError
from microneedling.planner.models import LoginSession, User
from microneedling.planner.schemas import PasswordChangeIn
from microneedling.planner.security import end_sessions, hash_password, verify_password
from microneedling.planner.services import Conflict, NotFound, audit


def change_password(db: Session, user: User, login: LoginSession, data: PasswordChangeIn, ph) -> int:
    """Set ``user``'s password to ``data.new_password`` if ``data.current_password`` is right; ends the
    user's other sessions; returns how many ended. Flushes, does not commit."""
    if not verify_password(user.password_hash, data.current_password, ph):
        raise InputError("current_password", "(hidden)", "is not your current password")
    if data.new_password == data.current_password:
        raise InputError("new_password", "(hidden)", "must differ from the current password")
    user.password_hash = hash_password(data.new_password, ph)
    ended = end_sessions(db, user, keep=login)
    audit(db, user, "password_change", "user", user.id, sessions_ended=ended)
    db.flush()
    return ended


def set_active(db: Session, actor: User, user_id: int, active: bool) -> User:
    """Activate or deactivate user ``user_id``; deactivation ends all of their sessions. An administrator
    cannot deactivate themselves (there would be no one left to undo it)."""
    target = db.get(User, user_id)
    if target is None:
        raise NotFound(f"user {user_id}")
    if not active and target.id == actor.id:
        raise Conflict("you cannot deactivate your own account")
    target.active = active
    ended = 0 if active else end_sessions(db, target)
    audit(db, actor, "activate" if active else "deactivate", "user", target.id, sessions_ended=ended)
    db.flush()
    return target
