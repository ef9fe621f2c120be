"""``microneedling serve``: bad options exit 2 with one line naming the field; a real start migrates an
empty SQLite file, creates the admin from the environment and answers on loopback."""

import os
import subprocess
import sys
import time

import httpx
import pytest
from planner_support import free_port


@pytest.mark.parametrize("args,field", [
    (["--port", "0"], "port"),
    (["--port", "70000"], "port"),
    (["--database-url", "mysql://x/y"], "database_url"),
    (["--host", "bad host!"], "host"),
])
def test_bad_options_exit_2_with_one_line(run_cli, args, field):
    r = run_cli("serve", *args)
    assert r.code == 2 and field in r.err and len(r.err.strip().splitlines()) == 1 and r.out == ""


def test_serve_starts_migrates_and_creates_admin(tmp_path):
    port = free_port()
    db = tmp_path / "serve.db"
    env = {**os.environ, "MICRONEEDLING_ADMIN_PASSWORD": "first admin password"}
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from microneedling.cli import main; sys.exit(main(sys.argv[1:]))",
                             "serve", "--port", str(port), "--database-url", f"sqlite:///{db}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base, ok = f"http://127.0.0.1:{port}", False
        for _ in range(300):
            try:
                ok = httpx.get(base + "/login", timeout=1).status_code == 200
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert ok, proc.stderr.read1(2000) if proc.poll() is not None else "no answer"
        r = httpx.post(base + "/api/login", json={"username": "admin", "password": "first admin password"})
        assert r.status_code == 200 and r.json()["user"]["role"] == "admin"
        assert httpx.get(base + "/api/patients").status_code == 401
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert db.exists()
