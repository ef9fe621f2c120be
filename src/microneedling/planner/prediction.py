"""Predicted outcome of a plan: the one-patient prediction of ``microneedling predict``
(``microneedling.trials.predict.predict_patient``: mean, the patient's 95% prediction interval and the trial
population's interval of the Goodman & Baron quantitative score over weeks, updated by recorded follow-ups). Nothing is predicted without a baseline score, and an engine error becomes a stated reason on the plan
rather than a server error."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from microneedling.clinic.zone_plan import ZonePlan
from microneedling.errors import InputError
from microneedling.outcomes import expected_score as score_model
from microneedling.patient import Patient
from microneedling.trials import predict as trial
from microneedling.trials import spec as trial_spec

FOLLOW_UP_WEEKS = 24  # horizon after the last session shown on the plan (display choice)


def goodman_baron(patient: Patient) -> dict:
    """Expected Goodman & Baron quantitative score and qualitative grade of the patient's scar list, from the
    one score model (``microneedling.outcomes.expected_score``: per-scar depths spread around each group's);
    its points table is not yet verified against the
    primary paper, so the result is labelled as computed, and a provider's rating takes precedence."""
    groups = [g for zs in patient.zones for g in zs.scars]
    try:
        score, grade = _scores(tuple((g.type.value, g.count, g.depth_mm) for g in groups))
    except Exception as exc:  # noqa: BLE001 - a failing engine must not take the planner down; say why
        return {"available": False, "reason": f"scoring engine failed: {type(exc).__name__}: {exc}"}
    return {"available": True, "score": score, "grade": grade,
            "note": "computed from the scar list by the scoring engine (points table not yet verified against "
                    "Goodman & Baron 2006); a rated score recorded by the provider takes precedence"}


@lru_cache(maxsize=4096)
def _scores(groups: tuple[tuple[str, int, float], ...]) -> tuple[float, float]:
    types, counts, depths = (list(c) for c in zip(*groups, strict=True))
    return score_model.expected_scar_groups(types, counts, depths)


def scar_mix(patient: Patient) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for zs in patient.zones:
        for g in zs.scars:
            counts[g.type.value] += g.count
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()}


def dominant_zone(patient: Patient) -> str:
    counts = {zs.zone.value: sum(g.count for g in zs.scars) for zs in patient.zones}
    return max(counts, key=lambda z: (counts[z], z))


def predict(patient: Patient, zp: ZonePlan, baseline_score: float | None,
            follow_ups: list[tuple[float, float]] | None = None) -> dict:
    """Predicted quantitative score over weeks with the patient's 95% prediction interval (updated by
    ``follow_ups``, (week, recorded score)), or ``available: False`` and the reason."""
    if baseline_score is None:
        return {"available": False, "reason": "no baseline Goodman & Baron quantitative score: give one with the "
                                              "plan or record a week-0 follow-up"}
    zone = dominant_zone(patient)
    choice = next(z for z in zp.zones if z.zone == zone)
    last = (zp.sessions - 1) * zp.interval_weeks
    weeks = sorted({0.0, *[float(w) for w in range(2, int(last + FOLLOW_UP_WEEKS) + 1, 2)]})
    try:
        protocol = trial_spec.Protocol(device=zp.device, needle_length_mm=choice.needle_length_mm, sessions=zp.sessions,
                                 interval_weeks=zp.interval_weeks, zone=zone)
        out = trial.predict_patient(patient.age_years, scar_mix(patient), float(baseline_score),
                                    "goodman_baron_quantitative", protocol, weeks,
                                    **({"follow_ups": follow_ups} if follow_ups else {}))
    except InputError as exc:
        return {"available": False, "reason": f"the trial engine cannot predict this profile: {exc.one_line()}"}
    except Exception as exc:  # noqa: BLE001 - a failing engine must not take the planner down; say why
        return {"available": False, "reason": f"the trial engine failed: {type(exc).__name__}: {exc}"}
    return {"available": True, "basis": f"{zone} (zone with most scars), {choice.needle_length_mm} mm "
                                        f"{zp.device}, scar mix of all zones, age {patient.age_years:g}",
            "session_weeks": [k * zp.interval_weeks for k in range(zp.sessions)], **out}
