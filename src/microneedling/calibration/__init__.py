"""Calibration: every fit that writes a ``calibrated`` parameter row. The trial response on published trial
arms (records :mod:`~microneedling.calibration.trial_response`, hierarchical NUTS fit
:mod:`~microneedling.calibration.hierarchical`, ``microneedling calibrate``) and the collagen synthesis
and scar fill on Lotfi 2013 and Garg & Chaudhary (:mod:`~microneedling.calibration.scar_fill`).
"""

from microneedling.calibration.hierarchical import (
    fit,
    predict_held_out,
)
from microneedling.calibration.scar_fill import (
    fit_collagen_synthesis_scale,
    fit_scar_fill,
)
from microneedling.calibration.trial_response import (
    TrialRecord,
    load_trials,
    observed_change,
)

__all__ = [
    "TrialRecord",
    "fit",
    "fit_collagen_synthesis_scale",
    "fit_scar_fill",
    "load_trials",
    "observed_change",
    "predict_held_out",
]
