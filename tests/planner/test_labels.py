"""Plain labels on pages: Yes/No instead of True/False, numbers without a spurious ".0", units kept."""

from __future__ import annotations

import re

from planner_support import PATIENT

from microneedling.planner.labels import num, yes_no


def test_filters():
    assert [yes_no(True), yes_no(False), yes_no(None)] == ["Yes", "No", "-"]
    assert [num(3.0), num(0.75, "mm"), num(1.23456, "mm"), num(None), num(12)] == ["3", "0.75 mm", "1.23 mm", "-",
                                                                                   "12"]


def test_plan_table_says_yes_or_no(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "L-1"}).json()["id"]
    plan_id = dra.post(f"/api/patients/{pid}/plans", json={"name": "Labels"}).json()["id"]
    for url in (f"/plans/{plan_id}", f"/plans/{plan_id}/print"):
        html = dra.get(url).text
        table = html[html.index('class="zone-plan"'):html.index("</table>", html.index('class="zone-plan"'))]
        assert "True" not in table and "False" not in table, url
        assert re.search(r"<td>(Yes|No)</td>", table), url
        assert not re.search(r">\d+\.0<", table), url
