"""Plain labels on pages: Yes/No instead of True/False, numbers without a spurious ".0", units kept."""

from __future__ import annotations

import re

from planner_support import PATIENT

from microneedling.planner.labels import num, value_word, yes_no


def test_filters():
    assert [yes_no(True), yes_no(False), yes_no(None)] == ["Yes", "No", "-"]
    assert [num(3.0), num(0.75, "mm"), num(1.23456, "mm"), num(None), num(12)] == ["3", "0.75 mm", "1.23 mm", "-",
                                                                                   "12"]


def test_stored_values_in_words():
    assert [value_word(v) for v in ("no_show", "oblique_left", "cancelled")] == ["no-show", "oblique left",
                                                                                 "cancelled"]


def test_plan_table_says_yes_or_no(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "L-1"}).json()["id"]
    plan_id = dra.post(f"/api/patients/{pid}/plans", json={"name": "Labels"}).json()["id"]
    for url in (f"/plans/{plan_id}", f"/plans/{plan_id}/print"):
        html = dra.get(url).text
        table = html[html.index('class="zone-plan'):html.index("</table>", html.index('class="zone-plan'))]
        assert "True" not in table and "False" not in table, url
        assert re.search(r"<td[^>]*>(Yes|No)</td>", table), url
        assert not re.search(r">\d+\.0<", table), url


def test_assistants_are_assigned_to_a_provider_by_name(planner):
    html = planner["clients"]["admin"].get("/admin/users").text
    form = html[html.index('action="/admin/users"'):]
    assert '<select name="provider_id">' in form and '>dra</option>' in form and 'type="number"' not in form
    assert '<td data-label="Provider">dra</td>' in html  # asa's provider column names dra


def test_references_are_clean_citations():
    from microneedling.planner.labels import citation

    stored = ("Alam, M. and Han, S. and Pongprutthipan, M. and Disphanurat, W. (2014). Efficacy of a needling device "
              "for the treatment of acne scars. JAMA Dermatology 150:844-849. doi:10.1/x [read Table 2; n=20]")
    assert citation(stored) == ("Alam, M.; Han, S.; Pongprutthipan, M. et al. (2014). Efficacy of a needling device "
                                "for the treatment of acne scars. JAMA Dermatology 150:844-849. doi:10.1/x")
    assert citation("{Some Institute} (2020). A title. A journal. [abstract only]") == (
        "Some Institute (2020). A title. A journal.")


def test_plan_page_references_carry_no_reading_notes(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "L-2"}).json()["id"]
    plan = dra.post(f"/api/patients/{pid}/plans", json={"name": "Refs"}).json()
    assert any(r.rstrip().endswith("]") for r in plan["references"])  # stored with the bibliography's notes
    html = dra.get(f"/plans/{plan['id']}").text
    refs = html[html.index('<ol class="refs">'):html.index("</ol>", html.index('<ol class="refs">'))]
    assert refs.count("<li>") == len(plan["references"]) and "]</li>" not in refs
