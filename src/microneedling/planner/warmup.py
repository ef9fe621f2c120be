"""Warm-up at app start, so that no early request pays a one-off cost while holding the worker's interpreter
(a worker serves every request through one interpreter lock: a page compiling for a second stalls all the
pages it is serving meanwhile):

- the page templates are compiled before the app serves (:func:`compile_templates`; Jinja compiles a
  template on first use, 0.3-0.8 s for the patient page and its includes);
- a background thread runs the plan pipeline once on a made-up patient (score of the scar list, per-zone plan,
  outcome prediction), so that the kernels the first real plan needs are compiled (and stored in the
  persistent compilation cache, :func:`microneedling.config.configure`) before a provider asks for one, and
  scores scar lists of each padded length a clinic's patients commonly have
  (:func:`microneedling.outcomes.expected_score.group_slots`). Start-up is not blocked; a request arriving
  meanwhile compiles what it needs itself;
- the database pool's connections are opened (:func:`microneedling.planner.db.fill_pool`), so that the
  requests arriving together after a start do not each open a server connection;
- the objects alive once the app is built, and again once the engine is warm, are moved out of the garbage
  collector's reach (:func:`freeze_heap`). A worker holds about 400,000 long-lived objects (the numerical
  core, the kernels, the templates); a full collection walks them all and stalls the worker for 250-390 ms,
  and under load it ran every 10-15 s, because the objects of requests in flight live long enough to be
  promoted. Frozen, a full collection walks the request objects only (13-29 ms, measured with 100 users on
  one worker)."""

from __future__ import annotations

import gc
import logging
import threading
import time

import jinja2
from sqlalchemy import Engine

from microneedling.clinic.zone_plan import PlanRequest, plan_zones
from microneedling.patient import Patient
from microneedling.planner import prediction
from microneedling.planner.db import fill_pool

log = logging.getLogger(__name__)

WARM_PATIENT = {"id": "warm-up", "age_years": 30, "sex": "F", "fitzpatrick": "III",
                "zones": [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 10, "depth_mm": 0.4,
                                                       "width_mm": 2.5},
                                                      {"type": "rolling", "count": 4, "depth_mm": 0.3,
                                                       "width_mm": 4.0}]}]}
WARM_BASELINE = 20.0  # Goodman & Baron quantitative score of the made-up patient's prediction
WARM_GROUP_COUNTS = (5, 9)  # scar lists of 5-8 and 9-16 groups (the made-up patient covers up to 4)


def compile_templates(env: jinja2.Environment) -> int:
    """Compile every HTML template of ``env`` into its cache now; returns how many."""
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        env.get_template(name)
    return len(names)


def freeze_heap() -> int:
    """Collect garbage once, then move every object alive now into the collector's permanent generation
    (:func:`gc.freeze`), which no later collection walks; returns how many objects are frozen in all. Frozen
    objects are still freed when nothing refers to them; only a reference cycle among them is kept."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def warm_engine() -> float:
    """Run the plan pipeline once; returns the seconds it took."""
    start = time.perf_counter()
    patient = Patient.model_validate(WARM_PATIENT)
    prediction.goodman_baron(patient)
    prediction.predict(patient, plan_zones(patient, PlanRequest()), WARM_BASELINE)
    for n in WARM_GROUP_COUNTS:
        scars = [{"type": "boxcar", "count": 1 + k, "depth_mm": 0.3, "width_mm": 2.0} for k in range(n)]
        prediction.goodman_baron(Patient.model_validate({**WARM_PATIENT, "zones": [{"zone": "cheek",
                                                                                    "scars": scars}]}))
    return time.perf_counter() - start


def start_warm_up(database: Engine | None = None) -> threading.Thread:
    """Warm the engine in a daemon thread, and open the pool of the ``database`` (:func:`fill_pool`); returns
    the thread (``join`` to wait)."""

    def run() -> None:
        try:
            log.info("engine warm-up done in %.1f s", warm_engine())
            if database is not None:
                log.info("database pool filled: %d connections", fill_pool(database))
            freeze_heap()
        except Exception:  # noqa: BLE001 - warming is an optimisation: a failure must not stop the app
            log.exception("engine warm-up failed")

    thread = threading.Thread(target=run, name="engine-warm-up", daemon=True)
    thread.start()
    return thread
