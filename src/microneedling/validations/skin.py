"""Skin thickness: the model's zone thickness against the ultrasound table it is built from, by group."""

from __future__ import annotations

from microneedling.params import registry
from microneedling.patient import Sex
from microneedling.skin import AGE_GROUPS, full_thickness, zones_with_thickness_data
from microneedling.validation import Comparison, comparison, max_abs_z


@comparison("skin_full_thickness_hfus50", fast=True)
def skin_full_thickness() -> Comparison:
    """Full skin thickness for every zone/sex/age group with data: model look-up vs the published means."""
    labels, obs, err, pred = [], [], [], []
    for zone in zones_with_thickness_data():
        for sex in Sex:
            for group, lo, hi in AGE_GROUPS:
                key = f"skin.full_thickness.{zone.value}.{sex.value}.{group}"
                if f"{key}.mean_mm" not in registry():
                    continue
                ft = full_thickness(zone, sex, (lo + hi) / 2)
                labels.append(f"{zone.value} {sex.value} {group}")
                obs.append(registry()[f"{key}.mean_mm"].value)
                err.append(registry()[f"{key}.sd_mm"].value)
                pred.append(ft.mean_mm)
    return Comparison(
        name="skin_full_thickness_hfus50", title="Full skin thickness by zone, sex and age group",
        quantity="epidermis + dermis (mm)", x_label="zone, sex, age group", x=labels, observed=obs,
        observed_err=err, predicted=pred, metric="max |model - mean| / SD", error=max_abs_z(obs, err, pred),
        tolerance=1.0, sources=["HFUS50MHz2019"],
    )
