"""Named topicals applied after microneedling, with sourced molecular weight and log P (``data/topicals.csv``).

A :class:`Molecule` is what the delivery model needs: molecular weight (Da), log10 octanol/water partition
coefficient (None for proteins and polysaccharides, whose intact-skin route is taken as closed) and Stokes radius
(nm, from MW by :func:`microneedling.delivery.pores.stokes_radius_nm`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from microneedling.citations import cite
from microneedling.errors import InputError

# Donor concentration when none is given: 10 mg/mL (1 % w/v), a stated round default, not a product's label.
DEFAULT_CONCENTRATION_MG_PER_ML = 10.0


@dataclass(frozen=True)
class Molecule:
    """A solute: ``mw_da`` (Da), ``log_p`` (log10 Kow, or None), ``radius_nm`` (Stokes radius)."""

    name: str
    mw_da: float
    log_p: float | None
    radius_nm: float
    sources: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class _Row:
    key: str
    name: str
    mw_da: float
    log_p: float | None
    mw_source: str
    logp_source: str
    note: str


@lru_cache(maxsize=1)
def _rows() -> dict[str, _Row]:
    text = resources.files("microneedling").joinpath("data/topicals.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    out = {}
    for r in csv.DictReader(lines):
        lp = r["log_p"].strip()
        out[r["key"]] = _Row(r["key"], r["name"], float(r["mw_da"]), float(lp) if lp else None,
                             r["mw_source"].strip(), r["logp_source"].strip(), r["note"].strip())
    return out


def _radius_nm(mw_da: float) -> float:
    """Stokes radius (nm) from MW; the pore model (JAX) is imported here so that listing the topicals (the CLI's
    option help) loads no engine."""
    from microneedling.delivery.pores import stokes_radius_nm

    return float(stokes_radius_nm(mw_da))


def topical_keys() -> list[str]:
    """Keys of the named topicals (``ascorbic-acid``, ``egf``, ...)."""
    return list(_rows())


def topical(key: str) -> Molecule:
    """The named topical ``key``; unknown names raise :class:`InputError` listing the known ones."""
    row = _rows().get(key)
    if row is None:
        raise InputError("molecule", key, f"must be one of {topical_keys()}")
    sources = tuple(s for s in (row.mw_source, row.logp_source) if s)
    for s in sources:
        cite(s)
    return Molecule(name=row.name, mw_da=row.mw_da, log_p=row.log_p, radius_nm=_radius_nm(row.mw_da),
                    sources=sources, note=row.note)


def molecule(mw_da: float, log_p: float | None, name: str = "user molecule") -> Molecule:
    """A molecule from given MW (Da) and log P; radius from MW."""
    return Molecule(name=name, mw_da=float(mw_da), log_p=None if log_p is None else float(log_p),
                    radius_nm=_radius_nm(mw_da))
