"""Parameter registry: every number a model uses, with unit, plausible range and source.

Parameters are rows of ``data/parameters/*.csv``; each file is one parameter set (one source or one
topic, like PyBaMM's per-paper sets). Columns:

``name``      dotted key whose last part carries the unit (``skin.cheek.epidermis_thickness_um``)
``value``     number in ``unit``
``unit``      one of :func:`microneedling.units.known_units`; must match the name's suffix
``low``/``high``  plausible range; values outside are refused on load
``source``    key in ``data/CITATIONS.bib`` (for a ``secondary`` row, the primary's key)
``where``     where in the source the value was read, how it was computed, or why it was set
``status``    one of :data:`STATUSES`, checked on load:

              * ``published``: read in the primary source; ``where`` names the table, figure, equation, section
                or abstract sentence.
              * ``secondary``: read in a source citing the primary; ``source`` keeps the primary's key and
                ``where`` names the secondary's key (which must be in the bibliography).
              * ``derived``: computed from other rows, named in ``where`` by their full names, or computed by a
                function of this package named in ``where`` (``microneedling.module.function``).
              * ``calibrated``: fitted by code in this package, named in ``where`` (``microneedling.module.function``
                or the ``microneedling calibrate`` command), to the data named in ``fitted_to``.
              * ``assumed``: set by hand; ``where`` gives the reason.

              A row whose source is a web page, Wikipedia, a calculator, a product page or a trade article
              (:data:`microneedling.citations.UNRELIABLE_KINDS`) must be ``assumed``.
``fitted_to`` for calibrated rows only: the data set the value was fitted to
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from microneedling.citations import UNRELIABLE_KINDS, bibliography, cite, kind

STATUSES = ("published", "secondary", "derived", "calibrated", "assumed")
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
    """A parameter file breaks the table's rules (missing source, unit mismatch, out of range, untrue status)."""


# where a published value was read: a table, figure, equation, section or the abstract of the source
_LOCATION = re.compile(r"\b(table|fig|figure|equation|abstract|section|sec|results|methods|introduction|instrument|page)\b",
                       re.I)
# a function of this package (``microneedling.calibration.scar_fill.fit_scar_fill``) or the calibrate command
_CODE = re.compile(r"\bmicroneedling(?:\.[A-Za-z_]\w*)+")
_CALIBRATE_COMMAND = re.compile(r"\bmicroneedling calibrate\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_ROW_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?")


def code_paths(where: str) -> list[str]:
    """The functions of this package a ``where`` text names (``microneedling.module.function``)."""
    return _CODE.findall(where)


def secondary_keys(where: str, source: str) -> list[str]:
    """Bibliography keys other than ``source`` that a ``where`` text names (the secondaries of a row)."""
    bib = bibliography()
    return list(dict.fromkeys(w for w in _WORD.findall(where) if w != source and w in bib))


def rows_named(where: str, names: Iterable[str], own: str = "") -> list[str]:
    """Parameter names from ``names`` (other than ``own``) that a ``where`` text names in full."""
    known = set(names) - {own}
    return list(dict.fromkeys(tok for tok in _ROW_NAME.findall(where) if tok in known))


def check_status(name: str, status: str, source: str, where: str, fitted_to: str, at: str) -> None:
    """The rules a row's status must meet on its own (the ``derived`` rule needs the whole registry)."""
    if status not in STATUSES:
        raise ParameterError(f"{at}: {name}: status {status!r} not in {STATUSES}")
    if status == "calibrated":
        if not fitted_to:
            raise ParameterError(f"{at}: {name}: calibrated parameter must name fitted_to data")
        if not (code_paths(where) or _CALIBRATE_COMMAND.search(where)):
            raise ParameterError(f"{at}: {name}: calibrated parameter must name the code that fits it in 'where' "
                                 "(microneedling.module.function or microneedling calibrate)")
    elif fitted_to:
        raise ParameterError(f"{at}: {name}: fitted_to is only for calibrated rows (status {status!r})")
    if status == "published" and not _LOCATION.search(where):
        raise ParameterError(f"{at}: {name}: published parameter must name the table, figure, equation, section or "
                             "abstract it was read in ('where')")
    if status == "secondary":
        keys = secondary_keys(where, source)
        if not keys:
            raise ParameterError(f"{at}: {name}: secondary parameter must name the secondary source it was read in "
                                 "('where', a key of CITATIONS.bib other than the primary in 'source')")
        if all(kind(k) in UNRELIABLE_KINDS for k in keys):
            raise ParameterError(f"{at}: {name}: secondary source {keys} is a {kind(keys[0])} entry; no parameter "
                                 "may rest on it unless assumed")
    if status != "assumed" and kind(source) in UNRELIABLE_KINDS:
        raise ParameterError(f"{at}: {name}: source {source!r} is a {kind(source)} entry; a parameter resting on it "
                             "must be assumed")


