"""Logging in and out (shared by the login page and the JSON API), with rate limiting and audit."""

from __future__ import annotations

from fastapi import HTTPException, Request, Response
from sqlalchemy.orm import Session

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
    def __init__(self) -> None:
        super().__init__(status_code=429, detail="too many failed logins; try again later")


class BadCredentials(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=401, detail="unknown user or wrong password")


def client_key(request: Request) -> str:
    return "ip:" + (request.client.host if request.client else "unknown")


def do_login(request: Request, db: Session, username: str, password: str) -> tuple[User, str, str]:
    """Check the password; returns (user, session token, CSRF token) or raises 401/429."""
    limiter = request.app.state.limiter
    keys = (client_key(request), "user:" + username.lower())
    if limiter.blocked(*keys):
        audit(db, None, "login_blocked", "user", None, username=username)
        db.commit()
        raise TooManyAttempts()
    user = user_by_name(db, username)
    ok = user is not None and user.active and verify_password(user.password_hash, password, request.app.state.hasher)
    if not ok:
        limiter.failed(*keys)
        audit(db, None, "login_failed", "user", user.id if user else None, username=username)
        db.commit()
        raise BadCredentials()
    limiter.succeeded(*keys)
    token, row = open_session(db, user)
    audit(db, user, "login", "user", user.id)
    db.commit()
    return user, token, row.csrf_token


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def do_logout(request: Request, db: Session, response: Response) -> None:
    close_session(db, request.cookies.get(SESSION_COOKIE))
    db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
