"""Configuration of the planner app: the database, password hashing cost, login rate limit and the first
admin account (from the settings or the ``MICRONEEDLING_ADMIN_PASSWORD`` environment variable)."""

from __future__ import annotations

import os
from dataclasses import dataclass

ADMIN_PASSWORD_ENV = "MICRONEEDLING_ADMIN_PASSWORD"


@dataclass
class Settings:
    database_url: str = "sqlite:///microneedling-planner.db"
    fast_hash: bool = False  # cheaper argon2 parameters: test databases only
    max_login_failures: int = 5
    login_window_s: float = 300.0
    admin_password: str | None = None  # creates user "admin" on an empty database
    max_body_bytes: int = 1_000_000  # larger request bodies are refused (413) before parsing

    def initial_admin_password(self) -> str | None:
        """The password for user "admin" on an empty database: the setting, else the environment."""
        return self.admin_password or os.environ.get(ADMIN_PASSWORD_ENV)
