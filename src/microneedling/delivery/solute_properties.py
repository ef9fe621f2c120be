"""Molecular weight and log P of solutes, read from a data table with the provenance of each number.

Two tables hold solutes: ``data/topicals.csv`` (the named topicals of the delivery model) and
``data/permeability_stevens2024.csv`` (the Potts-Guy check against measured permeability). Each row gives:

``formula``   molecular formula; when given, the molecular weight is computed from it
              (:func:`microneedling.delivery.molar_mass.molar_mass_da`, status ``derived``) and ``mw_da`` stays blank
``mw_da``     molecular weight (Da) of solutes without a usable formula (proteins, polysaccharide fractions)
``mw_status``, ``mw_source``, ``mw_where``        provenance of the molecular weight
``log_p``     log10 octanol/water partition coefficient; blank where none applies (proteins, polysaccharides)
``logp_status``, ``logp_source``, ``logp_where``  provenance of log P (all blank when log P is blank)

Statuses are the registry's five (:data:`microneedling.params.STATUSES`) under the registry's rules
(``published`` names the table, figure or abstract; ``secondary`` names the work it was read in, a key of the
bibliography; ``assumed`` gives the reason), checked on load. A property may not rest on a web page, Wikipedia,
a calculator, a product page or a trade article at all (:data:`microneedling.citations.UNRELIABLE_KINDS`), not
even as ``assumed``: an assumed value with no true source cites nothing and says why in ``where``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources

from microneedling.citations import UNRELIABLE_KINDS, bibliography, cite, kind
from microneedling.delivery.molar_mass import ATOMIC_WEIGHTS_SOURCE, molar_mass_da
from microneedling.errors import InputError
from microneedling.params import (
    STATUSES,
    ParameterError,
    check_status,
    code_paths,
    data_lines,
    secondary_keys,
)

MW_FUNCTION = "microneedling.delivery.molar_mass.molar_mass_da"


@dataclass(frozen=True)
class Provenance:
    """Where a property's value comes from: ``status`` (one of the five), ``source`` (bibliography key, or blank
    for an assumed value resting on no source) and ``where`` (location in the source, computation or reason)."""

    status: str
    source: str
    where: str

    def summary(self) -> str:
        """One line for reports: ``published (Key: Table 1)``, ``assumed: reason``."""
        if self.status == "assumed":
            return f"assumed: {self.where}"
        return f"{self.status} ({self.source}: {self.where})" if self.source else f"{self.status} ({self.where})"


@dataclass(frozen=True)
class Solute:
    """One row: ``mw_da`` (Da), ``log_p`` (None where not applicable), the ``formula`` it was computed from (blank
    if typed), and the provenance of both numbers. ``fields`` keeps the row's other columns."""

    key: str
    formula: str
    mw_da: float
    mw: Provenance
    log_p: float | None
    logp: Provenance | None
    fields: dict[str, str]

    def sources(self) -> tuple[str, ...]:
        """Bibliography keys the two properties rest on (for a secondary value, the primary and the work it was
        read in), in order, without blanks or repeats."""
        keys: list[str] = []
        for p in (self.mw, self.logp):
            if p is not None:
                keys += [p.source] + (secondary_keys(p.where, p.source) if p.status == "secondary" else [])
        return tuple(dict.fromkeys(k for k in keys if k))

    def cite(self) -> tuple[str, ...]:
        """Record the sources as used by this run (:func:`microneedling.citations.cite`); returns them."""
        for k in self.sources():
            cite(k)
        return self.sources()


def check_provenance(name: str, status: str, source: str, where: str, at: str) -> Provenance:
    """The registry's status rules (:func:`microneedling.params.check_status`, no ``fitted_to``: nothing here is
    fitted), plus: a non-assumed value names a source; any source is in the bibliography and is not a web page,
    Wikipedia, calculator, product page or trade article; a ``derived`` value names the code that computes it."""
    if status not in STATUSES:
        raise ParameterError(f"{at}: {name}: status {status!r} not in {STATUSES}")
    if status != "assumed" and not source:
        raise ParameterError(f"{at}: {name}: a {status or 'blank'} status needs a source (only assumed values may "
                             "rest on none)")
    if source and source not in bibliography():
        raise ParameterError(f"{at}: {name}: source {source!r} is not in CITATIONS.bib")
    if source and kind(source) in UNRELIABLE_KINDS:
        raise ParameterError(f"{at}: {name}: source {source!r} is a {kind(source)} entry; a solute property may "
                             "not rest on it, not even as assumed")
    if status == "derived" and not code_paths(where):
        raise ParameterError(f"{at}: {name}: derived value must name the code that computes it in 'where' "
                             "(microneedling.module.function)")
    check_status(name, status, source, where, "", at)
    return Provenance(status, source, where)


