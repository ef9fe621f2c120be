"""Request plumbing: database session per request, the logged-in user, permission and CSRF checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from microneedling.planner.db import closes_without_io
from microneedling.planner.models import LoginSession, User
from microneedling.planner.security import SESSION_COOKIE, allowed, same_token, session_user


class AuthRequired(Exception):
    """No valid login session (API: 401; pages: redirect to the login page)."""


class Forbidden(Exception):
    """Logged in, but the role lacks the permission, or the CSRF token is missing or wrong (403)."""


@dataclass
class Ctx:
    db: Session
    user: User
    login: LoginSession


def get_db(request: Request) -> Iterator[Session]:
    db = request.app.state.sessions()
    try:
        yield db
    finally:
        db.close()


def logged_in(request: Request, db: Session) -> Ctx:
    """The request's login (idle timeout from the settings), read outside a transaction (the first use of
    ``db``); a session ended for idling, or a new last-seen time, is written at once."""
    # the check is one query: read in autocommit mode, without the BEGIN and COMMIT round trips of a
    # transaction (the connection's isolation level is restored when it goes back to the pool)
    db.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    found = session_user(db, request.cookies.get(SESSION_COOKIE), request.app.state.settings.idle_timeout_min)
    if db.dirty or db.deleted:
        db.commit()
    if found is None:
        raise AuthRequired()
    return Ctx(db, *found)


def current(request: Request, db: Session = Depends(get_db)) -> Ctx:
    return logged_in(request, db)


def require(permission: str):
    """Dependency: a logged-in user whose role has ``permission``; unsafe API calls also need the CSRF header.

    It opens the request's database session itself, for a GET or HEAD a read session
    (:func:`microneedling.planner.db.read_session_factory`): one trip to the thread pool on the way in, and
    one on the way out only when closing the session makes a database call
    (:func:`microneedling.planner.db.closes_without_io`); otherwise it is closed at once."""

    def enter(request: Request) -> Ctx:
        reads = request.method in ("GET", "HEAD")
        db = (request.app.state.read_sessions if reads else request.app.state.sessions)()
        try:
            ctx = logged_in(request, db)
            if not allowed(ctx.user, permission):
                raise Forbidden(f"role {ctx.user.role} may not {permission}")
            if request.method not in ("GET", "HEAD", "OPTIONS") and request.url.path.startswith("/api/"):
                if not same_token(request.headers.get("x-csrf-token"), ctx.login.csrf_token):
                    raise Forbidden("missing or wrong X-CSRF-Token header")
            # end the read transaction, so no pooled connection is held while waiting for a thread; a commit
            # (expire_on_commit is off) keeps the user and session loaded, where a rollback would expire them
            # and cost two more queries per request
            db.commit()
        except BaseException:
            db.close()
            raise
        return ctx

    async def dep(request: Request) -> AsyncIterator[Ctx]:
        ctx = await run_in_threadpool(enter, request)
        try:
            yield ctx
        finally:
            if closes_without_io(ctx.db):
                ctx.db.close()
            else:  # shielded, and outside the handler threads' limit, as FastAPI closes a dependency
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(ctx.db.close, limiter=anyio.CapacityLimiter(1))

    dep.permission = permission  # type: ignore[attr-defined]
    return dep


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as a dict of strings (last value wins; repeated keys joined by commas)."""
    form = await request.form()
    out: dict[str, str] = {}
    for key in form.keys():
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = ",".join(values) if len(values) > 1 else (values[0] if values else "")
    return out


def check_csrf(ctx: Ctx, form: dict[str, str]) -> None:
    if not same_token(form.get("csrf_token"), ctx.login.csrf_token):
        raise Forbidden("missing or wrong CSRF token")
