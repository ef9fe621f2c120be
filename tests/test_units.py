"""Unit conversion and range checks: the mm/um safety net."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microneedling.errors import InputError
from microneedling.units import check_range, convert, dimension, unit_of


def test_mm_um_round_trip_is_exact_in_scale():
    assert convert(1.5, "mm", "um") == pytest.approx(1500.0)
    assert convert(1500.0, "um", "mm") == pytest.approx(1.5)
    assert convert(1.0, "week", "d") == pytest.approx(7.0)
    assert convert(2.0, "h", "s") == pytest.approx(7200.0)


def test_dimensions_never_mix():
    with pytest.raises(InputError, match="cannot convert"):
        convert(1.0, "mm", "h")


def test_unknown_unit_is_refused():
    with pytest.raises(InputError):
        dimension("furlong")


@pytest.mark.parametrize(
    "name,unit",
    [("depth_mm", "mm"), ("thickness_um", "um"), ("flux_ug_per_cm2", "ug_per_cm2"), ("rate_per_d", "per_d"),
     ("density_per_cm2", "per_cm2"), ("unitless", None)],
)
def test_unit_is_read_from_the_name_suffix(name, unit):
    assert unit_of(name) == unit


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.sampled_from(["mm", "um", "cm", "m", "nm"]),
       st.sampled_from(["mm", "um", "cm", "m", "nm"]))
def test_conversion_round_trip(value, a, b):
    assert convert(convert(value, a, b), b, a) == pytest.approx(value, rel=1e-12, abs=1e-12)


@given(st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=3.0 + 1e-9), st.just(math.nan), st.just(math.inf)))
def test_check_range_refuses_outside(value):
    with pytest.raises(InputError) as info:
        check_range("needle_length_mm", value, 0.0, 3.0, "mm")
    line = info.value.one_line()
    assert "\n" not in line and "needle_length_mm" in line and "[0, 3] mm" in line


def test_check_range_accepts_inside():
    assert check_range("x_mm", 1.5, 0.0, 3.0) == 1.5
