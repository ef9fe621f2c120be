"""Form messages name the field by its plain name and say what to enter, with the bounds and unit from the
input model (no pydantic locations or wording); a model rule's refusal keeps its own words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from microneedling.errors import InputError
from microneedling.planner.form_errors import form_errors
from microneedling.planner.messages import field_schema, located_messages
from microneedling.planner.schemas import AppointmentIn, PatientIn, PlanIn, TreatmentIn
from microneedling.planner.services import Conflict

SCARS = {"type": "boxcar", "count": 3, "depth_mm": 0.4, "width_mm": 2}
BASE = {"label": "P-1", "age_years": 30, "sex": "F", "fitzpatrick": "III"}


def field_messages(exc: Exception, model=None) -> list[str]:
    """The messages of a failed form, in order (the locations aside)."""
    return [message for _, message in located_messages(exc, model)]


def _error(model, data) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return info.value


def test_patient_messages_are_plain_with_bounds_and_units():
    out = field_messages(_error(PatientIn, {**BASE, "zones": [{"zone": "cheek", "scars": [{**SCARS, "count": "2.5"}]}]}),
                         PatientIn)
    assert out == ["Scar count must be a whole number from 1 to 500"]
    exc = _error(PatientIn, {**BASE, "label": "", "age_years": "x", "sex": "Q",
                             "zones": [{"zone": "cheek", "scars": [{**SCARS, "depth_mm": -1}]}]})
    assert located_messages(exc, PatientIn) == [
        (("label",), "Patient code is required"), (("age_years",), "Age must be a number from 12 to 100 years"),
        (("sex",), "Sex must be one of F or M"),
        (("zones", 0, "scars", 0, "depth_mm"), "Scar depth must be a number above 0 and up to 3 mm")]
    assert not any("Input should" in m or "zones.0" in m for _, m in located_messages(exc, PatientIn))


def test_without_the_model_the_error_s_own_bound_is_used():
    exc = _error(PatientIn, {**BASE, "zones": [{"zone": "cheek", "scars": [{**SCARS, "count": 0}]}]})
    assert field_messages(exc) == ["Scar count must be a number of at least 1"]


def test_plan_and_appointment_messages_give_bounds_with_units():
    out = field_messages(_error(PlanIn, {"sessions": 99, "interval_weeks": 0, "baseline_gb_score": 100}), PlanIn)
    assert out == ["Number of sessions must be a whole number from 1 to 24",
                   "Interval between sessions must be a number from 1 to 26 weeks",
                   "Baseline Goodman & Baron score must be a number above 0 and up to 84"]
    out = field_messages(_error(AppointmentIn, {"starts_at": "9999-01-01T00:00", "duration_min": 1}), AppointmentIn)
    assert out == ["Date and time: the year must be between 1900 and 2200",
                   "Duration must be a whole number from 5 to 480 minutes"]


def test_schema_lookup_follows_lists_optionals_and_dicts():
    assert field_schema(PatientIn, ("zones", 0, "scars", 0, "count"))["maximum"] == 500
    assert field_schema(PatientIn, ("history", "isotretinoin_months_ago"))["minimum"] == 0
    assert field_schema(PlanIn, ("caps_mm", "cheek"))["maximum"] == 3
    assert field_schema(TreatmentIn, ("anaesthetic", "minutes"))["maximum"] == 180
    assert field_schema(PlanIn, ("no_such_field",)) == {}


def test_model_rules_name_the_field_or_keep_their_own_subject():
    assert field_messages(InputError("username", "dra", "is already taken")) == ["User name is already taken"]
    assert field_messages(InputError("gb_score", None, "give a grade or a score")) == [
        "Goodman & Baron score: give a grade or a score"]
    assert field_messages(InputError("zones.0.over_depth_reason", "", "cheek: 1.5 mm is deeper than the plan")) == [
        "Cheek: 1.5 mm is deeper than the plan"]
    assert field_messages(Conflict("the provider already has a session then")) == [
        "The provider already has a session then"]


def test_form_errors_put_each_message_beside_its_input():
    exc = _error(TreatmentIn, {"device": "pen", "zones": [{"zone": "cheek", "needle_length_mm": 5, "passes": 1}],
                               "cartridge_lot": "L1", "cartridge_expiry": "2030-01-01", "endpoint": "erythema",
                               "anaesthetic": {"product": "EMLA", "concentration_pct": 5, "minutes": 400}})
    names = {("zones", 0, "needle_length_mm"): "cheek_needle_length_mm", ("anaesthetic", "minutes"): "anaesthetic_minutes"}
    errors = form_errors(exc, "record", names.get, TreatmentIn)
    assert errors.message("record", "cheek_needle_length_mm") == "Needle length must be a number above 0 and up to 3 mm"
    assert errors.message("record", "anaesthetic_minutes") == (
        "Anaesthetic time on the skin must be a whole number from 0 to 180 minutes")
    assert errors.message("other-form", "anaesthetic_minutes") is None  # another form of the page is not marked
    assert errors.element_id("cheek_needle_length_mm") == "record-cheek_needle_length_mm-error"
    # the summary links only to the messages the page placed: one whose field is not on the page has no link
    assert [t for t, _ in errors.summary] == [None, None]
    assert errors.place("cheek_needle_length_mm") == "record-cheek_needle_length_mm-error"
    # messages only the summary shows come first, then the placed ones in the order the page placed them
    assert [t for t, _ in errors.summary] == [None, "record-cheek_needle_length_mm-error"]
    conflict = form_errors(Conflict("appointment 3 is already recorded"), "record")
    assert conflict.general == ["Appointment 3 is already recorded"] and conflict.summary == [
        (None, "Appointment 3 is already recorded")]
    conflict.place(None)  # the form's own problems shown at the top of the form
    assert conflict.summary == [("record-form-error", "Appointment 3 is already recorded")]


def test_choices_are_listed_in_words_not_stored_values():
    from microneedling.planner.scheduling import StatusIn

    assert field_messages(_error(StatusIn, {"status": "gone"}), StatusIn) == [
        "Status must be one of cancelled, no-show or scheduled"]
