"""The demo pipeline: built-in sample patients through every engine stage that exists, to one report."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from microneedling import __version__
from microneedling.citations import format_references, reset_citations
from microneedling.patient import load_patients
from microneedling.report.encoding import to_json
from microneedling.report.html import Section, render_html, write_outputs
from microneedling.report.sections import DemoContext
from microneedling.report.sections import course as course_section
from microneedling.report.sections import delivery as delivery_section
from microneedling.report.sections import injury as injury_section
from microneedling.report.sections import planner as planner_section
from microneedling.report.sections import sensitivity as sensitivity_section
from microneedling.report.sections import skin as skin_section
from microneedling.report.sections import spatial as spatial_section
from microneedling.report.sections import trial as trial_section

# (name, builder) in report order; each engine adds its section here.
SECTIONS: list[tuple[str, Callable[[DemoContext], Section]]] = [
    ("skin", skin_section.build),
    ("injury", injury_section.build),
    ("delivery", delivery_section.build),
    ("course", course_section.build),
    ("spatial", spatial_section.build),
    ("trial", trial_section.build),
    ("sensitivity", sensitivity_section.build),
    ("planner", planner_section.build),
]


def sample_patients_path() -> Path:
    """Path of the built-in sample patients (examples/patients.yaml, shipped in the package data)."""
    return Path(str(resources.files("microneedling").joinpath("data/examples/patients.yaml")))


def run_demo(out_dir: str | Path, patients_file: str | Path | None = None,
             on_step: Callable[[str], None] | None = None) -> dict:
    """Run every section on the sample patients; write report.html and results.json into ``out_dir``."""
    reset_citations()
    patients = load_patients(patients_file or sample_patients_path())
    ctx = DemoContext(patients=patients)
    sections = []
    for name, build in SECTIONS:
        if on_step:
            on_step(name)
        sections.append(build(ctx))
    references = format_references()
    results = {"version": __version__, "patients": [p.id for p in patients], "sections": ctx.results,
               "references": references}
    html = render_html("microneedling demo report", sections, references)
    write_outputs(out_dir, {"report.html": html, "results.json": to_json(results)})
    return results
