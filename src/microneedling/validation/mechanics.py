"""Mechanics (needle insertion, punctures, injury, other modalities) against published data: penetration depth, channel width, roller hole count, PIH by modality.

Each comparison says whether the data were used to calibrate (``fit``) or not. Data the model misses
(rat-skin penetration, Lam2008's buried fraction) are listed in the report
section's out-of-fit table rather than here, since no tolerance short of the miss itself would pass them.
"""

from __future__ import annotations

import math

from microneedling.mechanics.devices import device
from microneedling.mechanics.insertion import insert, standard_needle
from microneedling.mechanics.modalities import fit_pih_hazard, pih_calibration_arms, pih_probability
from microneedling.mechanics.punctures import count_distinct_holes, sample_punctures
from microneedling.params import parameter_value
from microneedling.validation.registry import Comparison, comparison, max_abs_z, max_rel_error


@comparison("mechanics_penetration_human_oct", fast=True)
def penetration_human_oct() -> Comparison:
    """Real penetration of a 600 um needle in human skin in vivo (Donnelly2010 OCT, ~460 um; fit)."""
    obs = [460.0]
    pred = [1e3 * insert(standard_needle(0.6)).penetration_depth_mm]
    return Comparison(
        name="mechanics_penetration_human_oct", title="Real needle penetration, human skin in vivo (fit)",
        quantity="penetration depth (um)", x_label="nominal length (um)", x=[600.0], observed=obs,
        observed_err=[0.0], predicted=pred, metric="max |model - data| / data", error=max_rel_error(obs, pred),
        tolerance=0.05, sources=["Donnelly2010"],
    )


@comparison("mechanics_channel_surface_diameter", fast=True)
def channel_surface_diameter() -> Comparison:
    """Surface diameter of a channel 152.5 um deep (Kalluri2011: 70.7 +/- 9.9 um; taper fit)."""
    needle = standard_needle(0.77)
    obs, err = [70.7], [9.9]
    pred = [2.0 * float(needle.radius_at_um(152.5))]
    return Comparison(
        name="mechanics_channel_surface_diameter", title="Channel surface diameter at 152.5 um depth (fit)",
        quantity="surface diameter (um)", x_label="channel depth (um)", x=[152.5], observed=obs, observed_err=err,
        predicted=pred, metric="max |model - mean| / SD", error=max_abs_z(obs, err, pred), tolerance=1.0,
        sources=["Kalluri2011"],
    )


@comparison("mechanics_roller_hole_count", fast=True)
def roller_hole_count() -> Comparison:
    """Distinct holes after 15 passes of a 192-needle roller with 70 um needles (~250/cm2, the figure read in
    Doddaballapur 2009). Simulated field (5 seeds, 1 cm2) with the overlap rule; the per-pass density is set by
    hand to this figure (an assumed row), so this checks the field and the overlap rule, not a prediction."""
    roller = device("roller", 0.2)
    sims = [count_distinct_holes(sample_punctures(s, roller.holes_per_pass_per_cm2, 15, 10.0), 35.0)
            for s in range(5)]
    obs, pred = [250.0], [sum(sims) / len(sims)]
    return Comparison(
        name="mechanics_roller_hole_count", title="Roller holes per cm2 after 15 passes (fit: density set to this figure)",
        quantity="holes per cm2", x_label="passes", x=[15], observed=obs, observed_err=[0.0], predicted=pred,
        metric="max |model - data| / data", error=max_rel_error(obs, pred), tolerance=0.2,
        sources=["Doddaballapur2009", "NairArora2014"],
    )


@comparison("mechanics_pih_by_modality", fast=True)
def pih_by_modality() -> Comparison:
    """PIH per patient after microneedling and fractional CO2 in type IV-V skin (IDOJ2024SplitFace, Dogra2014;
    the hazard is fitted to these three arms). Error bars: binomial SD sqrt(p (1 - p) / n)."""
    arms = pih_calibration_arms()
    beta = fit_pih_hazard(arms)
    obs = [a.cases / a.patients for a in arms]
    err = [math.sqrt(max(p * (1 - p), 1.0 / a.patients) / a.patients) for p, a in zip(obs, arms, strict=True)]
    pred = [float(pih_probability(beta, a.dose)) for a in arms]
    return Comparison(
        name="mechanics_pih_by_modality", title="PIH after microneedling vs fractional CO2, Fitzpatrick IV-V (fit)",
        quantity="PIH fraction of patients", x_label="study arm", x=[a.label for a in arms], observed=obs,
        observed_err=err, predicted=pred, metric="max |model - data| / binomial SD", error=max_abs_z(obs, err, pred),
        tolerance=2.0, sources=["IDOJ2024SplitFace", "Dogra2014", "Yuan2014"],
    )