def _parse_row(row: dict[str, str], set_name: str, line: int) -> Parameter:
    # imported here: microneedling.units also defines pydantic input types, and the command line's help reads
    # STATUSES from this module without loading pydantic
    from microneedling.units import dimension, unit_of

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
    source = row["source"].strip()
    if not source or source not in bibliography():
        raise ParameterError(f"{where}: {name}: source {source!r} is not a key of CITATIONS.bib")
    if not row["where"].strip():
        raise ParameterError(f"{where}: {name}: 'where' (table/figure or derivation) is empty")
    check_status(name, status, source, row["where"].strip(), row["fitted_to"].strip(), where)
    return Parameter(
        name=name, value=value, unit=unit, low=low, high=high, source=source, where=row["where"].strip(),
        status=status, fitted_to=row["fitted_to"].strip(), parameter_set=set_name,
    )


def data_lines(text: str) -> list[tuple[int, str]]:
    """The lines of a data CSV that are neither blank nor ``#`` comments, with their line numbers in the file."""
    return [(i, ln) for i, ln in enumerate(text.splitlines(), start=1) if ln.strip() and not ln.lstrip().startswith("#")]


def load_parameter_file(text: str, set_name: str) -> dict[str, Parameter]:
    """Parse one parameter CSV (``#`` lines are comments)."""
    lines = data_lines(text)
    out: dict[str, Parameter] = {}
    for (i, _), row in zip(lines[1:], csv.DictReader([ln for _, ln in lines]), strict=True):
        p = _parse_row(row, set_name, i)
        if p.name in out:
            raise ParameterError(f"{set_name}.csv: duplicate parameter {p.name}")
        out[p.name] = p
    return out


def check_derivations(params: dict[str, Parameter]) -> None:
    """Every ``derived`` row names, in ``where``, another row of ``params`` or a function of this package."""
    for p in params.values():
        if p.status == "derived" and not (rows_named(p.where, params, own=p.name) or code_paths(p.where)):
            raise ParameterError(f"{p.parameter_set}.csv: {p.name}: derived parameter must name the rows it is "
                                 "computed from (full names) or the microneedling function computing it in 'where'")


def load_parameter_folder(folder: Traversable | Path) -> dict[str, Parameter]:
    """All parameter sets (``*.csv``) of ``folder``, by name, checked as a whole (names unique across sets,
    derived rows naming what they are computed from)."""
    out: dict[str, Parameter] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".csv"):
            continue
        set_name = entry.name[: -len(".csv")]
        for name, p in load_parameter_file(entry.read_text(encoding="utf-8"), set_name).items():
            if name in out:
                raise ParameterError(f"parameter {name} defined in both {out[name].parameter_set} and {set_name}")
            out[name] = p
    check_derivations(out)
    return out


@lru_cache(maxsize=1)
def registry() -> dict[str, Parameter]:
    """All parameters of all sets, by name. Names are unique across sets."""
    return load_parameter_folder(resources.files("microneedling").joinpath("data/parameters"))


def status_counts(params: Iterable[Parameter] | None = None) -> dict[str, int]:
    """How many of ``params`` (default: the whole registry) have each status, in :data:`STATUSES` order."""
    counts = Counter(p.status for p in (registry().values() if params is None else params))
    return {s: counts.get(s, 0) for s in STATUSES}


def format_status_counts(counts: dict[str, int]) -> str:
    """``published 120, secondary 4, derived 60, calibrated 20, assumed 46``."""
    return ", ".join(f"{s} {n}" for s, n in counts.items())


_OVERRIDES: ContextVar[Mapping[str, object] | None] = ContextVar("parameter_overrides", default=None)
_READS: ContextVar[set[str] | None] = ContextVar("parameter_reads", default=None)


@contextmanager
def overridden(values: Mapping[str, object]) -> Iterator[None]:
    """Within the block, :func:`get_parameter` and :func:`parameter_value` give ``values[name]`` as the value of
    each parameter named in ``values`` (a number, or a JAX array or tracer, so a function of the model can be
    traced with parameters as inputs: :mod:`microneedling.sensitivity`). Nested blocks stack; the registry
    itself is unchanged. Values cached before the block (``lru_cache`` of a caller) are not refreshed, so a
    caller evaluating under overrides must not go through such caches."""
    unknown = sorted(set(values) - set(registry()))
    if unknown:
        raise KeyError(f"unknown parameters {unknown}")
    token = _OVERRIDES.set({**(_OVERRIDES.get() or {}), **values})
    try:
        yield
    finally:
        _OVERRIDES.reset(token)


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """Yields a set that collects the name of every parameter read (:func:`get_parameter`) within the block."""
    names: set[str] = set()
    token = _READS.set(names)
    try:
        yield names
    finally:
        _READS.reset(token)


def get_parameter(name: str) -> Parameter:
    """The parameter ``name``; records its source as used by this run. Within :func:`overridden`, the row with
    the overriding value."""
    try:
        p = registry()[name]
    except KeyError:
        raise KeyError(f"unknown parameter {name!r}") from None
    cite(p.source)
    reads = _READS.get()
    if reads is not None:
        reads.add(name)
    overrides = _OVERRIDES.get()
    if overrides and name in overrides:
        return replace(p, value=overrides[name])  # type: ignore[arg-type]
    return p


def parameter_value(name: str) -> float:
    """The value of parameter ``name`` in the unit its name carries."""
    return get_parameter(name).value


def parameters_under(prefix: str) -> dict[str, Parameter]:
    """All parameters whose name starts with ``prefix`` (records their sources; overridden values within
    :func:`overridden`)."""
    return {k: get_parameter(k) for k in registry() if k.startswith(prefix)}
