"""Parameter registry: every number has a unit, a plausible range and a source."""

import pytest

from microneedling.citations import bibliography, citations_used, cite, format_references, reset_citations
from microneedling.params import ParameterError, get_parameter, load_parameter_file, registry
from microneedling.units import dimension, unit_of

HEADER = "name,value,unit,low,high,source,where,status,fitted_to\n"


def test_registry_loads_and_is_not_empty():
    assert len(registry()) > 10


@pytest.mark.parametrize("name", sorted(registry()))
def test_every_parameter_has_a_source_unit_and_range(name):
    p = registry()[name]
    assert p.source in bibliography(), f"{name}: source {p.source!r} not in CITATIONS.bib"
    assert p.where, f"{name}: no table/figure/derivation given"
    dimension(p.unit)
    if unit_of(name) is not None:
        assert unit_of(name) == p.unit
    assert p.low <= p.value <= p.high
    if p.status == "calibrated":
        assert p.fitted_to, f"{name}: calibrated without the data it was fitted to"


def test_row_without_source_is_rejected():
    with pytest.raises(ParameterError, match="source"):
        load_parameter_file(HEADER + "a.depth_mm,1,mm,0,2,,table 1,published,\n", "t")


def test_unknown_source_is_rejected():
    with pytest.raises(ParameterError, match="CITATIONS"):
        load_parameter_file(HEADER + "a.depth_mm,1,mm,0,2,Nobody1999,table 1,published,\n", "t")


def test_calibrated_row_must_name_its_data():
    with pytest.raises(ParameterError, match="fitted_to"):
        load_parameter_file(HEADER + "a.rate_per_d,1,per_d,0,2,Davis2004,fit,calibrated,\n", "t")


def test_unit_suffix_must_match_unit_column():
    with pytest.raises(ParameterError, match="name says"):
        load_parameter_file(HEADER + "a.depth_mm,1,um,0,2,Davis2004,table 1,published,\n", "t")


def test_value_outside_plausible_range_is_rejected():
    with pytest.raises(ParameterError, match="outside"):
        load_parameter_file(HEADER + "a.depth_mm,5,mm,0,2,Davis2004,table 1,published,\n", "t")


def test_bad_status_is_rejected():
    with pytest.raises(ParameterError, match="status"):
        load_parameter_file(HEADER + "a.depth_mm,1,mm,0,2,Davis2004,table 1,guessed,\n", "t")


def test_lookup_records_its_citation():
    reset_citations()
    name = next(iter(registry()))
    p = get_parameter(name)
    assert citations_used() == [p.source]
    assert any(p.source in r for r in format_references())


def test_unknown_citation_key_raises():
    with pytest.raises(KeyError):
        cite("NotAPaper2099")