@comparison("mechanics_depth_to_blood", fast=True)
def depth_to_blood() -> Comparison:
    """Depth at which needles first draw blood: at least 400 um (MicroNano2017OpenChannel). Model: depth of
    the superficial plexus, median over zones and sexes at 30 years (not fitted). Metric: shortfall below the
    bound as a fraction of it (0 when the model is at or beyond 400 um)."""
    from microneedling.patient import Sex, Zone
    from microneedling.tissue.skin import skin_layers

    depths = sorted(skin_layers(z, s, 30.0).plexus_depth_um for z in Zone for s in Sex)
    median = 0.5 * (depths[len(depths) // 2 - 1] + depths[len(depths) // 2])
    return Comparison(
        name="mechanics_depth_to_blood", title="Depth to the first blood vessels (lower bound, not fitted)",
        quantity="depth (um)", x_label="", x=["median over zones and sexes"], observed=[400.0], observed_err=[0.0],
        predicted=[median], metric="max(0, 400 - model) / 400", error=max(0.0, 400.0 - median) / 400.0,
        tolerance=0.0, sources=["MicroNano2017OpenChannel", "Meng2022", "Branchet1990"],
    )


@comparison("mechanics_pih_full_ablation", fast=True)
def pih_full_ablation() -> Comparison:
    """PIH after one fully ablative CO2 session (whole epidermis, D = 1) in dark skin, not fitted: published
    values span from more than 37% (Tan2008) to up to 92% (Nofal2025PIHPeel, quoted). Observed = the middle of
    that span, error bar = its half-width; the model passes when it falls inside the span."""
    lo = parameter_value("pih.full_ablative_co2_dark_low_fraction")
    hi = parameter_value("pih.full_ablative_co2_dark_fraction")
    obs, err = [(lo + hi) / 2], [(hi - lo) / 2]
    pred = [float(pih_probability(parameter_value("pih.hazard_dark"), 1.0))]
    return Comparison(
        name="mechanics_pih_full_ablation", title="PIH after fully ablative CO2 in dark skin (not fitted)",
        quantity="PIH fraction of patients", x_label="", x=["one full-field session, type IV+"], observed=obs,
        observed_err=err, predicted=pred, metric="|model - mid-range| / half-range", error=max_abs_z(obs, err, pred),
        tolerance=1.0, sources=["Tan2008", "Nofal2025PIHPeel"],
    )


@comparison("mechanics_insertion_force_vs_tip_area", fast=True)
def insertion_force_vs_tip_area() -> Comparison:
    """Insertion force against tip area (Davis2004, human volunteers in vivo; coefficients not fitted here).
    The model's force per needle (0.5 mm/s, wide spacing) is solved for the tip radius at which it reaches the
    lowest and the highest force Davis measured (about 0.1 and 3 N, abstract); both radii should lie among the
    tip radii of Davis's needles (30-80 um). Observed = the middle of that span, error bar = its half-width."""
    from scipy.optimize import brentq

    from microneedling.mechanics.insertion import puncture_force_N

    forces = [parameter_value("insertion.davis_force_low_N"), parameter_value("insertion.davis_force_high_N")]
    r_lo = parameter_value("insertion.davis_tip_radius_low_um")
    r_hi = parameter_value("insertion.davis_tip_radius_high_um")
    radii = [brentq(lambda r, f=f: float(puncture_force_N(math.inf, 0.5, math.pi * r * r)) - f, 0.0, 500.0)
             for f in forces]
    mid, half = (r_lo + r_hi) / 2, (r_hi - r_lo) / 2
    return Comparison(
        name="mechanics_insertion_force_vs_tip_area", title="Tip radius at Davis's lowest and highest insertion force",
        quantity="tip radius (um)", x_label="measured insertion force (N)", x=forces, observed=[mid, mid],
        observed_err=[half, half], predicted=radii, metric="max |model - mid-range| / half-range",
        error=max_abs_z([mid, mid], [half, half], radii), tolerance=1.0, sources=["Davis2004", "Olatunji2013"],
        notes="Davis's slope (190 N/mm2), intercept (-0.66 N) and tip-radius range were read from a secondary "
              "transcription of the paper's fit (see needle_mechanics.csv); his per-needle data and scatter "
              "were not found, so this checks the fit's consistency with his measured force range only.",
    )
