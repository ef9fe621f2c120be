"""The planner web application: ``create_app(Settings)`` builds the FastAPI app on a database URL,
running the Alembic migrations first. The settings are in :mod:`microneedling.planner.settings`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from microneedling import __version__
from microneedling.config import configure
from microneedling.errors import InputError
from microneedling.planner import public
from microneedling.planner.bounds import PathIdBounds
from microneedling.planner.db import make_engine, migrate, read_session_factory, session_factory
from microneedling.planner.deps import AuthRequired, Forbidden
from microneedling.planner.form_errors import api_messages
from microneedling.planner.labels import install as install_labels
from microneedling.planner.messages import rule_message
from microneedling.planner.routers import ROUTERS
from microneedling.planner.routers.photos import MULTIPART_OVERHEAD_BYTES, UPLOAD_PATHS
from microneedling.planner.scheduling import clinic_zone, local_label, to_local
from microneedling.planner.schemas import HealthOut
from microneedling.planner.security import dummy_hash, hasher
from microneedling.planner.security_headers import SecurityHeaders
from microneedling.planner.services import Conflict, NotFound, create_first_admin
from microneedling.planner.settings import Settings
from microneedling.planner.warmup import compile_templates, freeze_heap, start_warm_up

__all__ = ["create_app"]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _html_error(request: Request, status: int, message: str) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"request": request, "status": status, "message": message, "user": None,
                                "csrf": "", "can": lambda p: False}, status_code=status)


def _error(request: Request, status: int, message: str, detail=None):
    if _is_api(request):
        return JSONResponse({"detail": detail if detail is not None else message}, status_code=status)
    return _html_error(request, status, message)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The planner on ``settings.database_url`` (migrated to the latest schema); configures the numerical core
    (:func:`microneedling.configure`), as the command line does, since the app is an entry point."""
    configure()
    settings = settings or Settings()
    engine = make_engine(settings.database_url, settings.db_pool_size, settings.db_max_overflow)
    migrate(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # the handler threads of this worker process (Settings.worker_threads; AnyIO's default is 40)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        yield

    app = FastAPI(title="microneedling planner", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.read_sessions = read_session_factory(engine)  # GET requests (planner.deps.require)
    app.state.hasher = hasher(settings.fast_hash)
    app.state.dummy_hash = dummy_hash(app.state.hasher)
    app.state.templates = Jinja2Templates(directory=str(resources.files("microneedling.planner") / "templates"))
    app.state.templates.env.auto_reload = False  # packaged templates: no stat of the file per page
    app.state.settings = settings
    install_labels(app.state.templates.env)
    app.state.clinic_zone = clinic_zone(settings.clinic_timezone)
    app.state.templates.env.filters["clinic_time"] = lambda t: local_label(t, app.state.clinic_zone)
    app.state.templates.env.filters["clinic_local"] = lambda t: to_local(t, app.state.clinic_zone)
    app.mount("/static", StaticFiles(directory=str(resources.files("microneedling.planner") / "static")),
              name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(PathIdBounds)  # inside SecurityHeaders: its 404 gets the headers too
    app.add_middleware(SecurityHeaders, max_body_bytes=settings.max_body_bytes, upload_paths=UPLOAD_PATHS,
                       upload_bytes=settings.max_photo_bytes + MULTIPART_OVERHEAD_BYTES)

    if settings.warm_up_engine():
        compile_templates(app.state.templates.env)
        freeze_heap()
        app.state.warm_up = start_warm_up(engine)
    if settings.build_public_page_at_start():
        app.state.public_page = public.start_build()

    password = settings.initial_admin_password()
    if password:
        with app.state.sessions() as db:
            create_first_admin(db, password, app.state.hasher)
            db.commit()

    @app.exception_handler(AuthRequired)
    def _auth(request: Request, exc: AuthRequired):
        if _is_api(request):
            return JSONResponse({"detail": "login required"}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    def _forbidden(request: Request, exc: Forbidden):
        return _error(request, 403, str(exc))

    @app.exception_handler(NotFound)
    def _not_found(request: Request, exc: NotFound):
        return _error(request, 404, "not found")

    @app.exception_handler(Conflict)
    def _conflict(request: Request, exc: Conflict):
        return _error(request, 409, str(exc))

    @app.exception_handler(InputError)
    def _input(request: Request, exc: InputError):
        return _error(request, 422, exc.one_line(),
                      [{"loc": ["body", *exc.field.split(".")], "msg": exc.allowed, "input": _safe(exc.value),
                        "message": rule_message(exc)}])

    @app.exception_handler(ValidationError)
    def _validation(request: Request, exc: ValidationError):
        return _error(request, 422, "invalid input",
                      [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()])

    @app.exception_handler(RequestValidationError)
    def _request_validation(request: Request, exc: RequestValidationError):
        detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"], "message": m}
                  for e, m in zip(exc.errors(), api_messages(request, exc.errors()), strict=True)]
        return _error(request, 422, "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail),
                      detail)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code, str(exc.detail))

    @app.get("/api/health", tags=["operations"], response_model=HealthOut)
    async def health():
        """This server process answers (``status``), and whether its start-up warm-up (engine kernels, database
        pool) is over (``warm``): a load balancer's readiness check. No login; no database access."""
        warming = getattr(app.state, "warm_up", None)
        return {"status": "ok", "warm": warming is None or not warming.is_alive()}

    return app


def _safe(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