def _molecular_weight(row: dict[str, str], name: str, at: str) -> tuple[str, float, Provenance]:
    formula, typed = row.get("formula", "").strip(), row.get("mw_da", "").strip()
    prov = check_provenance(f"{name} mw_da", row["mw_status"].strip(), row["mw_source"].strip(),
                            row["mw_where"].strip(), at)
    if formula:
        if typed:
            raise ParameterError(f"{at}: {name}: give the formula or mw_da, not both (the formula's mass is computed)")
        if prov.status != "derived" or prov.source != ATOMIC_WEIGHTS_SOURCE or MW_FUNCTION not in prov.where:
            raise ParameterError(f"{at}: {name}: a molecular weight from a formula is derived, source "
                                 f"{ATOMIC_WEIGHTS_SOURCE}, computed by {MW_FUNCTION} (say so in mw_where)")
        try:
            return formula, molar_mass_da(formula), prov
        except InputError as exc:
            raise ParameterError(f"{at}: {name}: {exc}") from exc
    if not typed:
        raise ParameterError(f"{at}: {name}: needs a formula or mw_da")
    if prov.status == "derived":
        raise ParameterError(f"{at}: {name}: a typed mw_da is not derived; give the formula instead")
    mw = float(typed)
    if not (math.isfinite(mw) and mw > 0):
        raise ParameterError(f"{at}: {name}: mw_da must be a positive number, got {typed!r}")
    return "", mw, prov


def _log_p(row: dict[str, str], name: str, at: str) -> tuple[float | None, Provenance | None]:
    value = row["log_p"].strip()
    cols = {c: row[c].strip() for c in ("logp_status", "logp_source", "logp_where")}
    if not value:
        if any(cols.values()):
            raise ParameterError(f"{at}: {name}: provenance given for a blank log P")
        return None, None
    prov = check_provenance(f"{name} log_p", cols["logp_status"], cols["logp_source"], cols["logp_where"], at)
    lp = float(value)
    if not math.isfinite(lp):
        raise ParameterError(f"{at}: {name}: log_p must be a finite number, got {value!r}")
    return lp, prov


def parse_solutes(text: str, table: str, key_column: str) -> dict[str, Solute]:
    """Solutes of a CSV ``text`` (lines starting with ``#`` are comments), keyed by ``key_column``; every row is
    checked as described in the module docstring and a broken one raises :class:`ParameterError`."""
    lines = data_lines(text)
    reader = csv.DictReader([ln for _, ln in lines])
    needed = {key_column, "formula", "mw_da", "mw_status", "mw_source", "mw_where", "log_p", "logp_status",
              "logp_source", "logp_where"}
    missing = needed - set(reader.fieldnames or ())
    if missing:
        raise ParameterError(f"{table}: missing columns {sorted(missing)}")
    out: dict[str, Solute] = {}
    for (line, _), row in zip(lines[1:], reader, strict=True):
        at = f"{table} line {line}"
        name = row[key_column].strip()
        if name in out:
            raise ParameterError(f"{at}: duplicate {key_column} {name!r}")
        formula, mw, mw_prov = _molecular_weight(row, name, at)
        lp, lp_prov = _log_p(row, name, at)
        out[name] = Solute(name, formula, mw, mw_prov, lp, lp_prov, {k: (v or "").strip() for k, v in row.items()})
    return out


def read_solutes(table: str, key_column: str) -> dict[str, Solute]:
    """The solutes of the shipped data file ``data/<table>`` (see :func:`parse_solutes`)."""
    text = resources.files("microneedling").joinpath(f"data/{table}").read_text(encoding="utf-8")
    return parse_solutes(text, table, key_column)

