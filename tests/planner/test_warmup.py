"""Engine warm-up at app start: a background thread (start is not blocked) compiles what the first plan
needs, after which plan creation through the API is fast; the plan form shows a progress indicator (a
static script) while the request runs."""

from __future__ import annotations

import gc
import time

import jax.monitoring
from fastapi.testclient import TestClient
from planner_support import PATIENT, Client, seed_users

from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings
from microneedling.planner.warmup import freeze_heap


def test_warm_up_runs_in_the_background_and_plans_compile_nothing_after_it(tmp_path):
    t0 = time.perf_counter()
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", fast_hash=True, warm_up=True))
    started_s = time.perf_counter() - t0
    thread = app.state.warm_up
    assert thread.daemon
    health = TestClient(app).get("/api/health")
    assert health.status_code == 200 and health.json() == {"status": "ok", "warm": False}  # compiling for seconds
    thread.join(timeout=300)
    assert not thread.is_alive()
    # what the app and the warm-up left alive is out of the collector's reach: a full collection now walks
    # fewer objects than are frozen
    assert gc.get_freeze_count() > len(gc.get_objects())
    assert TestClient(app).get("/api/health").json() == {"status": "ok", "warm": True}
    seed_users(app)
    dra = Client(app, "dra")
    pid = dra.post("/api/patients", json=PATIENT).json()["id"]
    compiled: list[str] = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda name, secs, **kw: compiled.append(name) if name == "/jax/core/compile/backend_compile_duration" else None)
    # a kernel loaded from the test run's shared persistent cache was not compiled by the warm-up either
    jax.monitoring.register_event_listener(
        lambda name, **kw: compiled.append(name) if name == "/jax/compilation_cache/cache_hits" else None)
    for k in range(3):
        r = dra.post(f"/api/patients/{pid}/plans", json={"name": f"W{k}", "baseline_gb_score": 14 + k})
        assert r.status_code == 201 and r.json()["prediction"]["available"], r.text
    # the warm-up compiled every kernel a plan needs: plan creation then runs compiled code only (its latency is
    # measured in benchmarks/planner_load.py)
    assert compiled == [], (started_s, len(compiled))
    # nor does a first page read: the templates were compiled before the app served, and the score of a scar
    # list of another length (6 groups here) runs a kernel the warm-up compiled
    env = app.state.templates.env
    real_compile = env.compile
    env.compile = lambda *a, **kw: compiled.append("template") or real_compile(*a, **kw)
    scars = [{"type": t, "count": 3 + k, "depth_mm": 0.2 + 0.1 * k, "width_mm": 2.0}
             for k, t in enumerate(["boxcar", "rolling", "icepick"])]
    six = dra.post("/api/patients", json={**PATIENT, "label": "W-6", "zones": [
        {"zone": "cheek", "scars": scars}, {"zone": "forehead", "scars": scars}]}).json()["id"]
    for url in (f"/patients/{six}", f"/api/patients/{six}", "/patients", f"/patients/{pid}"):
        assert dra.get(url).status_code == 200, url
    assert compiled == [], compiled


def test_warm_up_is_off_on_test_databases_unless_asked(tmp_path):
    assert not Settings(fast_hash=True).warm_up_engine()
    assert Settings().warm_up_engine()
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'n.db'}", fast_hash=True))
    assert not hasattr(app.state, "warm_up")
    assert TestClient(app).get("/api/health").json() == {"status": "ok", "warm": True}  # nothing to warm


def test_plan_form_has_a_progress_indicator(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "W-2"}).json()["id"]
    html = dra.get(f"/patients/{pid}/plans/new").text
    assert 'data-progress="plan-progress"' in html and 'id="plan-progress"' in html
    assert '<script src="/static/progress.js"></script>' in html
    js = dra.get("/static/progress.js")
    assert js.status_code == 200 and "disabled = true" in js.text


def test_freeze_heap_takes_live_objects_out_of_the_collectors_walk():
    alive = [{"kept": k} for k in range(3)]
    assert any(o is alive for o in gc.get_objects())
    frozen = freeze_heap()
    assert frozen == gc.get_freeze_count() >= len(alive) + 1
    assert not any(o is alive for o in gc.get_objects())
    del alive  # a frozen object is still freed by reference counting
