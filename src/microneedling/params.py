"""Parameter registry: every number a model uses, with unit, plausible range and source.

Parameters are rows of ``data/parameters/*.csv``; each file is one parameter set (one source or one
topic, like PyBaMM's per-paper sets). Columns:

``name``      dotted key whose last part carries the unit (``skin.cheek.epidermis_thickness_um``)
``value``     number in ``unit``
``unit``      one of :func:`microneedling.units.known_units`; must match the name's suffix
``low``/``high``  plausible range; values outside are refused on load
``source``    key in ``data/CITATIONS.bib``
``where``     table / figure / page of the source the value was read from, or how it was derived
``status``    ``published`` (read from the source), ``derived`` (computed from published values; ``where``
              says how) or ``calibrated`` (fitted; ``fitted_to`` names the data)
``fitted_to`` for calibrated rows: the data set the value was fitted to
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from microneedling.citations import bibliography, cite
from microneedling.units import dimension, unit_of

STATUSES = ("published", "derived", "calibrated")
COLUMNS = ("name", "value", "unit", "low", "high", "source", "where", "status", "fitted_to")


@dataclass(frozen=True)
class Parameter:
    """One row of the parameter registry: ``value`` in ``unit`` (refused outside [``low``, ``high``]), the
    ``source`` (a BibTeX key) and ``where`` in it the value was read, its ``status`` (published, secondary,
    derived, calibrated or assumed), what a calibrated value was ``fitted_to``, and its ``parameter_set``
    (the CSV file it comes from)."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    source: str
    where: str
    status: str
    fitted_to: str
    parameter_set: str

    @property
    def calibrated(self) -> bool:
        return self.status == "calibrated"


class ParameterError(ValueError):
    """A parameter file breaks the table's rules (missing source, unit mismatch, out of range)."""


def _parse_row(row: dict[str, str], set_name: str, line: int) -> Parameter:
    where = f"{set_name}.csv line {line}"
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise ParameterError(f"{where}: missing columns {missing}")
    name = row["name"].strip()
    try:
        value, low, high = float(row["value"]), float(row["low"]), float(row["high"])
    except ValueError as exc:
        raise ParameterError(f"{where}: {name}: value/low/high must be numbers ({exc})") from None
    unit = row["unit"].strip()
    dimension(unit)  # raises on unknown unit
    suffix = unit_of(name)
    if suffix is not None and suffix != unit:
        raise ParameterError(f"{where}: {name}: name says {suffix!r} but unit column says {unit!r}")
    if not (low <= value <= high):
        raise ParameterError(f"{where}: {name} = {value} outside its plausible range [{low}, {high}]")
    status = row["status"].strip()
    if status not in STATUSES:
        raise ParameterError(f"{where}: {name}: status {status!r} not in {STATUSES}")
    source = row["source"].strip()
    if status == "calibrated":
        if not row["fitted_to"].strip():
            raise ParameterError(f"{where}: {name}: calibrated parameter must name fitted_to data")
    if not source or source not in bibliography():
        raise ParameterError(f"{where}: {name}: source {source!r} is not a key of CITATIONS.bib")
    if not row["where"].strip():
        raise ParameterError(f"{where}: {name}: 'where' (table/figure or derivation) is empty")
    return Parameter(
        name=name, value=value, unit=unit, low=low, high=high, source=source, where=row["where"].strip(),
        status=status, fitted_to=row["fitted_to"].strip(), parameter_set=set_name,
    )


def load_parameter_file(text: str, set_name: str) -> dict[str, Parameter]:
    """Parse one parameter CSV (``#`` lines are comments)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    out: dict[str, Parameter] = {}
    for i, row in enumerate(csv.DictReader(lines), start=2):
        p = _parse_row(row, set_name, i)
        if p.name in out:
            raise ParameterError(f"{set_name}.csv: duplicate parameter {p.name}")
        out[p.name] = p
    return out


@lru_cache(maxsize=1)
def registry() -> dict[str, Parameter]:
    """All parameters of all sets, by name. Names are unique across sets."""
    folder = resources.files("microneedling").joinpath("data/parameters")
    out: dict[str, Parameter] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".csv"):
            continue
        set_name = entry.name[: -len(".csv")]
        for name, p in load_parameter_file(entry.read_text(encoding="utf-8"), set_name).items():
            if name in out:
                raise ParameterError(f"parameter {name} defined in both {out[name].parameter_set} and {set_name}")
            out[name] = p
    return out


def get_parameter(name: str) -> Parameter:
    """The parameter ``name``; records its source as used by this run."""
    try:
        p = registry()[name]
    except KeyError:
        raise KeyError(f"unknown parameter {name!r}") from None
    cite(p.source)
    return p


def parameter_value(name: str) -> float:
    """The value of parameter ``name`` in the unit its name carries."""
    return get_parameter(name).value


def parameters_under(prefix: str) -> dict[str, Parameter]:
    """All parameters whose name starts with ``prefix`` (records their sources)."""
    found = {k: p for k, p in registry().items() if k.startswith(prefix)}
    for p in found.values():
        cite(p.source)
    return found
