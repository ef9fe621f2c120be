"""Reports: self-contained HTML (:mod:`~microneedling.report.html`), JSON text
(:mod:`~microneedling.report.encoding`), the demo on the built-in sample patients (:mod:`~microneedling.report.demo`)
and its sections (:mod:`~microneedling.report.sections`, which call the pipeline and format; they hold no science).

Names are imported on first use: ``import microneedling.report`` loads neither matplotlib nor an engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microneedling.lazy import lazy_exports

_MODULES = {
    "demo": ("run_demo", "sample_patients_path"),
    "encoding": ("to_json",),
    "html": ("Section", "figure_to_data_uri", "render_html", "write_outputs"),
}
_API = {name: (f"microneedling.report.{module}", name) for module, names in _MODULES.items() for name in names}
__all__ = sorted(_API)
__getattr__ = lazy_exports(__name__, _API)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # static tools (type checkers, the API reference) see the same names
    from microneedling.report.demo import run_demo, sample_patients_path
    from microneedling.report.encoding import to_json
    from microneedling.report.html import Section, figure_to_data_uri, render_html, write_outputs
