"""Named topicals applied after microneedling, with the molecular weight and log P of ``data/topicals.csv``.

A :class:`Molecule` is what the delivery model needs: molecular weight (Da), log10 octanol/water partition
coefficient (None for proteins and polysaccharides, whose intact-skin route is taken as closed) and Stokes radius
(nm, from MW by :func:`microneedling.delivery.pores.stokes_radius_nm`). Each named topical also says where its two
numbers come from (:mod:`microneedling.delivery.solute_properties`): small molecules' weights are computed from
their formulas; log P is measured (published) where a stored source gave one and marked ``assumed``, with the
reason, where none was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from microneedling.delivery.solute_properties import Provenance, Solute, read_solutes
from microneedling.errors import InputError

# Donor concentration when none is given: 10 mg/mL (1 % w/v), a stated round default, not a product's label.
DEFAULT_CONCENTRATION_MG_PER_ML = 10.0


@dataclass(frozen=True)
class Molecule:
    """A solute: ``mw_da`` (Da), ``log_p`` (log10 Kow, or None), ``radius_nm`` (Stokes radius); for a named topical
    also its ``sources``, the provenance of MW and log P (``mw_provenance``, ``logp_provenance``) and the
    ``formula`` its MW was computed from (blank for a typed MW)."""

    name: str
    mw_da: float
    log_p: float | None
    radius_nm: float
    sources: tuple[str, ...] = ()
    note: str = ""
    mw_provenance: Provenance | None = None
    logp_provenance: Provenance | None = None
    formula: str = ""


@lru_cache(maxsize=1)
def _rows() -> dict[str, Solute]:
    return read_solutes("topicals.csv", "key")


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
    return Molecule(name=row.fields["name"], mw_da=row.mw_da, log_p=row.log_p, radius_nm=_radius_nm(row.mw_da),
                    sources=row.cite(), note=row.fields["note"], mw_provenance=row.mw, logp_provenance=row.logp,
                    formula=row.formula)


def molecule(mw_da: float, log_p: float | None, name: str = "user molecule") -> Molecule:
    """A molecule from given MW (Da) and log P; radius from MW."""
    return Molecule(name=name, mw_da=float(mw_da), log_p=None if log_p is None else float(log_p),
                    radius_nm=_radius_nm(mw_da))
