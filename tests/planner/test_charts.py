"""Face charts: the API contract, the score from the one score model on the chart's aggregated groups,
validation (422), access (other provider 404, assistant allowed), audit, and the chart becoming the scar list
that plans use."""

import pytest
from planner_support import PATIENT

from microneedling.outcomes.goodman_baron import score_scar_groups
from microneedling.planner.face_chart import REGIONS, ChartIn, counts, resolved, scar_groups
from microneedling.tissue.scars import size_class_scar

BOXCAR = {"zone": "cheek", "x": 0.3, "y": 0.55, "type": "boxcar"}


def markers():
    """12 boxcar scars on the cheek (11 of medium size, one measured deep), 2 small rolling scars on the
    forehead, 3 macular marks and 1 hypertrophic papule on the chin."""
    out = [{**BOXCAR, "x": 0.25 + 0.01 * k} for k in range(11)]
    out.append({**BOXCAR, "depth_mm": 0.8, "width_mm": 3.0})
    out += [{"zone": "forehead", "x": 0.5, "y": 0.15, "type": "rolling", "size": "small"}] * 2
    out += [{"zone": "chin", "x": 0.5, "y": 0.88, "type": "macular"}] * 3
    out.append({"zone": "chin", "x": 0.45, "y": 0.87, "type": "hypertrophic", "depth_mm": 1.0})
    return out


