"""The evidence base of published trial arms (data/trials/*.yaml): every record loads, cites a bibliography key,
and the arms with outcome numbers span the protocols and scales the outcome model is to be calibrated on.

An arm "with outcome numbers" is a record with a simulable arm and at least one outcome that has a week and a
published number (a mean score, a mean change or a responder rate). The spans below are computed from the
records, so removing records makes these tests fail.
"""

from __future__ import annotations

from importlib import resources

import jax
import pytest

from microneedling.calibration.trial_response import load_trials
from microneedling.citations import bibliography
from microneedling.protocol import Device, Scale
from microneedling.trials.run import posterior, simulate_arm

MIN_ARMS_WITH_NUMBERS = 10
SIM_N = 6  # virtual patients per arm in the smoke simulation
SIM_DRAWS = 10  # posterior draws in the smoke simulation


@pytest.fixture(scope="module")
def records():
    return load_trials()


def _has_numbers(rec) -> bool:
    return rec.arm is not None and any(
        o.week is not None and (o.score_mean is not None or o.change_mean is not None or o.responder_rate is not None)
        for o in rec.outcomes
    )


@pytest.fixture(scope="module")
def numbered(records):
    return [r for r in records if _has_numbers(r)]


def test_every_record_file_loads_with_a_unique_id(records):
    files = [e for e in resources.files("microneedling").joinpath("data/trials").iterdir() if e.name.endswith(".yaml")]
    assert len(records) == len(files)
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids))


def test_every_source_is_in_the_bibliography(records):
    bib = bibliography()
    missing = {r.id: r.source for r in records if r.source not in bib}
    assert not missing


def test_records_say_where_they_were_read_and_what_was_verified(records):
    for r in records:
        assert r.where.strip() and r.role_reason.strip() and r.verified, r.id
        assert all(o.where.strip() for o in r.outcomes), r.id


def test_at_least_ten_arms_have_outcome_numbers(numbered):
    assert len(numbered) >= MIN_ARMS_WITH_NUMBERS, [r.id for r in numbered]


def test_arms_with_numbers_span_intervals_devices_and_scales(numbered):
    treated = [r for r in numbered if r.arm.protocol.device.needles]
    intervals = [r.arm.protocol.interval_weeks for r in treated]
    assert min(intervals) <= 1.0 and max(intervals) >= 6.0, intervals
    assert {Device.roller, Device.pen} <= {r.arm.protocol.device for r in treated}
    assert {Scale.goodman_baron_quantitative, Scale.goodman_baron_qualitative} <= {
        r.arm.population.baseline.scale for r in numbered
    }


def test_combination_and_radiofrequency_arms_are_record_only(records):
    for r in records:
        if r.modality != "microneedling" and r.modality != "none":
            assert r.role == "record_only", r.id


@pytest.mark.slow
def test_record_only_arms_simulate(records):
    """Every record_only arm runs through the virtual trial. To keep this fast (JAX compiles the course model once
    per number of sessions and number of timepoints) all arms are scored at one common week, the latest
    outcome week of these arms, which every outcome week precedes. Still about a minute cold: one compilation
    per distinct number of sessions (unless another test file of the run compiled it first: a test run shares one
    fresh persistent compilation cache, see tests/conftest.py)."""
    post = posterior()
    arms = [r for r in records if r.role == "record_only" and r.arm is not None]
    assert arms
    horizon = max(o.week for r in arms for o in r.outcomes if o.week is not None)
    for i, r in enumerate(arms):
        arm = r.arm.model_copy(update={"population": r.arm.population.model_copy(update={"n": SIM_N})})
        out = simulate_arm(arm, [horizon], jax.random.PRNGKey(i), SIM_DRAWS, post)
        assert out["n"] == SIM_N and len(out["timepoints"]) == 1, r.id
        lo, hi = arm.population.baseline.scale.bounds
        tp = out["timepoints"][0]
        assert lo <= tp["score_mean"] <= hi and tp["change_ci95"][0] <= tp["change_ci95"][1], (r.id, tp)


MIN_FIT_ARMS = 9


def test_fit_arms_are_simulable_mechanical_needling_with_numbers(records):
    """Fit arms pool mechanical needling alone (roller, pen or stamp) and each has an arm and an outcome number;
    combination and radiofrequency arms stay out of the fit."""
    fit = [r for r in records if r.role == "fit"]
    assert len(fit) >= MIN_FIT_ARMS, [r.id for r in fit]
    for r in fit:
        assert r.modality == "microneedling", r.id
        assert r.arm.protocol.device in {Device.roller, Device.pen, Device.stamp}, r.id
        assert _has_numbers(r), r.id


def test_evidence_page_lists_every_arm(records):
    """docs/evidence.md (the table of arms) names every record, so a new record shows up on the page."""
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "evidence.md"
    text = page.read_text(encoding="utf-8")
    missing = [r.id for r in records if f"| {r.id} |" not in text]
    assert not missing, missing
