"""Planner test fixtures: apps on throw-away databases (SQLite files; a PostgreSQL server started from the
Debian binaries for the session), logged-in clients per role, a uvicorn subprocess helper."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from microneedling.planner.app import Settings, create_app

PASSWORD = "correct horse battery"
PATIENT = {"label": "P-001", "age_years": 28, "sex": "F", "fitzpatrick": "III",
           "zones": [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 12, "depth_mm": 0.4, "width_mm": 2.5}]},
                     {"zone": "periorbital", "scars": [{"type": "rolling", "count": 2, "depth_mm": 0.2,
                                                        "width_mm": 4.0}]}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(client: TestClient | httpx.Client, username: str, password: str = PASSWORD) -> str:
    r = client.post("/api/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def seed_users(app) -> dict[str, int]:
    """admin, two providers (dra, drb) and dra's assistant; returns their ids."""
    from microneedling.planner.schemas import UserIn
    from microneedling.planner.services import create_user

    ids = {}
    with app.state.sessions() as db:
        for name, role in (("admin", "admin"), ("dra", "provider"), ("drb", "provider")):
            ids[name] = create_user(db, UserIn(username=name, password=PASSWORD, role=role), app.state.hasher).id
        ids["asa"] = create_user(db, UserIn(username="asa", password=PASSWORD, role="assistant",
                                            provider_id=ids["dra"]), app.state.hasher).id
        db.commit()
    return ids


class Client:
    """A logged-in TestClient that sends the CSRF header on API writes."""

    def __init__(self, app, username: str):
        self.http = TestClient(app)
        self.username = username
        self.csrf = login(self.http, username)

    def get(self, url, **kw):
        return self.http.get(url, **kw)

    def post(self, url, **kw):
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.http.post(url, headers=headers, **kw)

    def form(self, url, data: dict, csrf: bool = True):
        data = {**data, "csrf_token": self.csrf} if csrf else data
        return self.http.post(url, data=data, follow_redirects=False)


@pytest.fixture(scope="module")
def planner(tmp_path_factory):
    """One app on a fresh SQLite file per test module, with users and logged-in clients per role."""
    path = tmp_path_factory.mktemp("planner") / "planner.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", fast_hash=True))
    ids = seed_users(app)
    clients = {name: Client(app, name) for name in ids}
    return {"app": app, "ids": ids, "clients": clients, "path": path}


# ---- PostgreSQL ---------------------------------------------------------------------------------------
def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL server on a free loopback port (initdb into a temp dir; as the ``postgres``
    system user when running as root, since the server refuses root); stopped afterwards."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    tmp = tempfile.mkdtemp(prefix="mn-pg-")
    data = os.path.join(tmp, "data")
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no 'postgres' system user to run the server as")
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    try:
        subprocess.run(prefix + [str(bindir / "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
                                 "-E", "UTF8", "--no-sync"], check=True, capture_output=True, env=env, timeout=120)
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", data, "-l", os.path.join(tmp, "log"), "-w",
                                 "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=on",
                                 "start"], check=True, capture_output=True, env=env, timeout=120)
        subprocess.run(prefix + [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                                 "planner"], check=True, capture_output=True, env=env, timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        out = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not start: {exc} {out.decode(errors='replace')[-300:]}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/planner"
    finally:
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"],
                       capture_output=True, env=env, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


def fresh_pg_database(url: str, name: str) -> str:
    """A new empty database on the throw-away server; returns its URL."""
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(base.replace("postgresql://", "postgresql://", 1) + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


# ---- a real server in a subprocess ----------------------------------------------------------------------
SERVER_SCRIPT = """
import sys, uvicorn
from microneedling.planner.app import Settings, create_app
uvicorn.run(create_app(Settings(database_url=sys.argv[1], fast_hash=True)), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="error")
"""


def start_server(database_url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT, database_url, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode(errors='replace')[-500:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")
