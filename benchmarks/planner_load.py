"""Planner load benchmark: 100 concurrent logged-in users read pages and the JSON API of a real uvicorn
server on loopback. Bounded: a fixed request count per user and a wall-clock cap.

Each user waits a think time between requests (uniform in [0.5, 1.5] x --think-s, seeded), as people
using the planner do; --think-s 0 gives the closed-loop saturation case (every user fires back to back),
where latency is users / throughput. The client runs on the same machine as the server.

Prints p50/p95 latency (ms) for page reads and API reads, and p95 / 200 ms (the target: p95 < 200 ms,
so a ratio below 1 meets it). Baseline named in the output: the 200 ms target.

    python benchmarks/planner_load.py [--users 100] [--requests-per-user 20] [--think-s 1.0] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

TARGET_MS = 200.0
PASSWORD = "benchmark password"
PATIENT = {"age_years": 30, "sex": "F", "fitzpatrick": "III",
           "zones": [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 12, "depth_mm": 0.4, "width_mm": 2.5}]},
                     {"zone": "forehead", "scars": [{"type": "icepick", "count": 4, "depth_mm": 0.6, "width_mm": 1}]}]}
SERVER = """
import sys, uvicorn
from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings
uvicorn.run(create_app(Settings(database_url=sys.argv[1], fast_hash=True)), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="error", backlog=2048)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str, providers: int, patients_each: int) -> None:
    """Users and patients with a plan, a course of appointments and a follow-up each (in-process)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from microneedling.planner.app import create_app
    from microneedling.planner.scheduling import schedule
    from microneedling.planner.schemas import AppointmentIn, FollowUpIn, PatientIn, PlanIn, UserIn
    from microneedling.planner.services import add_followup, create_patient, create_user, make_plan
    from microneedling.planner.settings import Settings

    app = create_app(Settings(database_url=url, fast_hash=True))
    with app.state.sessions() as db:
        for k in range(providers):
            u = create_user(db, UserIn(username=f"dr{k}", password=PASSWORD, role="provider"), app.state.hasher)
            for i in range(patients_each):
                row = create_patient(db, u, PatientIn(label=f"B{k}-{i}", **PATIENT))
                make_plan(db, u, row, PlanIn(name="Plan"))
                # one provider cannot hold two sessions at once: an hour apart
                schedule(db, u, row, ZoneInfo("UTC"),
                         AppointmentIn(starts_at=datetime(2027, 1, 4, 9) + timedelta(hours=i), repeat=3))
                add_followup(db, u, row, FollowUpIn(week=0, gb_score=14))
            db.commit()
    app.state.engine.dispose()


async def login(c: httpx.AsyncClient, name: str, gate: asyncio.Semaphore) -> tuple[str, list[int]]:
    async with gate:
        r = await c.post("/api/login", json={"username": name, "password": PASSWORD})
        r.raise_for_status()
        cookie = f"mn_session={r.cookies['mn_session']}"
        ids = [p["id"] for p in (await c.get("/api/patients", headers={"Cookie": cookie})).json()]
    return cookie, ids


async def user(c: httpx.AsyncClient, cookie: str, ids: list[int], n: int, deadline: float,
               out: dict[str, list[float]], think_s: float, rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0.0, think_s))  # users do not all arrive in the same instant
    urls = [("page", "/patients"), ("page", "/patients/{id}"), ("api", "/api/patients"),
            ("api", "/api/patients/{id}")]
    for i in range(n):
        if time.monotonic() > deadline:
            return
        kind, url = urls[i % len(urls)]
        url = url.replace("{id}", str(ids[i % len(ids)]))
        t0 = time.perf_counter()
        try:
            r = await c.get(url, headers={"Cookie": cookie})
            status = r.status_code
        except httpx.HTTPError:
            status = 0
        dt = (time.perf_counter() - t0) * 1e3
        if status != 200:
            out["errors"].append(float(status))
        else:
            out[kind].append(dt)
        if think_s > 0:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)


async def run(base: str, users: int, providers: int, n: int, cap_s: float, think_s: float) -> dict[str, list[float]]:
    """Log every user in first (not timed), then time the reads of all users running at once."""
    out: dict[str, list[float]] = {"page": [], "api": [], "errors": []}
    limits = httpx.Limits(max_connections=users + 10, max_keepalive_connections=users + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as c:
        gate = asyncio.Semaphore(8)
        sessions = await asyncio.gather(*[login(c, f"dr{k % providers}", gate) for k in range(users)])
        c.cookies.clear()
        deadline = time.monotonic() + cap_s
        rng = random.Random(1)
        await asyncio.gather(*[user(c, cookie, ids, n, deadline, out, think_s, random.Random(rng.random()))
                               for cookie, ids in sessions])
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--requests-per-user", type=int, default=20)
    ap.add_argument("--providers", type=int, default=10)
    ap.add_argument("--patients-per-provider", type=int, default=10)
    ap.add_argument("--time-cap-s", type=float, default=120.0)
    ap.add_argument("--think-s", type=float, default=1.0, help="mean think time between a user's requests")
    ap.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mn-load-")
    url = a.database_url or f"sqlite:///{os.path.join(tmp, 'load.db')}"
    t0 = time.perf_counter()
    seed(url, a.providers, a.patients_per_provider)
    seed_s = time.perf_counter() - t0
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port)], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        t0 = time.perf_counter()
        res = asyncio.run(run(base, a.users, a.providers, a.requests_per_user, a.time_cap_s, a.think_s))
        wall = time.perf_counter() - t0
    finally:
        proc.kill()
        proc.wait()
    done = len(res["page"]) + len(res["api"])
    summary = {"users": a.users, "think_s": a.think_s, "requests": done, "errors": len(res["errors"]),
               "wall_s": round(wall, 2), "throughput_per_s": round(done / wall, 1), "seed_s": round(seed_s, 2), "database": url.split(":")[0],
               "baseline": f"target p95 {TARGET_MS:.0f} ms"}
    for kind in ("page", "api"):
        p50, p95 = pct(res[kind], 50), pct(res[kind], 95)
        summary[kind] = {"n": len(res[kind]), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                         "p95_over_target": round(p95 / TARGET_MS, 3)}
    print(json.dumps(summary))
    return 0 if not res["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