@pytest.fixture(scope="module")
def patient(planner):
    r = planner["clients"]["dra"].post("/api/patients", json=PATIENT)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_chart_contract_score_and_counts(planner, patient):
    dra = planner["clients"]["dra"]
    r = dra.put(f"/api/patients/{patient}/chart", json={"markers": markers(), "visit_date": "2026-11-02"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"chart_id", "gb_quantitative", "gb_grade", "counts"}
    assert body["counts"] == {"cheek": {"boxcar": 12}, "forehead": {"rolling": 2},
                              "chin": {"macular": 3, "hypertrophic": 1}}
    # the same score as the score model on the aggregated groups (macular as macular, hypertrophic as papular)
    medium_depth, _ = size_class_scar("boxcar", "medium")
    small_rolling_depth, _ = size_class_scar("rolling", "small")
    expected = score_scar_groups(["boxcar", "boxcar", "rolling"], [11, 1, 2], [medium_depth, 0.8, small_rolling_depth],
                                 macular=3, papular=1)
    assert (body["gb_quantitative"], body["gb_grade"]) == expected
    # 11 shallow boxcar (B2 x2 = 4) + 1 deep boxcar (C1 x1 = 3) + 2 rolling 0.2 mm (B1 x1 = 2) + 3 macular (A1 1)
    # + 1 papular (D1 2) = 12; a deep boxcar that stretching cannot flatten makes grade 4
    assert expected == (12.0, 4)
    assert body["markers"][0]["depth_mm"] == medium_depth and body["markers"][-1]["depth_mm"] is None


def test_chart_replaces_scar_list_and_plan_uses_it(planner, patient):
    dra = planner["clients"]["dra"]
    dra.put(f"/api/patients/{patient}/chart", json={"markers": markers(), "visit_date": "2026-11-02"})
    zones = {z["zone"]: z["scars"] for z in dra.get(f"/api/patients/{patient}").json()["zones"]}
    assert set(zones) == {"cheek", "forehead"}  # macular and hypertrophic marks stay out of the scar list
    assert sorted((g["type"], g["count"], g["depth_mm"]) for g in zones["cheek"]) == [
        ("boxcar", 1, 0.8), ("boxcar", 11, size_class_scar("boxcar", "medium")[0])]
    plan = dra.post(f"/api/patients/{patient}/plans", json={"name": "from chart", "device": "pen",
                                                             "available_lengths_mm": [0.5, 1.0, 1.5, 2.0]})
    assert plan.status_code == 201, plan.text
    assert {z["zone"] for z in plan.json()["zone_plan"]["zones"]} == {"cheek", "forehead"}


def test_history_oldest_first_and_audited(planner, patient):
    dra = planner["clients"]["dra"]
    r = dra.put(f"/api/patients/{patient}/chart", json={"markers": [BOXCAR], "visit_date": "2026-12-01"})
    assert r.status_code == 200
    history = dra.get(f"/api/patients/{patient}/charts").json()
    dates = [c["visit_date"] for c in history]
    assert dates == sorted(dates) and dates[-1] == "2026-12-01"
    assert history[-1]["chart_id"] == r.json()["chart_id"] and history[-1]["counts"] == {"cheek": {"boxcar": 1}}
    with planner["app"].state.sessions() as db:
        from microneedling.planner.services import audit_rows
        entry = next(a for a in audit_rows(db) if a.entity == "chart" and a.entity_id == r.json()["chart_id"])
        assert entry.action == "create" and entry.detail["counts"] == {"cheek": {"boxcar": 1}}
        assert entry.detail["scars_before"]  # the replaced scar list is kept in the audit log


@pytest.mark.parametrize("bad, where", [
    ({"markers": [{**BOXCAR, "x": 1.2}]}, "x"),
    ({"markers": [{**BOXCAR, "y": -0.1}]}, "y"),
    ({"markers": [{**BOXCAR, "zone": "ear"}]}, "zone"),
    ({"markers": [{**BOXCAR, "type": "keloid"}]}, "type"),
    ({"markers": [{**BOXCAR, "depth_mm": 3.5}]}, "depth_mm"),
    ({"markers": [BOXCAR] * 501}, "markers"),
    ({"markers": [{"zone": "chin", "x": 0.5, "y": 0.9, "type": "macular"}]}, "atrophic"),
    ({"markers": [BOXCAR], "extra": 1}, "extra"),
])
def test_bad_charts_are_422_with_a_message_and_store_nothing(planner, patient, bad, where):
    dra = planner["clients"]["dra"]
    before = dra.get(f"/api/patients/{patient}/charts").json()
    r = dra.put(f"/api/patients/{patient}/chart", json=bad)
    assert r.status_code == 422, r.text
    assert where in str(r.json()["detail"])
    assert dra.get(f"/api/patients/{patient}/charts").json() == before


def test_access_other_provider_404_assistant_allowed_csrf_needed(planner, patient):
    c = planner["clients"]
    assert c["drb"].put(f"/api/patients/{patient}/chart", json={"markers": [BOXCAR]}).status_code == 404
    assert c["drb"].get(f"/api/patients/{patient}/charts").status_code == 404
    r = c["asa"].put(f"/api/patients/{patient}/chart", json={"markers": [BOXCAR, BOXCAR]})
    assert r.status_code == 200, r.text
    assert c["asa"].get(f"/api/patients/{patient}/charts").status_code == 200
    no_csrf = c["dra"].http.put(f"/api/patients/{patient}/chart", json={"markers": [BOXCAR]})
    assert no_csrf.status_code == 403


def test_patient_page_shows_chart_section(planner, patient):
    page = planner["clients"]["asa"].get(f"/patients/{patient}")
    assert page.status_code == 200
    assert 'id="chart"' in page.text and 'data-zone="periorbital"' in page.text
    assert '<script src="/static/chart.js"' in page.text and "<script>" not in page.text
    assert "Depth and width used when not measured" in page.text


def test_conversion_groups_alike_markers():
    data = ChartIn.model_validate({"markers": [BOXCAR, BOXCAR, {**BOXCAR, "size": "large"},
                                               {**BOXCAR, "zone": "chin"}]})
    stored = [resolved(m) for m in data.markers]
    groups = scar_groups(stored)
    assert [(g.zone, g.count, g.depth_mm) for g in groups] == [
        ("cheek", 2, size_class_scar("boxcar", "medium")[0]), ("cheek", 1, size_class_scar("boxcar", "large")[0]),
        ("chin", 1, size_class_scar("boxcar", "medium")[0])]
    assert counts(stored) == {"cheek": {"boxcar": 3}, "chin": {"boxcar": 1}}


def test_drawing_regions_cover_every_zone():
    from microneedling.patient import Zone
    assert set(REGIONS.values()) == set(Zone)
