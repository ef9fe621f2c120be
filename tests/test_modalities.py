"""Fractional CO2 laser, medium-depth TCA peel and PIH risk against microneedling (issue 3)."""

import pytest

from microneedling.errors import InputError
from microneedling.mechanics.injury import session_injury
from microneedling.mechanics.modalities import (
    PihArm,
    compare,
    fit_pih_hazard,
    fractional_co2_injury,
    pih_probability,
    pih_risk,
    tca_peel_injury,
)
from microneedling.params import get_parameter
from microneedling.patient import Fitzpatrick, Zone


@pytest.mark.parametrize("zone", list(Zone))
def test_microneedling_damages_far_less_epidermis_than_a_tca_peel(zone):
    """A medium-depth TCA peel injures the whole epidermis (confluent; TCAPeelsChapter Table 7.1); a 1.5 mm
    roller session leaves ~250 channels of 70 um radius/cm2 (Fernandes2005, Kalluri2011): a few percent."""
    mn = session_injury(zone, "roller", 1.5)
    peel = tca_peel_injury(zone)
    assert peel.epidermal_area_fraction == 1.0
    assert mn.epidermal_area_fraction < 0.1 * peel.epidermal_area_fraction


@pytest.mark.parametrize("fitz", ["V", "VI"])
def test_pih_risk_of_microneedling_is_below_fractional_co2_for_dark_skin(fitz):
    """IDOJ2024SplitFace (type IV-V): PIH 6.67% after microneedling vs 30% after fractional CO2; the model,
    driven by damaged epidermis (CO2 coverage 10%, Yuan2014), keeps that order for V-VI."""
    out = compare("cheek", fitz)
    assert out["microneedling"]["pih_risk"] < out["fractional_co2"]["pih_risk"] < out["tca_peel"]["pih_risk"]


def test_stored_hazard_is_the_maximum_likelihood_fit():
    """pih.hazard_dark in modalities.csv must equal a fresh fit to the IDOJ2024 (2/30, 9/30) and Dogra2014 (5/30)
    arms (guards against editing the data without refitting)."""
    assert fit_pih_hazard() == pytest.approx(get_parameter("pih.hazard_dark").value, rel=1e-3)


def test_hazard_fit_recovers_a_known_hazard_from_exact_counts():
    """Closed form: with one arm, the MLE solves 1 - exp(-beta D) = k/n, i.e. beta = -ln(1 - k/n) / D."""
    arm = PihArm("synthetic", cases=6, patients=20, dose=0.5)
    assert fit_pih_hazard([arm]) == pytest.approx(-__import__("math").log(1 - 6 / 20) / 0.5, rel=1e-9)


def test_pih_probability_is_monotone_and_bounded():
    assert pih_probability(1.0, 0.0) == 0.0
    assert 0 < float(pih_probability(1.0, 0.1)) < float(pih_probability(1.0, 0.2)) < 1


def test_light_phototypes_get_an_upper_bound_and_say_so():
    risk_v, basis_v = pih_risk(0.1, "V")
    risk_ii, basis_ii = pih_risk(0.1, Fitzpatrick.II)
    assert risk_ii == risk_v and "upper bound" in basis_ii and "fitted" in basis_v
    with pytest.raises(InputError):
        pih_risk(0.1, "VII")


def test_co2_columns_reach_the_dermis_without_bleeding_and_tca_stops_at_the_plexus():
    """CO2 columns 0.415 mm deep in facial skin (Bailey2011) with haemostasis (Omi2014); a medium peel reaches the
    papillary dermis (TCAPeelsChapter)."""
    co2 = fractional_co2_injury("cheek")
    assert co2.reaches_dermis and not co2.bleeding and co2.epidermal_area_fraction == pytest.approx(0.10)
    peel = tca_peel_injury("cheek")
    assert peel.dermal_depth_bands[-1][1] == pytest.approx(peel.penetration_depth_mm)
    with pytest.raises(InputError):
        fractional_co2_injury("cheek", coverage_fraction=1.5)


def test_hazard_interval_contains_the_fit_and_narrows_with_more_patients():
    """Wald interval on log beta from the observed information: it brackets the estimate, and with every arm's
    counts multiplied by 4 (same proportions) its log-width halves (standard error ~ 1/sqrt(n))."""
    import math

    from microneedling.mechanics.modalities import pih_calibration_arms, pih_hazard_ci95

    arms = pih_calibration_arms()
    lo, hi = pih_hazard_ci95(arms)
    assert lo < fit_pih_hazard(arms) < hi
    big = [PihArm(a.label, 4 * a.cases, 4 * a.patients, a.dose) for a in arms]
    lo4, hi4 = pih_hazard_ci95(big)
    assert math.log(hi4 / lo4) == pytest.approx(0.5 * math.log(hi / lo), rel=1e-6)


def test_compare_reports_a_pih_interval_around_the_risk():
    for m in compare("cheek", "V").values():
        lo, hi = m["pih_risk_ci95"]
        assert lo <= m["pih_risk"] <= hi
