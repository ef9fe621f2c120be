"""Solute molecular weights from formulas (IUPAC standard atomic weights) and the provenance rules of the solute
tables (``data/topicals.csv``, ``data/permeability_stevens2024.csv``)."""

from __future__ import annotations

import math

import pytest

from microneedling.delivery.molar_mass import ATOMIC_WEIGHTS_SOURCE, element_counts, molar_mass_da
from microneedling.delivery.solute_properties import MW_FUNCTION, parse_solutes, read_solutes
from microneedling.delivery.topicals import topical
from microneedling.errors import InputError
from microneedling.params import ParameterError

HEADER = "key,formula,mw_da,mw_status,mw_source,mw_where,log_p,logp_status,logp_source,logp_where\n"
DERIVED = f"derived,{ATOMIC_WEIGHTS_SOURCE},computed by {MW_FUNCTION}"


@pytest.mark.parametrize(("formula", "expected"), [
    ("H2O", 18.015), ("C2H6O", 46.069), ("CH4O", 32.042), ("C8H10N4O2", 194.19), ("C6H8O6", 176.12),
    ("C6H6N2O", 122.12), ("C8H15NO2", 157.21), ("C13H18O2", 206.28), ("NaCl", 58.44),
])
def test_molar_mass_from_the_formula(formula, expected):
    """Known molar masses within 0.01 Da (water 18.015, ethanol 46.069, ...)."""
    assert math.isclose(molar_mass_da(formula), expected, abs_tol=0.01)


def test_element_counts_add_repeated_symbols():
    assert element_counts("CH3CH2OH") == {"C": 2, "H": 6, "O": 1}
    assert molar_mass_da("CH3CH2OH") == pytest.approx(molar_mass_da("C2H6O"), abs=1e-12)


@pytest.mark.parametrize("formula", ["", "  ", "Xx2", "Ca(OH)2", "C2H6O+", "C0H4", "c2h6o", "C2 H6 O", "H2O.H2O"])
def test_a_formula_it_cannot_read_is_refused(formula):
    with pytest.raises(InputError, match="formula"):
        molar_mass_da(formula)


def test_small_molecules_carry_formulas_and_derived_weights():
    """Every solute with a formula has its weight computed from it and marked derived; the others give a weight
    with a true status."""
    for table, key in (("topicals.csv", "key"), ("permeability_stevens2024.csv", "compound")):
        for s in read_solutes(table, key).values():
            if s.formula:
                assert s.mw.status == "derived" and s.mw_da == molar_mass_da(s.formula)
            else:
                assert s.mw.status in ("published", "secondary", "assumed") and s.mw.source


def test_named_topicals_say_where_log_p_comes_from():
    """Niacinamide's log P is the measured shake-flask value; the XLogP3 (computed) values are marked assumed with
    the reason; proteins have none."""
    nia = topical("niacinamide")
    assert nia.logp_provenance.status == "published" and nia.log_p == pytest.approx(math.log10(0.42), abs=0.005)
    for key in ("ascorbic-acid", "tranexamic-acid"):
        p = topical(key).logp_provenance
        assert p.status == "assumed" and "XLogP3" in p.where and not p.source
    egf = topical("egf")
    assert egf.log_p is None and egf.logp_provenance is None and egf.mw_provenance.status == "published"


def _row(*cells: str) -> str:
    return ",".join(cells) + "\n"


def test_rules_on_a_made_up_table():
    ok = _row("a", "C2H6O", "", DERIVED, "1.0", "published", "Scheytt2005", "abstract")
    assert parse_solutes(HEADER + ok, "t", "key")["a"].mw_da == pytest.approx(46.07, abs=0.01)
    bad = {
        "formula and a typed weight": _row("a", "C2H6O", "46.07", DERIVED, "", "", "", ""),
        "typed weight called derived": _row("a", "", "46.07", DERIVED, "", "", "", ""),
        "no formula, no weight": _row("a", "", "", "published", "Scheytt2005", "abstract", "", "", "", ""),
        "published without a source": _row("a", "C2H6O", "", DERIVED, "1.0", "published", "", "Table 1"),
        "source not in the bibliography": _row("a", "C2H6O", "", DERIVED, "1.0", "published", "Nobody2020", "Table 1"),
        "secondary naming no secondary": _row("a", "C2H6O", "", DERIVED, "1.0", "secondary", "PCMCP", "a review"),
        "calibrated with no fitting code": _row("a", "C2H6O", "", DERIVED, "1.0", "calibrated", "Scheytt2005", "fit"),
        "unknown status": _row("a", "C2H6O", "", DERIVED, "1.0", "estimated", "Scheytt2005", "abstract"),
        "provenance for a blank log P": _row("a", "C2H6O", "", DERIVED, "", "assumed", "", "why"),
        "web page even when assumed": _row("a", "C2H6O", "", DERIVED, "1.0", "assumed", "BraunDermoscopedia", "page"),
        "trade article even when assumed": _row("a", "C2H6O", "", DERIVED, "1.0", "assumed", "Wilson2012Dermapen",
                                                "article"),
    }
    for why, row in bad.items():
        with pytest.raises(ParameterError):
            parse_solutes(HEADER + row, "t", "key")
            pytest.fail(why)
