"""Report sections: each module turns one engine's results on the demo patients into a report section.

A section builder takes a :class:`DemoContext` and returns a :class:`microneedling.report.html.Section`, storing
its numbers in ``ctx.results[<name>]`` for results.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from microneedling.patient import Patient


@dataclass
class DemoContext:
    patients: list[Patient]
    results: dict[str, Any] = field(default_factory=dict)
