"""Engine warm-up at app start: a background thread runs the plan pipeline once on a made-up patient (score of
the scar list, per-zone plan, outcome prediction), so that the kernels the first real plan needs are compiled
(and stored in the persistent compilation cache, :func:`microneedling.config.configure`) before a provider
asks for one. Start-up is not blocked; a request arriving meanwhile compiles what it needs itself."""

from __future__ import annotations

import logging
import threading
import time

from microneedling.clinic.zone_plan import PlanRequest, plan_zones
from microneedling.patient import Patient
from microneedling.planner import prediction

log = logging.getLogger(__name__)

WARM_PATIENT = {"id": "warm-up", "age_years": 30, "sex": "F", "fitzpatrick": "III",
                "zones": [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 10, "depth_mm": 0.4,
                                                       "width_mm": 2.5},
                                                      {"type": "rolling", "count": 4, "depth_mm": 0.3,
                                                       "width_mm": 4.0}]}]}
WARM_BASELINE = 20.0  # Goodman & Baron quantitative score of the made-up patient's prediction


def warm_engine() -> float:
    """Run the plan pipeline once; returns the seconds it took."""
    start = time.perf_counter()
    patient = Patient.model_validate(WARM_PATIENT)
    prediction.goodman_baron(patient)
    prediction.predict(patient, plan_zones(patient, PlanRequest()), WARM_BASELINE)
    return time.perf_counter() - start


def start_warm_up() -> threading.Thread:
    """Warm the engine in a daemon thread; returns it (``join`` to wait)."""

    def run() -> None:
        try:
            log.info("engine warm-up done in %.1f s", warm_engine())
        except Exception:  # noqa: BLE001 - warming is an optimisation: a failure must not stop the app
            log.exception("engine warm-up failed")

    thread = threading.Thread(target=run, name="engine-warm-up", daemon=True)
    thread.start()
    return thread
