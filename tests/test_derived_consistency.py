"""Derived parameters that restate another engine's output stay equal to what that engine computes now."""

import pytest

from microneedling.mechanics.injury import session_injury
from microneedling.params import parameter_value


def test_dose_reference_is_the_lotfi_protocol_injury():
    """healing.dose.reference_dermal_volume_fraction is defined (healing_kinetics.csv) as the dermal volume
    fraction of one 1.5 mm roller session on the cheek (Lotfi 2013 protocol); if the mechanical engine changes,
    this row must be re-derived."""
    injury = session_injury("cheek", "roller", 1.5)
    assert parameter_value("healing.dose.reference_dermal_volume_fraction") == pytest.approx(
        injury.dermal_volume_fraction, rel=0.01)
