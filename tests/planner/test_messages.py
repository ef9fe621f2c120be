"""Form messages name the field by its label and say what to enter (no pydantic locations or wording)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from microneedling.errors import InputError
from microneedling.planner.messages import field_messages
from microneedling.planner.schemas import AppointmentIn, PatientIn, PlanIn

SCARS = {"type": "boxcar", "count": 3, "depth_mm": 0.4, "width_mm": 2}


def _messages(model, data) -> list[str]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return field_messages(info.value)


def test_patient_messages_are_plain():
    base = {"label": "P-1", "age_years": 30, "sex": "F", "fitzpatrick": "III"}
    out = _messages(PatientIn, {**base, "zones": [{"zone": "cheek", "scars": [{**SCARS, "count": "2.5"}]}]})
    assert out == ["Scar count: enter a whole number"]
    out = _messages(PatientIn, {**base, "label": "", "age_years": "x", "sex": "Q",
                                "zones": [{"zone": "cheek", "scars": [{**SCARS, "depth_mm": -1}]}]})
    assert out == ["Patient code: required", "Age (years): enter a number", "Sex: choose one of 'F' or 'M'",
                   "Scar depth (mm): must be more than 0"]
    assert not any("Input should" in m or "zones.0" in m for m in out)


def test_plan_and_appointment_messages_give_bounds_with_units():
    out = _messages(PlanIn, {"sessions": 99, "interval_weeks": 0, "baseline_gb_score": 100})
    assert out == ["Number of sessions: must be at most 24", "Interval between sessions (weeks): must be at least 1",
                   "Baseline Goodman & Baron score: must be at most 84"]
    out = _messages(AppointmentIn, {"starts_at": "9999-01-01T00:00", "duration_min": 1})
    assert out == ["Date and time: the year must be between 1900 and 2200", "Duration (minutes): must be at least 5"]


def test_model_rules_name_the_field():
    assert field_messages(InputError("zones.0.scars.0.count", 0, "must be at least 1")) == [
        "Scar count: must be at least 1"]
