"""Predicted outcome of a plan: built from the trial engine's one-profile prediction only; never invented.
Without a baseline score, or when the engine raises, the plan says why and shows no numbers."""

import types

import pytest

from microneedling.clinic.zone_plan import plan_zones
from microneedling.patient import Patient
from microneedling.planner import prediction

PATIENT = Patient(id="x", age_years=33, sex="M", fitzpatrick="IV", zones=[
    {"zone": "cheek", "scars": [{"type": "boxcar", "count": 6, "depth_mm": 0.4, "width_mm": 2},
                                {"type": "rolling", "count": 2, "depth_mm": 0.3, "width_mm": 5}]},
    {"zone": "forehead", "scars": [{"type": "icepick", "count": 2, "depth_mm": 0.5, "width_mm": 1}]}])


@pytest.fixture(scope="module")
def zone_plan():
    return plan_zones(PATIENT)


def test_scar_mix_and_dominant_zone():
    """Counts 6 boxcar, 2 rolling, 2 icepick -> fractions 0.6, 0.2, 0.2; cheek holds 8 of 10 scars."""
    assert prediction.scar_mix(PATIENT) == pytest.approx({"boxcar": 0.6, "rolling": 0.2, "icepick": 0.2})
    assert prediction.dominant_zone(PATIENT) == "cheek"


def test_no_baseline_no_prediction(zone_plan):
    out = prediction.predict(PATIENT, zone_plan, None)
    assert out["available"] is False and "baseline" in out["reason"] and "score_mean" not in out


def test_engine_prediction_is_passed_through_with_the_plan_protocol(zone_plan, monkeypatch):
    """A stand-in engine with a closed form: score = baseline x (1 - 0.01 week), band +-1 point."""
    seen = {}

    def predict_patient(age_years, scar_mix, baseline, scale, protocol, weeks, **kw):
        seen.update(age=age_years, mix=scar_mix, protocol=protocol, weeks=weeks, scale=scale)
        mean = [baseline * (1 - 0.01 * w) for w in weeks]
        return {"weeks": weeks, "scale": scale, "baseline": baseline, "score_mean": mean,
                "score_low": [m - 1 for m in mean], "score_high": [m + 1 for m in mean]}

    fake = types.SimpleNamespace(predict_patient=predict_patient)
    monkeypatch.setattr(prediction, "trial", fake)
    out = prediction.predict(PATIENT, zone_plan, 14.0)
    assert out["available"] is True and seen["scale"] == "goodman_baron_quantitative"
    p = seen["protocol"]
    cheek = next(z for z in zone_plan.zones if z.zone == "cheek")
    assert (p.zone.value, p.needle_length_mm, p.sessions, p.interval_weeks) == ("cheek", cheek.needle_length_mm, 3, 4.0)
    # weeks run from 0 to the last session (week 8) + 24 weeks of follow-up, every 2 weeks
    assert seen["weeks"][0] == 0.0 and seen["weeks"][-1] == 32.0 and out["session_weeks"] == [0.0, 4.0, 8.0]
    assert all(lo < m < hi for lo, m, hi in zip(out["score_low"], out["score_mean"], out["score_high"], strict=True))
    assert out["score_mean"][-1] == pytest.approx(14.0 * (1 - 0.32))


def test_plan_with_baseline_carries_the_trial_engine_prediction(planner):
    """Integration with the virtual-trial engine (issue 5): a plan given a baseline score shows mean and
    95% band over weeks from the engine, starting at the baseline; its figure is served."""
    from planner_support import PATIENT as BODY

    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**BODY, "label": "PRED-1"}).json()["id"]
    r = dra.post(f"/api/patients/{pid}/plans", json={"name": "predicted", "baseline_gb_score": 14})
    assert r.status_code == 201, r.text
    pred = r.json()["prediction"]
    assert pred["available"] is True, pred.get("reason")
    assert pred["weeks"][0] == 0.0 and pred["score_mean"][0] == pytest.approx(14.0)
    assert all(lo <= m <= hi for lo, m, hi in zip(pred["score_low"], pred["score_mean"], pred["score_high"],
                                                  strict=True))
    png = dra.get(f"/plans/{r.json()['id']}/outcome.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"


def test_goodman_baron_comes_from_the_scoring_engine(monkeypatch):
    """A stand-in scoring engine with closed forms: score = sum of counts, grade = 1 + number of groups."""
    fake = types.SimpleNamespace(
        expected_scar_groups=lambda types, counts, depths: (float(sum(counts)), 1.0 + len(types)))
    monkeypatch.setattr(prediction, "score_model", fake)
    prediction._scores.cache_clear()
    out = prediction.goodman_baron(PATIENT)
    prediction._scores.cache_clear()
    assert out["available"] and out["score"] == 10.0 and out["grade"] == 4 and "not yet verified" in out["note"]
    def bad_table(*args):
        raise ValueError("bad table")

    broken = types.SimpleNamespace(expected_scar_groups=bad_table)
    monkeypatch.setattr(prediction, "score_model", broken)
    out = prediction.goodman_baron(PATIENT)
    prediction._scores.cache_clear()
    assert out["available"] is False and "ValueError" in out["reason"]


def test_a_failing_engine_gives_a_reason_not_an_error(zone_plan, monkeypatch):
    def broken(*args, **kw):
        raise KeyError("unknown parameter")

    monkeypatch.setattr(prediction, "trial", types.SimpleNamespace(predict_patient=broken))
    out = prediction.predict(PATIENT, zone_plan, 14.0)
    assert out["available"] is False and "KeyError" in out["reason"] and "score_mean" not in out
