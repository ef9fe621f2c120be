"""Planner test fixtures: apps on throw-away databases (SQLite files; a PostgreSQL server started from the
Debian binaries for the session), logged-in clients per role."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile

import pytest
from planner_support import Client, free_port, pg_bin, seed_users

from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings


@pytest.fixture(scope="module")
def planner(tmp_path_factory):
    """One app on a fresh SQLite file per test module, with users and logged-in clients per role."""
    path = tmp_path_factory.mktemp("planner") / "planner.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", fast_hash=True))
    ids = seed_users(app)
    clients = {name: Client(app, name) for name in ids}
    return {"app": app, "ids": ids, "clients": clients, "path": path}


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL server on a free loopback port (initdb into a temp dir; as the ``postgres``
    system user when running as root, since the server refuses root); stopped afterwards."""
    bindir = pg_bin()
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


