"""Configuration of the planner app: the database (and, on PostgreSQL, its connection pool: the
``MICRONEEDLING_DB_POOL_SIZE`` and ``MICRONEEDLING_DB_MAX_OVERFLOW`` environment variables give the defaults),
the request-handler threads of a worker process (``MICRONEEDLING_WORKER_THREADS``),
password hashing cost, login rate limit, the first admin account (from the settings or the
``MICRONEEDLING_ADMIN_PASSWORD`` environment variable), and the clinic (time zone, name and address)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from microneedling.errors import InputError
from microneedling.planner.lockout import LockoutPolicy

ADMIN_PASSWORD_ENV = "MICRONEEDLING_ADMIN_PASSWORD"
POOL_SIZE_ENV = "MICRONEEDLING_DB_POOL_SIZE"
MAX_OVERFLOW_ENV = "MICRONEEDLING_DB_MAX_OVERFLOW"
WORKER_THREADS_ENV = "MICRONEEDLING_WORKER_THREADS"
DEFAULT_POOL_SIZE = 10  # connections each worker process keeps open to PostgreSQL
DEFAULT_MAX_OVERFLOW = 60  # further connections a worker may open under load (closed when returned)
MAX_POOL_CONNECTIONS = 1000  # bound on either setting: PostgreSQL's max_connections is 100 by default
# threads each worker process runs request handlers on (AnyIO's default is 40): handlers hold the interpreter
# lock for most of their time, so more threads only take turns with it more often; in two A/B pairs of
# benchmarks/planner_load.py at 100 users, page p95 273 and 389 ms with 8 threads, 312 and 559 ms with 40
# (benchmarks/RESULTS.md)
DEFAULT_WORKER_THREADS = 8


def _env_count(name: str, default: int, lowest: int) -> int:
    """The whole number in environment variable ``name`` (``lowest`` to :data:`MAX_POOL_CONNECTIONS`), else
    ``default`` when it is unset or empty."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise InputError(name, text, f"a whole number from {lowest} to {MAX_POOL_CONNECTIONS}") from None
    if not lowest <= value <= MAX_POOL_CONNECTIONS:
        raise InputError(name, text, f"a whole number from {lowest} to {MAX_POOL_CONNECTIONS}")
    return value


@dataclass
class Settings:
    database_url: str = "sqlite:///microneedling-planner.db"
    # PostgreSQL connection pool of each worker process (SQLAlchemy QueuePool); a SQLite file ignores both
    db_pool_size: int = field(default_factory=lambda: _env_count(POOL_SIZE_ENV, DEFAULT_POOL_SIZE, 1))
    db_max_overflow: int = field(default_factory=lambda: _env_count(MAX_OVERFLOW_ENV, DEFAULT_MAX_OVERFLOW, 0))
    # request-handler threads of each worker process (set at start-up, in the app's lifespan)
    worker_threads: int = field(default_factory=lambda: _env_count(WORKER_THREADS_ENV, DEFAULT_WORKER_THREADS, 1))
    fast_hash: bool = False  # cheaper argon2 parameters: test databases only
    max_login_failures: int = 5  # failed logins per (user name, address) before the first lock
    login_window_s: float = 900.0  # failures further apart than this (s) start the count again
    lockout_base_s: float = 60.0  # first lock (s); doubles with each further failure
    lockout_max_s: float = 3600.0  # longest lock (s)
    idle_timeout_min: float = 30.0  # a session with no request for this long ends (minutes)
    warm_up: bool | None = None  # compile the engine in the background at start; None: on unless fast_hash
    public_page_at_start: bool | None = None  # build /treatment in the background at start; None: on unless fast_hash
    admin_password: str | None = None  # creates user "admin" on an empty database
    max_body_bytes: int = 1_000_000  # larger request bodies are refused (413) before parsing
    clinic_timezone: str = "UTC"  # IANA name (zoneinfo): times are entered and shown in it, stored in UTC
    clinic_name: str = "Microneedling clinic"  # LOCATION of the iCalendar events and heading of printed sheets
    clinic_address: str = ""
    # public pages (questionnaire, patient links): limits per client address and overall per window, body cap,
    # how long consultation requests are kept (days) and how long a patient link works (days)
    public_per_address: int = 20
    public_overall: int = 500
    public_window_s: float = 3600.0
    public_max_body_bytes: int = 16_000
    intake_retention_days: float = 180.0
    patient_link_days: float = 30.0
    media_dir: str | None = None  # photo store; None: media_folder() picks one beside the database
    max_photo_bytes: int = 10_000_000  # larger photo uploads are refused (413)

    def warm_up_engine(self) -> bool:
        """Whether the app warms the engine at start (default: yes, except on test databases)."""
        return (not self.fast_hash) if self.warm_up is None else self.warm_up

    def build_public_page_at_start(self) -> bool:
        """Whether the app builds the public treatment page at start (default: yes, except on test databases)."""
        return (not self.fast_hash) if self.public_page_at_start is None else self.public_page_at_start

    def lockout_policy(self) -> LockoutPolicy:
        return LockoutPolicy(self.max_login_failures, self.login_window_s, self.lockout_base_s, self.lockout_max_s)

    def initial_admin_password(self) -> str | None:
        """The password for user "admin" on an empty database: the setting, else the environment."""
        return self.admin_password or os.environ.get(ADMIN_PASSWORD_ENV)

    def media_folder(self) -> Path:
        """Where photos are stored: ``media_dir`` if set, else ``media/`` beside the SQLite file, else (a
        database server) ``media/`` in the working directory."""
        if self.media_dir:
            return Path(self.media_dir)
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///")).parent / "media"
        return Path.cwd() / "media"
