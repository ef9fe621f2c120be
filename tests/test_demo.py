"""The demo: sample patients -> report.html (self-contained) + results.json; bad input writes nothing."""

import json

from microneedling.report.demo import SECTIONS


def test_demo_writes_self_contained_report(run_cli, tmp_path):
    out = tmp_path / "out"
    r = run_cli("demo", "--out", str(out))
    assert r.code == 0, r.err
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html
    assert "<script src=" not in html and "<link " not in html  # nothing fetched from elsewhere
    assert "References" in html
    results = json.loads((out / "results.json").read_text())
    assert set(results["sections"]) == {name for name, _ in SECTIONS}
    assert results["references"], "a report must list the sources its numbers came from"
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_demo_with_bad_patients_file_exits_2_and_writes_nothing(run_cli, tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("patients:\n  - {id: X, age_years: 30, sex: F, fitzpatrick: VII, zones: []}\n")
    out = tmp_path / "out"
    r = run_cli("demo", "--out", str(out), "--patients", str(bad))
    assert r.code == 2
    assert len(r.err.strip().splitlines()) == 1 and "fitzpatrick" in r.err
    assert not out.exists() or not any(out.iterdir())


def test_demo_with_missing_patients_file_exits_2(run_cli, tmp_path):
    r = run_cli("demo", "--out", str(tmp_path / "o"), "--patients", str(tmp_path / "missing.yaml"))
    assert r.code == 2 and "patients_file" in r.err
