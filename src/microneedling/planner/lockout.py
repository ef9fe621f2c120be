"""Login lockout per (user name, client address), kept in the database (``login_throttle``) so that it
survives restarts and is shared by every worker process.

After ``max_failures`` failed logins (none older than ``window_s`` apart), the pair is locked for
``base_delay_s``; each further failure doubles the delay, up to ``max_delay_s`` (OWASP ASVS 4.0 V2.2.1:
anti-automation against credential stuffing and brute force). A success clears the pair. Only that pair is
locked: the same user name from another address, and other users from the same address, log in as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microneedling.planner.models import LoginThrottleRow, utcnow


@dataclass(frozen=True)
class LockoutPolicy:
    """``max_failures`` failures before the first lock of ``base_delay_s`` seconds; the delay doubles with each
    further failure up to ``max_delay_s``; failures older than ``window_s`` seconds (and not locked) are
    forgotten."""

    max_failures: int = 5
    window_s: float = 900.0
    base_delay_s: float = 60.0
    max_delay_s: float = 3600.0

    def delay_s(self, failures: int) -> float:
        """Lock duration (s) after ``failures`` consecutive failures: 0 below the threshold."""
        if failures < self.max_failures:
            return 0.0
        return min(self.base_delay_s * 2.0 ** (failures - self.max_failures), self.max_delay_s)


def _key(username: str, client: str) -> tuple[str, str]:
    return username.strip().lower()[:64], client[:64]


def _row(db: Session, username: str, client: str) -> LoginThrottleRow | None:
    user, addr = _key(username, client)
    return db.scalar(select(LoginThrottleRow).where(LoginThrottleRow.username == user,
                                                    LoginThrottleRow.client == addr))


def locked_for_s(db: Session, username: str, client: str, now: datetime | None = None) -> float:
    """Seconds until ``username`` may try again from ``client`` (0: not locked)."""
    row = _row(db, username, client)
    now = now or utcnow()
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0.0
    return (row.locked_until - now).total_seconds()


def record_failure(db: Session, policy: LockoutPolicy, username: str, client: str,
                   now: datetime | None = None) -> int:
    """Count a failed login for the pair (an atomic increment, so concurrent workers do not lose counts) and
    lock it if the threshold is reached; returns the number of consecutive failures. Flushes, does not commit."""
    now = now or utcnow()
    user, addr = _key(username, client)
    row = _row(db, user, addr)
    if row is None:
        try:
            with db.begin_nested():
                db.add(LoginThrottleRow(username=user, client=addr, failures=0, last_failure_at=now))
        except IntegrityError:
            pass  # another worker inserted the pair first
        row = _row(db, user, addr)
    assert row is not None
    stale = (now - row.last_failure_at).total_seconds() > policy.window_s and (
        row.locked_until is None or row.locked_until <= now)
    if stale:
        db.execute(update(LoginThrottleRow).where(LoginThrottleRow.id == row.id).values(failures=0))
    db.execute(update(LoginThrottleRow).where(LoginThrottleRow.id == row.id)
               .values(failures=LoginThrottleRow.failures + 1, last_failure_at=now))
    db.refresh(row)
    delay = policy.delay_s(row.failures)
    if delay:
        row.locked_until = now + timedelta(seconds=delay)
    db.flush()
    return row.failures


def clear(db: Session, username: str, client: str) -> None:
    """Forget the pair's failures (after a successful login)."""
    user, addr = _key(username, client)
    db.execute(delete(LoginThrottleRow).where(LoginThrottleRow.username == user, LoginThrottleRow.client == addr))
