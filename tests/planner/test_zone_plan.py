"""Per-zone plan: zone caps (Harris 2015 cheek median; thinner zones lower, derived from HFUS50MHz2019
full thickness), shortest needle whose real penetration reaches the scar floor, Harris 2015 course medians."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.clinic.zone_plan import (
    DEFAULT_LENGTHS_MM,
    GRID_MM,
    PlanRequest,
    default_course,
    plan_zones,
    zone_caps,
)
from microneedling.errors import InputError
from microneedling.mechanics.injury import Injury
from microneedling.patient import Patient, Zone
from microneedling.tissue.skin import full_thickness


def fake_injury(fraction):
    """Closed form: real depth = fraction x nominal length; dermis reached below 0.1 mm (a stand-in epidermis)."""
    def fn(zone, device, needle_length_mm, sex="F", age_years=30.0, passes=None):
        depth = fraction * needle_length_mm
        return Injury("microneedling", depth, 250.0, 30.0, 0.01, 0.01, ((0.0, depth, 0.01),),
                      depth > 0.1, depth > 0.3, 0.0)
    return fn


def patient(zones):
    return Patient(id="z", age_years=25, sex="F", fitzpatrick="III",
                   zones=[{"zone": z, "scars": [{"type": "boxcar", "count": 3, "depth_mm": d, "width_mm": 2.0}]}
                          for z, d in zones])


def test_cheek_cap_is_the_harris_median_and_thin_zones_are_shallower():
    """Harris 2015: median needle 1.5 mm. Ordering: periorbital < forehead/temple/nose <= perioral/chin <= cheek."""
    caps = zone_caps()
    assert caps[Zone.cheek] == 1.5
    assert caps[Zone.periorbital] < caps[Zone.forehead] < caps[Zone.cheek]
    for z in (Zone.temple, Zone.nose):
        assert caps[Zone.periorbital] < caps[z] <= caps[Zone.perioral]
    assert caps[Zone.perioral] <= caps[Zone.cheek] and caps[Zone.chin] <= caps[Zone.cheek]


@pytest.mark.parametrize("zone", [Zone.forehead, Zone.periorbital])
def test_derived_caps_follow_from_the_thickness_table(zone):
    """cap = 1.5 mm x zone/cheek full thickness (HFUS50MHz2019, F 20-29), floored to the 0.25 mm grid."""
    ratio = full_thickness(zone, "F", 25).mean_mm / full_thickness(Zone.cheek, "F", 25).mean_mm
    assert zone_caps()[zone] == pytest.approx(math.floor(1.5 * ratio / GRID_MM) * GRID_MM)


def test_default_course_is_harris_median():
    assert default_course() == (3, 4.0)


def test_shortest_length_reaching_the_scar_floor_is_chosen():
    """With real depth = 0.5 x length, a 0.4 mm floor needs 0.8 mm; the 0.25 grid gives 1.0 mm."""
    plan = plan_zones(patient([("cheek", 0.4)]), injury_fn=fake_injury(0.5))
    z = plan.zones[0]
    assert z.needle_length_mm == 1.0 and z.reaches_target and z.penetration_depth_mm == pytest.approx(0.5)
    assert plan.sessions == 3 and plan.interval_weeks == 4.0


def test_cap_stops_short_and_says_so():
    plan = plan_zones(patient([("periorbital", 0.9)]), injury_fn=fake_injury(0.5))
    z = plan.zones[0]
    assert z.needle_length_mm == zone_caps()[Zone.periorbital] and z.reaches_target is False
    assert "cap" in z.note


def test_provider_cap_edit_and_course_are_used():
    req = PlanRequest(device="roller", available_lengths_mm=[0.5, 1.0, 2.0], sessions=4, interval_weeks=2,
                      caps_mm={"cheek": 2.0})
    plan = plan_zones(patient([("cheek", 0.9)]), req, injury_fn=fake_injury(0.5))
    assert plan.zones[0].needle_length_mm == 2.0 and plan.zones[0].cap_source == "edited by provider"
    assert (plan.sessions, plan.interval_weeks, plan.device) == (4, 2.0, "roller")


def test_no_length_under_the_cap_is_refused():
    with pytest.raises(InputError, match="available_lengths_mm"):
        plan_zones(patient([("periorbital", 0.2)]), PlanRequest(available_lengths_mm=[2.0]), injury_fn=fake_injury(0.5))


@pytest.mark.parametrize("bad", [{"device": "laser"}, {"available_lengths_mm": [3.5]}, {"sessions": 0},
                                 {"interval_weeks": -1}, {"colour": "red"}])
def test_bad_request_is_refused(bad):
    with pytest.raises(ValueError):
        PlanRequest(**bad)


@settings(max_examples=40, deadline=None)
@given(depth=st.floats(0.05, 2.5), fraction=st.floats(0.2, 1.0), zone=st.sampled_from(list(Zone)))
def test_choice_is_minimal_and_never_exceeds_the_cap(depth, fraction, zone):
    fn = fake_injury(fraction)
    z = plan_zones(patient([(zone.value, depth)]), injury_fn=fn).zones[0]
    assert z.needle_length_mm <= zone_caps()[zone] + 1e-12
    if z.reaches_target:
        shorter = z.needle_length_mm - GRID_MM
        assert shorter <= 0 or fraction * shorter < depth or fraction * shorter <= 0.3


def test_bleeding_endpoint_drives_the_choice_for_shallow_scars():
    """Floor 0.1 mm, real depth 0.5 x length: the floor alone needs 0.25 mm (0.125 > 0.1); the stand-in
    bleeding threshold (0.3 mm) needs 0.75 mm (0.375). Endpoint: uniform pinpoint bleeding (Farber 2020)."""
    p = patient([("cheek", 0.1)])
    assert plan_zones(p, injury_fn=fake_injury(0.5)).zones[0].needle_length_mm == 0.75
    no_bleed = PlanRequest(require_bleeding=False)
    assert plan_zones(p, no_bleed, injury_fn=fake_injury(0.5)).zones[0].needle_length_mm == 0.25


def test_with_the_mechanical_engine_choice_is_minimal_and_capped():
    """The real engine (session_injury): no shorter grid length satisfies the same criteria."""
    from microneedling.mechanics.injury import session_injury

    p = patient([("cheek", 0.4), ("periorbital", 0.2), ("forehead", 0.4)])
    plan = plan_zones(p)
    assert plan.engine.startswith("mechanical")
    for z in plan.zones:
        assert z.needle_length_mm <= z.cap_mm and z.penetration_depth_mm is not None
        if z.reaches_target:
            for shorter in [v for v in DEFAULT_LENGTHS_MM if v < z.needle_length_mm]:
                inj = session_injury(z.zone, "pen", shorter, sex="F", age_years=25.0)
                assert not (inj.reaches_dermis and inj.penetration_depth_mm >= z.target_depth_mm and inj.bleeding)
