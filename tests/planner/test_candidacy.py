"""Candidacy rules: every rule fires on its own field, reasons and sources are shown, overrides are recorded.

Rules and sources: data/candidacy_rules.yaml (sources named per rule: Minutilli 2024, Spring 2017,
Chu 2021, Cachafeiro 2016; low-evidence rules from spa pages are labelled ``low``).
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.citations import bibliography
from microneedling.clinic.candidacy import (
    Level,
    Override,
    check_override,
    decide,
    default_rules,
    evaluate,
    parse_rules,
)
from microneedling.errors import InputError
from microneedling.patient import History, Patient

ZONES = [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 5, "depth_mm": 0.4, "width_mm": 2.0}]}]


def patient(fitzpatrick="II", **history):
    return Patient(id="t", age_years=30, sex="F", fitzpatrick=fitzpatrick, history=History(**history), zones=ZONES)


# one triggering history per rule; values are the rule thresholds of candidacy_rules.yaml crossed by one step
TRIGGERS = {
    "active_acne": {"active_acne_grade": 1},
    "active_infection": {"active_infection": True},
    "keloid_tendency": {"keloid_tendency": True},
    "immunosuppression": {"immunosuppressed": True},
    "pregnancy": {"pregnant": True},
    "isotretinoin_recent": {"isotretinoin_months_ago": 11.9},
    "herpes_labialis": {"herpes_labialis": True},
    "anticoagulants": {"anticoagulants": True},
    "recent_filler_or_laser": {"recent_filler_or_laser_months_ago": 2.0},
}


def test_clean_patient_is_fine():
    d = decide(evaluate(patient()))
    assert d.status == Level.fine and d.findings == ()


@pytest.mark.parametrize("rule_id", sorted(TRIGGERS))
def test_each_rule_fires_alone_with_reason_and_sources(rule_id):
    findings = evaluate(patient(**TRIGGERS[rule_id]))
    assert [f.rule_id for f in findings] == [rule_id]
    f = findings[0]
    assert len(f.reason) > 20 and f.sources and all(s.key in bibliography() for s in f.sources)


def test_every_packaged_rule_is_exercised_and_sourced():
    ids = {r.id for r in default_rules()}
    assert ids == set(TRIGGERS) | {"darker_phototype"}
    assert all(r.sources for r in default_rules())


@pytest.mark.parametrize("fitz,hit", [("III", False), ("IV", True), ("VI", True)])
def test_phototype_caution(fitz, hit):
    assert bool(evaluate(patient(fitzpatrick=fitz))) is hit


def test_isotretinoin_long_ago_is_not_flagged():
    """12 months is the outer bound of the traditional 6-12 month wait (Spring 2017 context)."""
    assert evaluate(patient(isotretinoin_months_ago=12.0)) == []


def test_contraindication_blocks_until_overridden_with_reason():
    findings = evaluate(patient(keloid_tendency=True, anticoagulants=True))
    assert decide(findings).status == Level.contraindication
    over = Override(rule_id="keloid_tendency", reason="only atrophic scars; patient consents after discussion", by="dr")
    d = decide(findings, [check_override(findings, over)])
    assert d.status == Level.caution and d.blocking == []
    row = {f["rule_id"]: f for f in d.as_dict()["findings"]}["keloid_tendency"]
    assert row["overridden"] and row["override_reason"].startswith("only atrophic")


def test_override_must_answer_a_raised_finding_and_give_a_reason():
    findings = evaluate(patient(anticoagulants=True))
    with pytest.raises(InputError, match="rule_id"):
        check_override(findings, Override(rule_id="pregnancy", reason="a long enough reason"))
    with pytest.raises(ValueError):
        Override(rule_id="anticoagulants", reason="short")


@settings(max_examples=60, deadline=None)
@given(acne=st.integers(0, 4), infection=st.booleans(), keloid=st.booleans(), immuno=st.booleans(),
       pregnant=st.booleans(), anticoag=st.booleans(), herpes=st.booleans())
def test_status_is_contraindication_exactly_when_a_contraindication_field_is_set(
        acne, infection, keloid, immuno, pregnant, anticoag, herpes):
    p = patient(active_acne_grade=acne, active_infection=infection, keloid_tendency=keloid, immunosuppressed=immuno,
                pregnant=pregnant, anticoagulants=anticoag, herpes_labialis=herpes)
    d = decide(evaluate(p))
    blocking = acne >= 1 or infection or keloid or immuno or pregnant
    assert (d.status == Level.contraindication) == blocking
    if not blocking:
        assert d.status == (Level.caution if (anticoag or herpes) else Level.fine)


@pytest.mark.parametrize("bad,field", [
    ({"field": "history.no_such_field", "op": "==", "value": True}, "when.field"),
    ({"field": "history.pregnant", "op": "~", "value": True}, "when.op"),
])
def test_bad_rule_is_refused_naming_the_field(bad, field):
    raw = {"rules": [{"id": "x", "level": "caution", "when": bad, "reason": "some reason text",
                      "evidence": "low", "sources": [{"key": "Harris2015", "where": "p. 1"}]}]}
    with pytest.raises(InputError, match=field):
        parse_rules(raw)


def test_rule_with_unknown_source_is_refused():
    raw = {"rules": [{"id": "x", "level": "caution", "when": {"field": "history.pregnant", "op": "==", "value": True},
                      "reason": "some reason text", "evidence": "low", "sources": [{"key": "Nobody1999", "where": "p. 1"}]}]}
    with pytest.raises(InputError, match="CITATIONS"):
        parse_rules(raw)
