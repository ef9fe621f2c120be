"""Virtual clinical trials: the spec (:mod:`~microneedling.trials.spec`), virtual patients
(:mod:`~microneedling.trials.population`), running arms through the course pipeline and scoring them
(:mod:`~microneedling.trials.run`), the calibrated clinical response (:mod:`~microneedling.trials.response`),
one patient's prediction and its update from follow-up scores (:mod:`~microneedling.trials.predict`) and parameter sweeps, locally or on a Dask cluster
(:mod:`~microneedling.trials.sweep`).
"""

from microneedling.trials.population import (
    Cohort,
    sample_cohort,
)
from microneedling.trials.predict import (
    predict_patient,
)
from microneedling.trials.run import (
    Posterior,
    posterior,
    results_rows,
    run_trial,
    simulate_arm,
)
from microneedling.trials.spec import (
    Arm,
    Baseline,
    Population,
    TrialSpec,
    load_spec,
    spec_from_dict,
)
from microneedling.trials.sweep import (
    run_sweep,
)

__all__ = [
    "Arm",
    "Baseline",
    "Cohort",
    "Population",
    "Posterior",
    "TrialSpec",
    "load_spec",
    "posterior",
    "predict_patient",
    "results_rows",
    "run_sweep",
    "run_trial",
    "sample_cohort",
    "simulate_arm",
    "spec_from_dict",
]
