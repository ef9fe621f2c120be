"""Skin thickness: the cross-study rescaling used for zones without 50 MHz data, checked zone by zone."""

from __future__ import annotations

from microneedling.params import registry
from microneedling.patient import Sex
from microneedling.tissue.skin import (
    _PREFIX,
    AGE_GROUPS,
    _hfus_mean_over_groups,
    _meng,
    cross_study_scale,
    layered_zones,
    zones_with_thickness_data,
)
from microneedling.validation.registry import Comparison, comparison, max_abs_z


@comparison("skin_full_thickness_leave_one_zone_out", fast=True)
def skin_full_thickness_leave_one_zone_out() -> Comparison:
    """Zones without 50 MHz data take Meng 2022's epidermis + dermis times the mean ratio of the two studies.
    Check that rule out of sample: for each zone both studies measured, predict its 50 MHz full thickness
    (mean over age groups) from Meng 2022 with the ratio computed from the OTHER zones, and compare with the
    measured mean in units of the measured between-subject SD (mean of the age groups' SDs)."""
    labels, obs, err, pred = [], [], [], []
    for zone in zones_with_thickness_data():
        if zone not in layered_zones():
            continue
        scale = cross_study_scale(exclude=zone)
        for sex in Sex:
            measured = _hfus_mean_over_groups(zone, sex)
            if measured is None:
                continue
            sds = [registry()[k].value for g, _, _ in AGE_GROUPS
                   if (k := f"{_PREFIX}.{zone.value}.{sex.value}.{g}.sd_mm") in registry()]
            epidermis, _, dermis, _ = _meng(zone, sex)
            labels.append(f"{zone.value} {sex.value}")
            obs.append(measured)
            err.append(sum(sds) / len(sds))
            pred.append((epidermis + dermis) * scale)
    return Comparison(
        name="skin_full_thickness_leave_one_zone_out",
        title="Full skin thickness of a zone predicted from the other zones (Meng 2022 rescaled)",
        quantity="epidermis + dermis (mm)", x_label="zone, sex", x=labels, observed=obs, observed_err=err,
        predicted=pred, metric="max |model - mean| / between-subject SD", error=max_abs_z(obs, err, pred),
        tolerance=2.0, sources=["HFUS50MHz2019", "Meng2022"],
        notes="Out of sample: the zone predicted is left out of the cross-study ratio. Error bars are the "
              "between-subject SD of the 50 MHz study, not the standard error of its mean.",
    )
