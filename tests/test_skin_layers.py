"""Layered facial skin: consistency with the source tables, anatomical order, invariants, bad input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.errors import InputError
from microneedling.params import registry
from microneedling.patient import Sex, Zone
from microneedling.tissue.skin import (
    cross_study_scale,
    full_thickness,
    layered_zones,
    skin_layers,
    zones_with_thickness_data,
)


def test_every_zone_has_layers():
    assert set(layered_zones()) == set(Zone)


@pytest.mark.parametrize("zone", ["forehead", "periorbital", "cheek"])
@pytest.mark.parametrize("sex", ["F", "M"])
@pytest.mark.parametrize("age", [25, 35, 45])
def test_layers_add_up_to_the_50mhz_full_thickness(zone, sex, age):
    """Epidermis + dermis equals the HFUS50MHz2019 group mean; the epidermis is Meng2022 Table 2's."""
    layers = skin_layers(zone, sex, age)
    assert layers.full_thickness_um == pytest.approx(1e3 * full_thickness(zone, sex, age).mean_mm)
    assert layers.epidermis_um == pytest.approx(1e3 * registry()[f"skin.layers.{zone}.{sex}.epidermis_mm"].value)


@pytest.mark.parametrize("zone", ["temple", "nose", "chin"])
def test_other_zones_are_meng_on_the_50mhz_scale(zone):
    """Meng2022 epidermis + dermis times the cross-study factor (derived; between the per-zone ratios)."""
    for sex in Sex:
        e = registry()[f"skin.layers.{zone}.{sex.value}.epidermis_mm"].value
        d = registry()[f"skin.layers.{zone}.{sex.value}.dermis_mm"].value
        assert skin_layers(zone, sex).full_thickness_um == pytest.approx(1e3 * (e + d) * cross_study_scale())


def test_cross_study_scale_lies_within_the_per_zone_ratios():
    ratios = []
    for zone in zones_with_thickness_data():
        for sex in Sex:
            hf = [registry()[k].value for g in ("20-29", "30-39", "40-49")
                  if (k := f"skin.full_thickness.{zone.value}.{sex.value}.{g}.mean_mm") in registry()]
            e = registry()[f"skin.layers.{zone.value}.{sex.value}.epidermis_mm"].value
            d = registry()[f"skin.layers.{zone.value}.{sex.value}.dermis_mm"].value
            ratios.append(sum(hf) / len(hf) / (e + d))
    assert min(ratios) <= cross_study_scale() <= max(ratios)


@pytest.mark.parametrize("sex", ["F", "M"])
def test_periorbital_dermis_is_the_thinnest(sex):
    """Chopra2015: the thinnest dermis of the face is at the eyelid."""
    peri = skin_layers("periorbital", sex).dermis_um
    assert all(peri < skin_layers(z, sex).dermis_um for z in Zone if z is not Zone.periorbital)


@pytest.mark.parametrize("zone", ["forehead", "temple", "nose", "cheek", "periorbital"])
def test_men_have_thicker_dermis(zone):
    """Meng2022: epidermis and dermis thicker in men at every facial site (zygomatic epidermis excepted)."""
    assert skin_layers(zone, "M", 35).dermis_um > skin_layers(zone, "F", 35).dermis_um


def test_subcutis_only_where_a_source_gives_it():
    """Iyengar2018: subcutaneous fat 0.2 cm forehead, 0.5 cm mental eminence, 0.6 cm temporal."""
    assert skin_layers("forehead").subcutis_mm == 2.0
    assert skin_layers("chin").subcutis_mm == 5.0 and skin_layers("temple").subcutis_mm == 6.0
    assert skin_layers("cheek").subcutis_mm is None


@settings(max_examples=40, deadline=None)
@given(zone=st.sampled_from(list(Zone)), sex=st.sampled_from(["F", "M"]), age=st.floats(12, 100))
def test_layer_invariants(zone, sex, age):
    layers = skin_layers(zone, sex, age)
    b = layers.boundaries_um()
    order = ["stratum_corneum", "viable_epidermis", "papillary_dermis", "reticular_dermis"]
    for upper, lower in zip(order, order[1:], strict=False):
        assert b[upper][1] == pytest.approx(b[lower][0])
        assert b[upper][1] > b[upper][0]
    assert layers.epidermis_um < layers.plexus_depth_um < layers.full_thickness_um
    assert layers.layer_at(layers.epidermis_um + 1.0) == "papillary_dermis"
    assert layers.layer_at(layers.full_thickness_um + 1.0) in ("subcutis", "below_dermis")


@pytest.mark.parametrize("kwargs, field", [
    (dict(zone="elbow"), "zone"), (dict(zone="cheek", sex="X"), "sex"), (dict(zone="cheek", age_years=5), "age_years"),
])
def test_bad_input(kwargs, field):
    with pytest.raises(InputError) as exc:
        skin_layers(**kwargs)
    assert exc.value.field == field


def test_skin_command_reports_layers_for_every_zone(run_cli):
    """Zones outside the 50 MHz table (e.g. temple) now answer from the layered model (Meng2022 rescaled)."""
    import json

    for zone in ("temple", "cheek"):
        r = run_cli("skin", "--zone", zone, "--json")
        assert r.code == 0, r.err
        d = json.loads(r.out)
        layers = skin_layers(zone)
        assert d["full_thickness_mm"] == pytest.approx(layers.full_thickness_um / 1e3)
        assert d["layers_um"]["papillary_dermis"]["bottom"] == pytest.approx(layers.plexus_depth_um)


def test_text_output_shows_an_extrapolated_age_group(run_cli):
    r = run_cli("skin", "--zone", "cheek", "--age-years", "60")
    assert r.code == 0 and "extrapolated age group" in r.out


def test_sampled_skins_reproduce_the_source_mean_and_sd():
    """Cohort sampling: 20,000 virtual cheeks (women, 25 y) have the HFUS50MHz2019 20-29 y dermis spread
    (full thickness SD 0.21 mm) and Meng2022's epidermis SD (zygoma, women: 0.18 mm as printed, truncated at
    +/-75% of the mean, so the sampled SD is smaller). Tolerances: 2% on means, 5% on the untruncated SD."""
    import jax
    import numpy as np

    from microneedling.tissue.skin import sample_skin_layers

    base = skin_layers("cheek", "F", 25)
    s = sample_skin_layers(jax.random.PRNGKey(0), "cheek", "F", 25, 20_000)
    assert float(np.mean(s["dermis_um"])) == pytest.approx(base.dermis_um, rel=0.02)
    assert float(np.std(s["dermis_um"])) == pytest.approx(base.dermis_sd_um, rel=0.05)
    assert float(np.std(s["epidermis_um"])) < base.epidermis_sd_um
    assert float(np.min(s["epidermis_um"])) >= 0.25 * base.epidermis_um - 1e-9
    assert np.all(np.asarray(s["plexus_depth_um"]) < np.asarray(s["full_thickness_um"]))
