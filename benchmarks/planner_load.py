"""Planner load benchmark: 100 concurrent logged-in users read pages and the JSON API of a real uvicorn
server on loopback. Bounded: a fixed request count per user and a wall-clock cap.

Each user waits a think time between requests (uniform in [0.5, 1.5] x --think-s, seeded), as people
using the planner do; --think-s 0 gives the closed-loop saturation case (every user fires back to back),
where latency is users / throughput. The client runs on the same machine as the server, so its own CPU time
is taken from the server's: --client aiohttp (default; about 1 ms of CPU per request) or httpx (about 5 ms
per request, the client of the earlier runs in RESULTS.md).

The server is uvicorn with --workers processes (the app factory microneedling.planner.asgi, each worker
warming the engine and opening its database pool at start). The benchmark waits until the workers report
their warm-up over (/api/health; the wait is printed as warm_wait_s), then times plan creation through the
API: the first plan (cold: the first in its worker) and --plans more (warm), p50/p95 against the 1 s target.

Prints p50/p95 latency (ms) for page reads and API reads, and p95 / 200 ms (the target: p95 < 200 ms,
so a ratio below 1 meets it), per database backend side by side (--database-url repeated; default: a
temporary SQLite file). All users arrive within the first think time, so the start is a burst of about
users / think time requests per second, the users still nearly in step for some cycles; the p95 of the reads
sent in the first 3 think times ("arrival burst") and after them ("steady") are printed beside the
whole-run p95, which says how the server absorbs the burst. Baseline named in the output: the 200 ms and 1 s
targets.

    python benchmarks/planner_load.py [--users 100] [--requests-per-user 20] [--think-s 1.0] [--workers 4]
        [--client aiohttp|httpx] [--database-url sqlite:///FILE --database-url postgresql://USER@HOST:PORT/DB]
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

import aiohttp
import httpx

TARGET_MS = 200.0
PASSWORD = "benchmark password"
PATIENT = {"age_years": 30, "sex": "F", "fitzpatrick": "III",
           "zones": [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 12, "depth_mm": 0.4, "width_mm": 2.5}]},
                     {"zone": "forehead", "scars": [{"type": "icepick", "count": 4, "depth_mm": 0.6, "width_mm": 1}]}]}
PLAN_TARGET_MS = 1000.0


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


class LoadClient:
    """The load client: one connection pool shared by all users, each user sending its own session cookie."""

    def __init__(self, kind: str, base: str, users: int):
        self.kind, self.base = kind, base
        if kind == "httpx":
            limits = httpx.Limits(max_connections=users + 10, max_keepalive_connections=users + 10)
            self.c = httpx.AsyncClient(base_url=base, timeout=60, limits=limits)
        else:
            self.c = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=users + 10),
                                           cookie_jar=aiohttp.DummyCookieJar(),
                                           timeout=aiohttp.ClientTimeout(total=60))

    async def login(self, name: str) -> str:
        """The session cookie of user ``name``."""
        if self.kind == "httpx":
            r = await self.c.post("/api/login", json={"username": name, "password": PASSWORD})
            r.raise_for_status()
            cookie = f"mn_session={r.cookies['mn_session']}"
            self.c.cookies.clear()
            return cookie
        async with self.c.post(self.base + "/api/login", json={"username": name, "password": PASSWORD}) as r:
            r.raise_for_status()
            return f"mn_session={r.cookies['mn_session'].value}"

    async def get(self, url: str, cookie: str) -> tuple[int, bytes]:
        """Status and body of a GET (status 0 on a transport error)."""
        try:
            if self.kind == "httpx":
                r = await self.c.get(url, headers={"Cookie": cookie})
                return r.status_code, r.content
            async with self.c.get(self.base + url, headers={"Cookie": cookie}) as r:
                return r.status, await r.read()
        except (TimeoutError, httpx.HTTPError, aiohttp.ClientError):
            return 0, b""

    async def close(self) -> None:
        await (self.c.aclose() if self.kind == "httpx" else self.c.close())


async def login(c: LoadClient, name: str, gate: asyncio.Semaphore) -> tuple[str, list[int]]:
    async with gate:
        cookie = await c.login(name)
        status, body = await c.get("/api/patients", cookie)
        if status != 200:
            raise RuntimeError(f"patient list answered {status}")
    return cookie, [p["id"] for p in json.loads(body)]


async def user(c: LoadClient, cookie: str, ids: list[int], n: int, deadline: float, steady_from: float,
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
        status, _ = await c.get(url, cookie)
        dt = (time.perf_counter() - t0) * 1e3
        if status != 200:
            out["errors"].append(float(status))
        else:
            out[kind].append(dt)
            out[f"{kind}_steady" if t0 >= steady_from else f"{kind}_burst"].append(dt)
        if think_s > 0:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)


async def run(base: str, users: int, providers: int, n: int, cap_s: float, think_s: float,
              client: str = "aiohttp") -> dict[str, list[float]]:
    """Log every user in first (not timed), then time the reads of all users running at once."""
    out: dict[str, list[float]] = {"page": [], "api": [], "page_steady": [], "api_steady": [], "page_burst": [],
                                   "api_burst": [], "errors": []}
    c = LoadClient(client, base, users)
    try:
        gate = asyncio.Semaphore(8)
        sessions = await asyncio.gather(*[login(c, f"dr{k % providers}", gate) for k in range(users)])
        deadline = time.monotonic() + cap_s
        steady_from = time.perf_counter() + 3 * think_s
        rng = random.Random(1)
        await asyncio.gather(*[user(c, cookie, ids, n, deadline, steady_from, out, think_s,
                                    random.Random(rng.random())) for cookie, ids in sessions])
    finally:
        await c.close()
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else float("nan")


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    """uvicorn with ``workers`` processes on the app factory, on loopback; returns once it answers."""
    env = {**os.environ, "MICRONEEDLING_DATABASE_URL": url, "MICRONEEDLING_FAST_HASH": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "microneedling.planner.asgi:app_from_environment",
                             "--factory", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "error", "--backlog", "2048"], env=env, stderr=subprocess.PIPE)
    for _ in range(3000):
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode(errors="replace")[-800:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def wait_until_warm(base: str, answers: int = 12, limit_s: float = 600.0) -> float:
    """Wait until ``answers`` health checks in a row, each on a new connection (so they reach the workers at
    random), report the warm-up over (``/api/health``); returns the seconds waited."""
    t0, in_a_row = time.perf_counter(), 0
    while in_a_row < answers:
        if time.perf_counter() - t0 > limit_s:
            raise RuntimeError("server did not finish warming up")
        warm = httpx.get(f"{base}/api/health", timeout=10).json()["warm"]
        in_a_row = in_a_row + 1 if warm else 0
        if not warm:
            time.sleep(0.5)
    return time.perf_counter() - t0


def plan_latency(base: str, plans: int) -> dict[str, float]:
    """Time plan creation through the API (ms): the first after start (cold), then ``plans`` more (warm)."""
    with httpx.Client(base_url=base, timeout=300) as c:
        r = c.post("/api/login", json={"username": "dr0", "password": PASSWORD})
        r.raise_for_status()
        headers = {"X-CSRF-Token": r.json()["csrf_token"]}
        pid = c.get("/api/patients").json()[0]["id"]
        times = []
        for k in range(plans + 1):
            t0 = time.perf_counter()
            r = c.post(f"/api/patients/{pid}/plans", headers=headers,
                       json={"name": f"Timed {k}", "baseline_gb_score": 10 + k % 20})
            r.raise_for_status()
            times.append((time.perf_counter() - t0) * 1e3)
    warm = times[1:]
    return {"cold_ms": round(times[0], 1), "warm_n": len(warm), "warm_p50_ms": round(pct(warm, 50), 1),
            "warm_p95_ms": round(pct(warm, 95), 1), "warm_p95_over_1s": round(pct(warm, 95) / PLAN_TARGET_MS, 3)}


def measure(url: str, a: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    seed(url, a.providers, a.patients_per_provider)
    seed_s = time.perf_counter() - t0
    port = free_port()
    proc = start_server(url, port, a.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        warm_wait_s = wait_until_warm(base)
        plans = plan_latency(base, a.plans)
        t0 = time.perf_counter()
        res = asyncio.run(run(base, a.users, a.providers, a.requests_per_user, a.time_cap_s, a.think_s, a.client))
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    done = len(res["page"]) + len(res["api"])
    summary = {"database": url.split(":")[0], "workers": a.workers, "users": a.users, "think_s": a.think_s,
               "client": a.client,
               "requests": done, "errors": len(res["errors"]), "wall_s": round(wall, 2),
               "throughput_per_s": round(done / wall, 1), "seed_s": round(seed_s, 2), "warm_wait_s": round(warm_wait_s, 1),
               "plan_creation": plans,
               "baseline": f"target p95 {TARGET_MS:.0f} ms (reads), {PLAN_TARGET_MS:.0f} ms (plan creation)"}
    for kind in ("page", "api"):
        p50, p95 = pct(res[kind], 50), pct(res[kind], 95)
        summary[kind] = {"n": len(res[kind]), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                         "p95_over_target": round(p95 / TARGET_MS, 3),
                         "steady_n": len(res[f"{kind}_steady"]),
                         "steady_p95_ms": round(pct(res[f"{kind}_steady"], 95), 1),
                         "burst_n": len(res[f"{kind}_burst"]),
                         "burst_p95_ms": round(pct(res[f"{kind}_burst"], 95), 1)}
    return summary


def table(results: list[dict]) -> str:
    """The backends side by side (Markdown)."""
    rows = [("reads: pages p50 / p95, ms", lambda r: f"{r['page']['p50_ms']} / {r['page']['p95_ms']}"),
            ("reads: API p50 / p95, ms", lambda r: f"{r['api']['p50_ms']} / {r['api']['p95_ms']}"),
            ("arrival burst (sent in the first 3 think times): pages / API p95, ms",
             lambda r: f"{r['page']['burst_p95_ms']} / {r['api']['burst_p95_ms']}"),
            ("steady (sent after 3 think times): pages / API p95, ms",
             lambda r: f"{r['page']['steady_p95_ms']} / {r['api']['steady_p95_ms']}"),
            ("throughput, requests/s", lambda r: str(r["throughput_per_s"])),
            ("errors", lambda r: str(r["errors"])),
            ("plan creation: cold, ms", lambda r: str(r["plan_creation"]["cold_ms"])),
            ("plan creation: warm p50 / p95, ms",
             lambda r: f"{r['plan_creation']['warm_p50_ms']} / {r['plan_creation']['warm_p95_ms']}")]
    out = ["| | " + " | ".join(f"{r['database']} ({r['workers']} workers)" for r in results) + " |",
           "|---|" + "---|" * len(results)]
    out += [f"| {name} | " + " | ".join(cell(r) for r in results) + " |" for name, cell in rows]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--requests-per-user", type=int, default=20)
    ap.add_argument("--providers", type=int, default=10)
    ap.add_argument("--patients-per-provider", type=int, default=10)
    ap.add_argument("--time-cap-s", type=float, default=120.0)
    ap.add_argument("--think-s", type=float, default=1.0, help="mean think time between a user's requests")
    ap.add_argument("--workers", type=int, default=4, help="uvicorn worker processes")
    ap.add_argument("--client", choices=("aiohttp", "httpx"), default="aiohttp", help="load client library")
    ap.add_argument("--plans", type=int, default=20, help="warm plan creations timed after the first")
    ap.add_argument("--database-url", action="append", default=None,
                    help="repeat for several backends; default: a temporary SQLite file")
    a = ap.parse_args()
    urls = a.database_url or [f"sqlite:///{os.path.join(tempfile.mkdtemp(prefix='mn-load-'), 'load.db')}"]
    load = os.getloadavg()
    results = [measure(url, a) for url in urls]
    for r in results:
        print(json.dumps(r))
    print(f"machine: {os.cpu_count()} CPUs, load average before the run {load[0]:.1f} / {load[1]:.1f} / "
          f"{load[2]:.1f} (1 / 5 / 15 min), after {os.getloadavg()[0]:.1f}")
    print(table(results))
    return 0 if not any(r["errors"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
