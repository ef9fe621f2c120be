"""Logging in and out (shared by the login page and the JSON API), with the login lockout per (user name,
client address) of :mod:`microneedling.planner.lockout`, answers that take as long for an unknown user as
for a known one, and audit."""

from __future__ import annotations

import math

from fastapi import HTTPException, Request, Response
from sqlalchemy.orm import Session

from microneedling.planner import lockout
from microneedling.planner.models import User
from microneedling.planner.security import (
    SESSION_COOKIE,
    SESSION_HOURS,
    close_session,
    open_session,
    verify_password,
)
from microneedling.planner.services import audit, user_by_name


class TooManyAttempts(HTTPException):
    def __init__(self, retry_after_s: float) -> None:
        minutes = max(1, math.ceil(retry_after_s / 60))
        super().__init__(status_code=429, headers={"Retry-After": str(math.ceil(retry_after_s))},
                         detail=f"Too many failed logins. Try again in {minutes} minute{'s' if minutes > 1 else ''}.")


class BadCredentials(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=401, detail="Unknown user name or wrong password.")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_password(request: Request, user: User | None, password: str) -> bool:
    """Whether ``password`` is right for an active ``user``. An unknown user's attempt is checked against the
    app's dummy hash, so both answers cost one argon2 verification (no user enumeration by timing,
    OWASP ASVS 4.0 V2.2.1/V3.2)."""
    ph = request.app.state.hasher
    if user is None:
        verify_password(request.app.state.dummy_hash, password, ph)
        return False
    return verify_password(user.password_hash, password, ph) and user.active


def do_login(request: Request, db: Session, username: str, password: str) -> tuple[User, str, str]:
    """Check the password; returns (user, session token, CSRF token) or raises 401/429."""
    policy = request.app.state.settings.lockout_policy()
    addr = client_address(request)
    wait = lockout.locked_for_s(db, username, addr)
    if wait > 0:
        audit(db, None, "login_blocked", "user", None, username=username, client=addr)
        db.commit()
        raise TooManyAttempts(wait)
    user = user_by_name(db, username)
    if not check_password(request, user, password):
        failures = lockout.record_failure(db, policy, username, addr)
        audit(db, None, "login_failed", "user", user.id if user else None, username=username, client=addr,
              failures=failures)
        db.commit()
        raise BadCredentials()
    lockout.clear(db, username, addr)
    token, row = open_session(db, user)
    audit(db, user, "login", "user", user.id, client=addr)
    db.commit()
    return user, token, row.csrf_token


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def do_logout(request: Request, db: Session, response: Response) -> None:
    close_session(db, request.cookies.get(SESSION_COOKIE))
    db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
