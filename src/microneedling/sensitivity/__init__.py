"""Global sensitivity analysis: what the predicted outcome rests on among the calibrated and assumed parameters.

Modules:

* :mod:`~microneedling.sensitivity.ranges`: the range each calibrated or assumed parameter is varied over;
* :mod:`~microneedling.sensitivity.outcome`: the reference patient's predicted 6-month change as a function of
  a vector of parameter values (JAX inputs, vmapped over draws through the cohort solver);
* :mod:`~microneedling.sensitivity.sobol`: Sobol first-order and total indices with SALib (``microneedling
  sensitivity``).
"""

from __future__ import annotations

from microneedling.sensitivity.outcome import (
                                               OUTPUTS,
                                               Reference,
                                               outcome,
                                               outcome_function,
                                               reference_patient,
                                               session_inputs,
                                               session_parameters,
)
from microneedling.sensitivity.ranges import ParameterRange, parameter_range, uncertain_ranges
from microneedling.sensitivity.sobol import RANGE_RULES, evaluate, run_sensitivity, sample_values, top

__all__ = ["OUTPUTS", "Reference", "outcome", "outcome_function", "reference_patient", "session_inputs",
           "session_parameters", "ParameterRange", "parameter_range", "uncertain_ranges", "RANGE_RULES",
           "evaluate", "run_sensitivity", "sample_values", "top"]
