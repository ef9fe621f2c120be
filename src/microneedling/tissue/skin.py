"""Facial skin by zone: full thickness (epidermis + dermis) with spread by sex and age group.

Source: 50 MHz ultrasound of 200 adults (HFUS50MHz2019, abstract results) for forehead, eyelid
(periorbital) and cheek, age groups 20-29, 30-39, 40-49. Ages outside those groups take the nearest group
and are flagged ``extrapolated``; a missing cell takes the neighbouring age group of the same sex and zone.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from microneedling.errors import InputError, from_validation_error
from microneedling.params import get_parameter, parameter_value, registry
from microneedling.patient import Sex, Zone
from microneedling.units import AgeYears

AGE_GROUPS: tuple[tuple[str, float, float], ...] = (("20-29", 20, 30), ("30-39", 30, 40), ("40-49", 40, 50))
_PREFIX = "skin.full_thickness"


@dataclass(frozen=True)
class FullThickness:
    zone: Zone
    sex: Sex
    age_group: str
    mean_mm: float
    sd_mm: float
    extrapolated: bool
    source: str


def zones_with_thickness_data() -> list[Zone]:
    names = {k.split(".")[2] for k in registry() if k.startswith(_PREFIX + ".")}
    return [z for z in Zone if z.value in names]


def _group_for_age(age_years: float) -> tuple[int, bool]:
    for i, (_, lo, hi) in enumerate(AGE_GROUPS):
        if lo <= age_years < hi:
            return i, False
    return (0 if age_years < AGE_GROUPS[0][1] else len(AGE_GROUPS) - 1), True


def full_thickness(zone: Zone | str, sex: Sex | str, age_years: float) -> FullThickness:
    """Epidermis + dermis thickness (mm, mean and SD) for a zone, sex and age."""
    try:
        zone = Zone(zone)
    except ValueError:
        raise InputError("zone", zone, f"must be one of {[z.value for z in Zone]}") from None
    try:
        sex = Sex(sex)
    except ValueError:
        raise InputError("sex", sex, "must be F or M") from None
    available = zones_with_thickness_data()
    if zone not in available:
        raise InputError("zone", zone.value, f"no thickness data yet; zones with data: {[z.value for z in available]}")
    idx, extrapolated = _group_for_age(age_years)
    # try the patient's age group first, then its neighbours by distance
    order = sorted(range(len(AGE_GROUPS)), key=lambda j: abs(j - idx))
    for j in order:
        group = AGE_GROUPS[j][0]
        key = f"{_PREFIX}.{zone.value}.{sex.value}.{group}"
        if f"{key}.mean_mm" in registry():
            mean = get_parameter(f"{key}.mean_mm")
            sd = get_parameter(f"{key}.sd_mm")
            return FullThickness(zone, sex, group, mean.value, sd.value, extrapolated or j != idx, mean.source)
    raise InputError("zone", zone.value, f"no thickness data for sex {sex.value}")


class SkinQuery(BaseModel):
    """Validated input of a skin look-up."""

    model_config = ConfigDict(extra="forbid")
    zone: Zone
    sex: Sex = Sex.F
    age_years: AgeYears = 30.0


# --- layered skin -----------------------------------------------------------------------------------------
# Layers from the surface down: stratum corneum (within the epidermis), viable epidermis, papillary dermis
# (its lower border carries the superficial vascular plexus: BraunDermoscopedia after Lever), reticular
# dermis, subcutis. Per-zone epidermis and dermis: Meng2022 Table 2 (skin_layers.csv). Where the 50 MHz
# table has the zone (forehead, periorbital, cheek), epidermis + dermis is that table's age- and sex-
# specific value and the dermis is the remainder after Meng's epidermis. Elsewhere Meng's (or Iyengar's)
# epidermis + dermis is put on the 50 MHz scale with one factor: the mean ratio of the two studies over the
# zones and sexes both measured (derived; the two devices read facial skin 1.6-1.9x apart).

_LAYERS = "skin.layers"


@dataclass(frozen=True)
class SkinLayers:
    """Layer thicknesses of one zone for one sex and age (micrometres unless the name says mm).

    ``epidermis_um`` includes the stratum corneum. ``plexus_depth_um`` is the depth of the superficial
    vascular plexus below the surface (bottom of the papillary dermis). ``subcutis_mm`` is None where no
    source gives it. ``scale_factor`` is 1 where the 50 MHz table gives the zone, else the cross-study factor.
    """

    zone: Zone
    sex: Sex
    age_years: float
    stratum_corneum_um: float
    epidermis_um: float
    epidermis_sd_um: float
    papillary_dermis_um: float
    reticular_dermis_um: float
    dermis_sd_um: float
    subcutis_mm: float | None
    scale_factor: float
    sources: tuple[str, ...]

    @property
    def viable_epidermis_um(self) -> float:
        return self.epidermis_um - self.stratum_corneum_um

    @property
    def dermis_um(self) -> float:
        return self.papillary_dermis_um + self.reticular_dermis_um

    @property
    def plexus_depth_um(self) -> float:
        return self.epidermis_um + self.papillary_dermis_um

    @property
    def full_thickness_um(self) -> float:
        """Epidermis + dermis."""
        return self.epidermis_um + self.dermis_um

    def boundaries_um(self) -> dict[str, tuple[float, float]]:
        """(top, bottom) depth of each layer below the surface, micrometres."""
        sc, ep, pd = self.stratum_corneum_um, self.epidermis_um, self.plexus_depth_um
        out = {"stratum_corneum": (0.0, sc), "viable_epidermis": (sc, ep), "papillary_dermis": (ep, pd),
               "reticular_dermis": (pd, self.full_thickness_um)}
        if self.subcutis_mm is not None:
            out["subcutis"] = (self.full_thickness_um, self.full_thickness_um + 1e3 * self.subcutis_mm)
        return out

    def layer_at(self, depth_um: float) -> str:
        """Name of the layer at ``depth_um`` below the surface ("below_dermis" past the dermis)."""
        for name, (top, bottom) in self.boundaries_um().items():
            if top <= depth_um < bottom:
                return name
        return "surface" if depth_um < 0 else "below_dermis"


def layered_zones() -> list[Zone]:
    names = {k.split(".")[2] for k in registry() if k.startswith(_LAYERS + ".")}
    return [z for z in Zone if z.value in names]


def _meng(zone: Zone, sex: Sex) -> tuple[float, float, float, float]:
    key = f"{_LAYERS}.{zone.value}.{sex.value}"
    return (get_parameter(f"{key}.epidermis_mm").value, get_parameter(f"{key}.epidermis_sd_mm").value,
            get_parameter(f"{key}.dermis_mm").value, get_parameter(f"{key}.dermis_sd_mm").value)


def _hfus_mean_over_groups(zone: Zone, sex: Sex) -> float | None:
    vals = [registry()[k].value for g, _, _ in AGE_GROUPS
            if (k := f"{_PREFIX}.{zone.value}.{sex.value}.{g}.mean_mm") in registry()]
    return sum(vals) / len(vals) if vals else None


def cross_study_scale(exclude: Zone | None = None) -> float:
    """Mean ratio (50 MHz full thickness averaged over age groups) / (Meng2022 epidermis + dermis) over the
    zones and sexes both studies measured (derived, dimensionless). ``exclude`` leaves one zone out (for the
    leave-one-zone-out check of the rescaling used for zones without 50 MHz data)."""
    ratios = []
    for zone in zones_with_thickness_data():
        if zone not in layered_zones() or zone == exclude:
            continue
        for sex in Sex:
            hf = _hfus_mean_over_groups(zone, sex)
            if hf is not None:
                e, _, d, _ = _meng(zone, sex)
                ratios.append(hf / (e + d))
    return sum(ratios) / len(ratios)


def skin_layers(zone: Zone | str, sex: Sex | str = Sex.F, age_years: float = 30.0) -> SkinLayers:
    """Layered skin of ``zone`` for ``sex`` and ``age_years``; raises :class:`InputError` on bad input."""
    q = _validated_query(zone, sex, age_years)
    zone, sex = q.zone, q.sex
    if zone not in layered_zones():
        raise InputError("zone", zone.value, f"no layer data; zones with data: {[z.value for z in layered_zones()]}")
    epi_mm, epi_sd_mm, derm_mm, derm_sd_mm = _meng(zone, sex)
    sources = [get_parameter(f"{_LAYERS}.{zone.value}.{sex.value}.dermis_mm").source]
    if zone in zones_with_thickness_data():
        ft = full_thickness(zone, sex, q.age_years)
        derm_mm, derm_sd_mm, scale = ft.mean_mm - epi_mm, ft.sd_mm, 1.0
        sources.append(ft.source)
    else:
        scale = cross_study_scale()
        derm_mm, derm_sd_mm = (epi_mm + derm_mm) * scale - epi_mm, derm_sd_mm * scale
        sources.append("HFUS50MHz2019")
    sc_um = parameter_value("skin.stratum_corneum_um")
    pap_row = get_parameter("skin.papillary_dermis_fraction")
    pap = pap_row.value
    sub_key = f"skin.subcutis.{zone.value}_mm"
    subcutis = parameter_value(sub_key) if sub_key in registry() else None
    return SkinLayers(
        zone=zone, sex=sex, age_years=q.age_years, stratum_corneum_um=sc_um, epidermis_um=1e3 * epi_mm,
        epidermis_sd_um=1e3 * epi_sd_mm, papillary_dermis_um=1e3 * pap * derm_mm,
        reticular_dermis_um=1e3 * (1.0 - pap) * derm_mm, dermis_sd_um=1e3 * derm_sd_mm, subcutis_mm=subcutis,
        scale_factor=scale, sources=tuple(dict.fromkeys(sources + ["Egawa2007", pap_row.source])),
    )


def _validated_query(zone: Zone | str, sex: Sex | str, age_years: float) -> SkinQuery:
    try:
        return SkinQuery(zone=zone, sex=sex, age_years=age_years)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def sample_skin_layers(key, zone: Zone | str, sex: Sex | str, age_years: float, n: int) -> dict:
    """``n`` virtual skins of one zone, sex and age for cohort runs (JAX arrays, um): epidermis and dermis drawn
    from normals with the source SDs, truncated to [0.25, 1.75] x the mean (no negative or doubled layers);
    stratum corneum and the papillary share as in :func:`skin_layers`. Keys: epidermis_um, dermis_um,
    plexus_depth_um, full_thickness_um."""
    import jax
    import jax.numpy as jnp

    base = skin_layers(zone, sex, age_years)
    k1, k2 = jax.random.split(key)

    def draw(k, mean, sd):
        if sd <= 0:
            return jnp.full((n,), mean)
        lo, hi = -0.75 * mean / sd, 0.75 * mean / sd
        return mean + sd * jax.random.truncated_normal(k, lo, hi, (n,))

    epi = draw(k1, base.epidermis_um, base.epidermis_sd_um)
    derm = draw(k2, base.dermis_um, base.dermis_sd_um)
    pap = base.papillary_dermis_um / base.dermis_um
    return {"epidermis_um": epi, "dermis_um": derm, "plexus_depth_um": epi + pap * derm,
            "full_thickness_um": epi + derm}
