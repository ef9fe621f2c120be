"""The predicted 6-month change of a reference patient as a function of a vector of parameter values.

The outcome the sensitivity analysis studies (:data:`OUTPUTS`): for the reference patient (the first sample
patient of ``data/examples/patients.yaml``) under the reference protocol (3 pen sessions at 1.5 mm, 4 weeks
apart, on the cheek), 26 weeks after the first session,

* the relative depth change ``1 - depth / depth0`` of the typical scar of each type (icepick, boxcar,
  rolling), as the virtual trials and the planner's prediction compute it
  (:func:`microneedling.course.relative_depth_after`);
* the expected change of the Goodman & Baron quantitative score (points, baseline minus 26-week score,
  positive = better) through the package's score model: the patient's scar groups (count and measured depth
  of each type) scored by the expected-score model (:func:`microneedling.outcomes.expected_score.score_course`)
  at the trials' calibrated scar fill (``trial.fill_efficiency``, the population median of
  :mod:`microneedling.trials.response`, as ``course``, ``trial``, ``predict`` and the planner use) for the median patient (response
  multiplier 1: the spread of individual response is a property of the population, not of the model's
  parameters).

Parameters reach the model in two ways. The mechanics of one session (injury -> dose and penetration depth)
are Python code, evaluated for each distinct set of the parameters it reads (:func:`session_inputs`). Everything
after it (healing kinetics, scar response, score) is JAX: :func:`outcome_function` evaluates it for a batch of
parameter vectors, vmapped over the draws, with the cohort solver (:func:`microneedling.healing.simulate_cohort`)
and every registry value read on the way replaced by the draw's (:func:`microneedling.params.overridden`).
With the registry's own values it equals the plain pipeline to round-off (tests/test_sensitivity.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from microneedling import course, healing
from microneedling.mechanics.injury import InjuryQuery, injury_details
from microneedling.outcomes.expected_score import depth_log_sd, score_course, typical_depths_mm
from microneedling.params import overridden, recording_reads
from microneedling.patient import SCAR_TYPES, Patient, Sex, load_patients
from microneedling.protocol import Protocol, Scale
from microneedling.trials.response import calibrated_scar_response

OUTPUTS = ("depth_change_icepick", "depth_change_boxcar", "depth_change_rolling", "gb_quantitative_change")
"""Outputs of :func:`outcome_function`, in column order: relative depth change (fraction) of the typical
scar of each type in :data:`microneedling.patient.SCAR_TYPES` order, and the expected G&B quantitative change
(points)."""
OUTPUT_LABELS = {
    "depth_change_icepick": "icepick scar depth change (fraction)",
    "depth_change_boxcar": "boxcar scar depth change (fraction)",
    "depth_change_rolling": "rolling scar depth change (fraction)",
    "gb_quantitative_change": "expected G&B quantitative change (points)",
}
REFERENCE_PROTOCOL = Protocol(device="pen", needle_length_mm=1.5, sessions=3, interval_weeks=4.0)
READOUT_WEEKS = 26.0


def reference_patient() -> Patient:
    """The first sample patient of ``data/examples/patients.yaml`` (the demo's P01)."""
    path = Path(str(resources.files("microneedling").joinpath("data/examples/patients.yaml")))
    return load_patients(path)[0]


@dataclass(frozen=True)
class Reference:
    """Who and what the outcome is predicted for: a ``patient`` under a needling ``protocol``, read
    ``weeks`` after the first session."""

    patient: Patient = field(default_factory=reference_patient)
    protocol: Protocol = REFERENCE_PROTOCOL
    weeks: float = READOUT_WEEKS

    @property
    def injury_query(self) -> InjuryQuery:
        """The session of :func:`microneedling.course.course_relative_depth`: a female patient of the
        patient's age (the trials' convention)."""
        return InjuryQuery.of(self.protocol).model_copy(
            update={"sex": Sex.F, "age_years": round(float(self.patient.age_years), 1)})

    def scars_by_type(self) -> tuple[np.ndarray, np.ndarray]:
        """(count [K], measured baseline depth in mm [K]) of the patient's scars of each type
        (:data:`SCAR_TYPES` order), all zones; several groups of one type pool their counts and take their
        count-weighted geometric mean depth; NaN where no depth is measured (the type's typical depth is then
        used, read from the registry at evaluation)."""
        counts, depths = np.zeros(len(SCAR_TYPES)), np.full(len(SCAR_TYPES), np.nan)
        for k, t in enumerate(SCAR_TYPES):
            groups = [g for z in self.patient.zones for g in z.scars if g.type == t]
            counts[k] = sum(g.count for g in groups)
            measured = [(g.count, g.depth_mm) for g in groups if g.depth_mm is not None]
            if measured:
                n = sum(c for c, _ in measured)
                depths[k] = float(np.exp(sum(c * np.log(d) for c, d in measured) / n))
        return counts, depths


def session_inputs(ref: Reference, values: dict[str, float] | None = None) -> tuple[float, float]:
    """(dose, penetration depth in mm) of one session of the reference protocol, with the registry values
    replaced by ``values`` (uncached: :func:`microneedling.mechanics.injury.injury_details`)."""
    with overridden(values or {}):
        inj = injury_details(ref.injury_query).injury
        return float(healing.injury_dose(inj)), float(inj.penetration_depth_mm)


def session_parameters(ref: Reference) -> set[str]:
    """Names of the registry parameters the session mechanics of ``ref`` read (what :func:`session_inputs`
    depends on)."""
    with recording_reads() as names:
        session_inputs(ref)
    return set(names)


def expected_change(ref: Reference, rel_depth) -> jax.Array:
    """Expected G&B quantitative change (points, baseline minus score) of the patient's scars when the course
    leaves the typical scar of each type at relative depth ``rel_depth`` [K]: the expected-score model of
    :func:`microneedling.outcomes.expected_score.score_course` with the patient's counts and depths, for the
    median patient (response multiplier 1)."""
    counts, measured = ref.scars_by_type()
    depth0 = jnp.where(jnp.isnan(jnp.asarray(measured)), typical_depths_mm(), jnp.asarray(measured))
    rel = jnp.stack([jnp.ones_like(rel_depth), rel_depth], axis=-1)  # [K, 2]: baseline, read-out
    s = score_course(jnp.asarray(counts), depth0, rel, jnp.ones((1,)), depth_log_sd(),
                     Scale.goodman_baron_quantitative)
    return s[0, 0] - s[0, 1]


def outcome(ref: Reference, dose, penetration_depth_mm) -> jax.Array:
    """:data:`OUTPUTS` [4] of ``ref`` for sessions of ``dose`` reaching ``penetration_depth_mm``, with the
    registry values in force (those of :func:`microneedling.params.overridden` when called within it), at the
    trials' calibrated scar fill."""
    age = float(ref.patient.age_years)
    rel = course.relative_depth_after(ref.protocol, [age], [ref.weeks], dose, penetration_depth_mm,
                                      solver=healing.simulate_cohort, params=healing.default_healing_params(age),
                                      response=calibrated_scar_response())[0, :, 0]
    return jnp.concatenate([1.0 - rel, expected_change(ref, rel)[None]])


_FUNCTIONS: dict[tuple, Callable] = {}


def outcome_function(ref: Reference, names: Sequence[str]) -> Callable:
    """``f(values [R, D], dose [R], penetration [R]) -> outputs [R, 4]``: :func:`outcome` for R parameter
    vectors (``values[:, j]`` the value of ``names[j]``, JAX inputs), vmapped over the draws and jitted (one
    compilation per batch size R; the function is kept per reference and names, so repeated analyses in one
    process compile once)."""
    names = tuple(names)
    key = (ref.patient.model_dump_json(), ref.protocol.model_dump_json(), float(ref.weeks), names)
    if key not in _FUNCTIONS:

        def one(values, dose, pen):
            with overridden(dict(zip(names, values, strict=True))):
                return outcome(ref, dose, pen)

        _FUNCTIONS[key] = jax.jit(jax.vmap(one))
    return _FUNCTIONS[key]
