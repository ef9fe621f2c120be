"""Configuration of the planner app: the database, password hashing cost, login rate limit, the first
admin account (from the settings or the ``MICRONEEDLING_ADMIN_PASSWORD`` environment variable), and the clinic
(time zone, name and address)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from microneedling.planner.lockout import LockoutPolicy

ADMIN_PASSWORD_ENV = "MICRONEEDLING_ADMIN_PASSWORD"


@dataclass
class Settings:
    database_url: str = "sqlite:///microneedling-planner.db"
    fast_hash: bool = False  # cheaper argon2 parameters: test databases only
    max_login_failures: int = 5  # failed logins per (user name, address) before the first lock
    login_window_s: float = 900.0  # failures further apart than this (s) start the count again
    lockout_base_s: float = 60.0  # first lock (s); doubles with each further failure
    lockout_max_s: float = 3600.0  # longest lock (s)
    idle_timeout_min: float = 30.0  # a session with no request for this long ends (minutes)
    warm_up: bool | None = None  # compile the engine in the background at start; None: on unless fast_hash
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
