"""Provenance honesty: every parameter's status is one of five and is true of its row.

published: read in the primary source, ``where`` names the table/figure/abstract; secondary: read in a source
citing the primary, ``where`` names that secondary (a bibliography key); derived: computed from rows (or by a
function of this package) that ``where`` names; calibrated: fitted by code of this package named in ``where``, to
the data in ``fitted_to``; assumed: set by hand, ``where`` says why. No row may rest on a web page, Wikipedia, a
calculator, a product page or a trade article unless it is assumed. Each rule is checked on a doctored row.
"""

from __future__ import annotations

import importlib
import json

import pytest

from microneedling.citations import KINDS, UNRELIABLE_KINDS, bibliography, kind
from microneedling.params import (
    STATUSES,
    ParameterError,
    code_paths,
    load_parameter_file,
    load_parameter_folder,
    registry,
    secondary_keys,
    status_counts,
)

HEADER = "name,value,unit,low,high,source,where,status,fitted_to\n"


def _row(status, where="Table 1", source="Davis2004", fitted_to="", name="a.depth_mm"):
    return f'{name},1,mm,0,2,{source},"{where}",{status},{fitted_to}\n'


def _load(*rows):
    return load_parameter_file(HEADER + "".join(rows), "t")


def _resolve(path: str):
    """Import ``microneedling.a.b.c`` as module ``microneedling.a.b`` attribute ``c`` (or deeper)."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


# --- the registry as shipped ---------------------------------------------------------------------------------

def test_every_status_is_one_of_five():
    assert STATUSES == ("published", "secondary", "derived", "calibrated", "assumed")
    assert {p.status for p in registry().values()} <= set(STATUSES)
    assert sum(status_counts().values()) == len(registry())


def test_no_row_rests_on_a_web_wikipedia_calculator_product_or_trade_source():
    for p in registry().values():
        if kind(p.source) in UNRELIABLE_KINDS:
            assert p.status == "assumed", p.name


NO_MODEL_SOURCE_KINDS = ("web", "wikipedia", "calculator", "product")


def _rows_on_pages(params) -> dict[str, str]:
    """Rows (name: source key) whose source is a clinic or other web page, Wikipedia, a calculator or a product
    page."""
    return {p.name: p.source for p in params.values() if kind(p.source) in NO_MODEL_SOURCE_KINDS}


def test_no_parameter_rests_on_a_clinic_page_wikipedia_calculator_or_product_page():
    """Clinic pages, Wikipedia, calculators and product pages never source a model parameter, not even an assumed
    one (an assumed row cites nothing of the kind, or a peer-reviewed paper it was set against). Candidacy rules
    (clinical practice, not parameters) may cite clinic pages."""
    assert _rows_on_pages(registry()) == {}


def test_a_row_citing_a_web_page_is_found(tmp_path):
    """The check above fails on a doctored copy of the shipped rows: one assumed row set back to a web source."""
    from importlib import resources

    src = resources.files("microneedling").joinpath("data/parameters")
    for entry in src.iterdir():
        if entry.name.endswith(".csv"):
            (tmp_path / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    f = tmp_path / "modalities.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("co2.mtz_radius_um,"))
    lines[i] = 'co2.mtz_radius_um,132.0,um,20.0,500.0,AlexisDermpearls2012,"set by hand from a web page",assumed,'
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _rows_on_pages(load_parameter_folder(tmp_path)) == {"co2.mtz_radius_um": "AlexisDermpearls2012"}


def test_non_peer_reviewed_entries_are_classified():
    """Entries that are web pages, Wikipedia, calculators or product pages say so (a ``kind`` field); every
    @misc entry and every entry published at a URL has a kind."""
    bib = bibliography()
    assert kind("BelisCO2Depth") == "product"
    assert kind("CommercialPagesContraindications") == "web"
    assert kind("PCMCP") == "database"
    assert kind("BelisCO2Depth") in UNRELIABLE_KINDS and kind("Wilson2012Dermapen") in UNRELIABLE_KINDS
    assert kind("Davis2004") == "journal"
    for key, e in bib.items():
        assert kind(key) in KINDS, key
        if e["type"] == "misc" or "http" in e.get("howpublished", "") or "http" in e.get("url", ""):
            assert "kind" in e, f"{key}: @misc or web entry without a kind field"


def test_secondary_rows_name_an_existing_secondary():
    for p in registry().values():
        if p.status == "secondary":
            keys = secondary_keys(p.where, p.source)
            assert keys and all(k in bibliography() for k in keys), p.name


def test_named_code_exists():
    """Every function a calibrated or derived row names is importable; ``microneedling calibrate`` is a command."""
    import typer.main

    from microneedling.cli import app

    commands = set(typer.main.get_command(app).commands)
    for p in registry().values():
        if p.status not in ("calibrated", "derived"):
            continue
        for path in code_paths(p.where):
            assert callable(_resolve(path)), (p.name, path)
        if p.status == "calibrated" and "microneedling calibrate" in p.where:
            assert "calibrate" in commands


def test_only_code_fitted_rows_are_calibrated():
    """Calibrated rows are exactly those the fitting code of this package writes: the trial response
    (microneedling calibrate), the collagen synthesis gains and scar fill (calibration.scar_fill), the macrophage
    resolution rates (healing.resolution.fit_macrophage_resolution) and the PIH
    hazard (mechanics.modalities.fit_pih_hazard)."""
    calibrated = {n for n, p in registry().items() if p.status == "calibrated"}
    assert calibrated == {
        "trial.fill_efficiency", "trial.fill_log_tau_1", "trial.response_log_sd_1",
        "scales.gb_qualitative.rater_sd_grade",
        "healing.collagen1_synthesis_gain", "healing.collagen3_synthesis_gain", "scars.fill_efficiency",
        "healing.alpha", "healing.recruitment_decay_per_d",
        "pih.hazard_dark",
    }


def test_goodman_baron_point_table_is_not_claimed_as_read():
    """The point table was not checked against Goodman & Baron 2006 Table 1: none of its rows says published."""
    rows = [p for n, p in registry().items() if n.startswith("scoring.gb.") and p.source == "GoodmanBaron2006quant"]
    assert len(rows) == 16
    assert all(p.status in ("assumed", "derived") for p in rows)


def test_davis_fit_is_secondary_and_names_where_it_was_read():
    for name in ("insertion.davis_puncture_pressure_MPa", "insertion.davis_force_offset_N"):
        p = registry()[name]
        assert p.status == "secondary" and p.source == "Davis2004"
        assert secondary_keys(p.where, p.source) == ["ScratchTribologySim"]


# --- each rule fails on a doctored row ----------------------------------------------------------------------

def test_unknown_status_is_refused():
    with pytest.raises(ParameterError, match="status"):
        _load(_row("Published"))
    with pytest.raises(ParameterError, match="status"):
        _load(_row("estimated"))


def test_published_row_must_name_where_it_was_read():
    assert _load(_row("published", where="Table 2 forehead"))
    with pytest.raises(ParameterError, match="table, figure"):
        _load(_row("published", where="as everyone knows"))


def test_secondary_row_must_name_an_existing_secondary():
    assert _load(_row("secondary", where="read in Fabbrocini2010 Table 1"))
    with pytest.raises(ParameterError, match="secondary"):
        _load(_row("secondary", where="read in a review"))
    with pytest.raises(ParameterError, match="secondary"):
        _load(_row("secondary", where="read in Nobody2020 Table 1"))  # not a key of the bibliography
    with pytest.raises(ParameterError, match="secondary"):
        _load(_row("secondary", where="Davis2004 figure 5"))  # the primary itself is no secondary


def test_secondary_read_on_a_web_page_is_refused():
    with pytest.raises(ParameterError, match="web"):
        _load(_row("secondary", where="read in AlexisDermpearls2012"))


def test_calibrated_row_must_name_its_data_and_its_fitting_code():
    fit = "microneedling.calibration.scar_fill.fit_scar_fill"
    assert _load(_row("calibrated", where=f"fitted by {fit}", fitted_to="GargChaudhary"))
    assert _load(_row("calibrated", where="fitted by microneedling calibrate", fitted_to="Dogra2014"))
    with pytest.raises(ParameterError, match="fitted_to"):
        _load(_row("calibrated", where=f"fitted by {fit}"))
    with pytest.raises(ParameterError, match="code that fits"):
        _load(_row("calibrated", where="set so the model reproduces the data", fitted_to="GargChaudhary"))


def test_fitted_to_only_on_calibrated_rows():
    with pytest.raises(ParameterError, match="only for calibrated"):
        _load(_row("assumed", where="set by hand", fitted_to="GargChaudhary"))


@pytest.mark.parametrize("source", ["BelisCO2Depth", "AlexisDermpearls2012", "BraunDermoscopedia",
                                    "CommercialPagesContraindications", "Wilson2012Dermapen"])
@pytest.mark.parametrize("status", ["published", "derived"])
def test_row_resting_on_a_non_peer_reviewed_source_must_be_assumed(source, status):
    assert _load(_row("assumed", where="set by hand; context: the page", source=source))
    with pytest.raises(ParameterError, match="must be assumed"):
        _load(_row(status, where="abstract; computed from b.width_mm", source=source))


def _folder(tmp_path, **files):
    for name, rows in files.items():
        (tmp_path / f"{name}.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    return tmp_path


def test_derived_row_must_name_what_it_is_computed_from(tmp_path):
    base = _row("published", where="Table 1", name="a.width_mm")
    ok = load_parameter_folder(_folder(tmp_path, one=[base], two=[
        _row("derived", where="a.width_mm / 2", name="b.radius_mm"),
        _row("derived", where="computed by microneedling.mechanics.injury.session_injury", name="c.depth_mm"),
    ]))
    assert ok["b.radius_mm"].status == "derived"  # names a row of another file
    for where in ("half the width", "b.depth_mm / 2"):  # names nothing / names only itself
        with pytest.raises(ParameterError, match="derived"):
            load_parameter_folder(_folder(tmp_path, one=[base], two=[_row("derived", where=where, name="b.depth_mm")]))


def test_registry_refuses_a_doctored_shipped_row(tmp_path, monkeypatch):
    """Copy the shipped parameter files, turn one assumed healing rate back into an unfitted 'calibrated' row:
    the folder no longer loads."""
    from importlib import resources

    src = resources.files("microneedling").joinpath("data/parameters")
    for entry in src.iterdir():
        if entry.name.endswith(".csv"):
            (tmp_path / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    assert set(load_parameter_folder(tmp_path)) == set(registry())
    f = tmp_path / "healing_kinetics.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("healing.fibroblast_capacity,"))
    assert lines[i].endswith(",assumed,")
    lines[i] = lines[i][: -len(",assumed,")] + ",calibrated,Lotfi2013 abstract (qualitative)"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="code that fits"):
        load_parameter_folder(tmp_path)


# --- the solute tables (topicals, the Potts-Guy permeability check) ----------------------------------------

SOLUTE_TABLES = {"topicals.csv": "key", "permeability_stevens2024.csv": "compound"}


def _shipped_table(table: str) -> str:
    from importlib import resources

    return resources.files("microneedling").joinpath(f"data/{table}").read_text(encoding="utf-8")


def _solute_properties_on_pages(solutes) -> dict[str, str]:
    """Properties (``solute mw_da`` / ``solute log_p``: source key) resting on a web page, Wikipedia, a calculator
    or a product page."""
    out = {}
    for name, s in solutes.items():
        for prop, prov in (("mw_da", s.mw), ("log_p", s.logp)):
            if prov is not None and prov.source and kind(prov.source) in NO_MODEL_SOURCE_KINDS:
                out[f"{name} {prop}"] = prov.source
    return out


@pytest.mark.parametrize("table", sorted(SOLUTE_TABLES))
def test_no_solute_property_rests_on_a_web_wikipedia_calculator_or_product_page(table):
    """The molecular weights and log P values of the delivery model and of its permeability check are held to the
    parameter rows' rule: every value has one of the five statuses, truthfully, and none cites a web page,
    Wikipedia, a calculator or a product page, not even an assumed one."""
    from microneedling.delivery.solute_properties import read_solutes

    solutes = read_solutes(table, SOLUTE_TABLES[table])
    assert solutes
    assert _solute_properties_on_pages(solutes) == {}
    for s in solutes.values():
        for prov in (s.mw, s.logp):
            if prov is not None:
                assert prov.status in STATUSES
                assert prov.status != "calibrated"  # nothing in these tables is fitted by code


@pytest.mark.parametrize(("table", "compound", "doctored"), [
    # caffeine's log P back on the calculator page it was read on: refused on load, even as assumed
    ("permeability_stevens2024.csv", "caffeine",
     "caffeine,C8H10N4O2,,derived,Coplen1996,computed from the formula by "
     "microneedling.delivery.molar_mass.molar_mass_da,-0.07,assumed,BelisCO2Depth,set by hand from a page,"
     "-6.16262058352934,Stevens2024"),
    # an alkanol's log P claimed as published with no table, figure or abstract named
    ("permeability_stevens2024.csv", "methanol",
     "methanol,CH4O,,derived,Coplen1996,computed from the formula by microneedling.delivery.molar_mass.molar_mass_da,"
     "-0.69,published,Stevens2024,as everyone knows,-6.41,Stevens2024"),
    # EGF's molecular weight back on the product page
    ("topicals.csv", "egf",
     "egf,epidermal growth factor (human),,6222,assumed,BelisCO2Depth,product description,,,,,protein"),
    # a formula's mass claimed as published instead of derived
    ("topicals.csv", "caffeine",
     "caffeine,caffeine,C8H10N4O2,,published,Coplen1996,Table 2,-0.07,assumed,,no measured value found,"),
])
def test_a_doctored_solute_row_is_refused(table, compound, doctored):
    """A copy of a shipped table loads; the same copy with one row doctored does not."""
    from microneedling.delivery.solute_properties import parse_solutes

    text = _shipped_table(table)
    key = SOLUTE_TABLES[table]
    assert compound in parse_solutes(text, table, key)
    lines = text.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith(f"{compound},"))
    lines[i] = doctored
    with pytest.raises(ParameterError):
        parse_solutes("\n".join(lines) + "\n", table, key)


def test_doctored_solute_table_is_found_by_the_page_check():
    """The page check itself fails on a table whose assumed row cites a product page (the loader refuses such a
    row, so the doctored row is built directly)."""
    from dataclasses import replace

    from microneedling.delivery.solute_properties import Provenance, read_solutes

    solutes = dict(read_solutes("topicals.csv", "key"))
    solutes["egf"] = replace(solutes["egf"], mw_da=6222.0, mw=Provenance("assumed", "BelisCO2Depth", "product page"))
    assert _solute_properties_on_pages(solutes) == {"egf mw_da": "BelisCO2Depth"}


# --- the CLI ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", STATUSES)
def test_params_status_filter(run_cli, status):
    r = run_cli("params", "--status", status, "--json")
    assert r.code == 0, r.err
    obj = json.loads(r.out)
    rows = obj["parameters"]
    assert {row["status"] for row in rows} <= {status}
    assert len(rows) == status_counts()[status] > 0
    assert obj["summary"][status] == len(rows)


def test_params_status_filter_refuses_unknown_status(run_cli):
    r = run_cli("params", "--status", "guessed")
    assert r.code == 2 and r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "status" in lines[0] and "assumed" in lines[0]


def test_params_json_rows_carry_status(run_cli):
    r = run_cli("params", "--prefix", "healing.", "--json")
    assert r.code == 0
    rows = r.json()["parameters"]
    assert rows and all(row["status"] in STATUSES for row in rows)


def test_params_summary_counts_each_status(run_cli):
    counts = status_counts()
    r = run_cli("params", "--summary")
    assert r.code == 0, r.err
    assert r.out.strip() == ", ".join(f"{s} {counts[s]}" for s in STATUSES)
    r = run_cli("params", "--summary", "--json")
    assert r.json() == {"summary": counts}
    r = run_cli("params", "--prefix", "scoring.gb.")
    assert r.code == 0 and r.out.strip().splitlines()[-1].startswith("published ")
