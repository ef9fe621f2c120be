"""A `calibrated` row holds what its fitting code returns: refit here and compare with the stored value to the
stored precision (half a unit in the last stored digit). The collagen synthesis fit (about a minute) is
checked by ``microneedling validate`` (healing_collagen_lotfi2013) instead."""

from __future__ import annotations

import pytest

from microneedling.params import get_parameter


def _stored_precision(value: float) -> float:
    decimals = len(repr(value).split(".")[1]) if "." in repr(value) else 0
    return 0.5 * 10.0 ** -decimals


@pytest.mark.parametrize("name, fit", [
    ("scars.fill_efficiency", "microneedling.calibration.scar_fill:fit_scar_fill"),
    ("pih.hazard_dark", "microneedling.mechanics.modalities:fit_pih_hazard"),
])
def test_stored_calibrated_value_is_what_its_fit_returns(name, fit):
    import importlib

    module, func = fit.split(":")
    row = get_parameter(name)
    assert row.status == "calibrated" and func in row.where
    refit = getattr(importlib.import_module(module), func)()
    assert abs(refit - row.value) <= _stored_precision(row.value), (name, row.value, refit)
