"""Reports: self-contained HTML and JSON (:mod:`~microneedling.report.html`), the demo on the built-in
sample patients (:mod:`~microneedling.report.demo`) and its sections (:mod:`~microneedling.report.sections`,
which call the pipeline and format; they hold no science).
"""

from microneedling.report.demo import (
    run_demo,
    sample_patients_path,
)
from microneedling.report.html import (
    Section,
    figure_to_data_uri,
    render_html,
    to_json,
    write_outputs,
)

__all__ = [
    "Section",
    "figure_to_data_uri",
    "render_html",
    "run_demo",
    "sample_patients_path",
    "to_json",
    "write_outputs",
]
