"""Comparison modalities behind the same :class:`Injury` interface, and PIH risk by Fitzpatrick type.

Fractional CO2 laser: columns (microscopic treatment zones) ablated to a fixed depth over a set surface
coverage (Yuan2014 density 10%; column depth 415 um in facial skin at 15 mJ, Bailey2011; zone radius assumed as
half the 120 um beam spot of Hantash2007invivo; see modalities.csv). Thermal coagulation gives haemostasis
(Omi2014), so no bleeding. Medium-depth TCA peel: confluent injury of the whole epidermis and the papillary dermis
(TCAPeelsChapter Table 7.1), no channels.

PIH: the per-patient risk over a course is ``1 - exp(-beta * D)`` with ``D`` the summed epidermal area
fraction damaged per session (hazard proportional to damaged epidermis). ``beta`` for Fitzpatrick IV-VI is
fitted by binomial maximum likelihood (JAX grad/Newton) to the comparative PIH counts of IDOJ2024SplitFace
and Dogra2014, all in type IV-V skin. No phototype-stratified data for I-III were found: for them the IV-VI
hazard is returned as an upper bound and the result says so (``pih_basis``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import jax
import jax.numpy as jnp

from microneedling.citations import cite
from microneedling.errors import InputError
from microneedling.mechanics.injury import Injury, session_injury
from microneedling.params import get_parameter, parameter_value
from microneedling.patient import Fitzpatrick, Sex, Zone
from microneedling.tissue.skin import skin_layers

DARK = (Fitzpatrick.IV, Fitzpatrick.V, Fitzpatrick.VI)


def fractional_co2_injury(zone: Zone | str, sex: Sex | str = "F", age_years: float = 30.0,
                          coverage_fraction: float | None = None) -> Injury:
    """One fractional CO2 session: ablated columns of the zone-independent depth, capped at the dermis."""
    layers = skin_layers(zone, sex, age_years)
    cov = parameter_value("co2.coverage_fraction") if coverage_fraction is None else coverage_fraction
    if not 0.0 < cov <= 1.0:
        raise InputError("coverage_fraction", cov, "must be in (0, 1]")
    depth_um = min(1e3 * parameter_value("co2.ablation_depth_mm"), layers.full_thickness_um)
    r_um = parameter_value("co2.mtz_radius_um")
    per_cm2 = cov / (math.pi * (r_um * 1e-4) ** 2)
    bands = []
    z0 = layers.epidermis_um
    while z0 < depth_um - 1e-9:
        z1 = min(z0 + 100.0, depth_um)
        bands.append((z0 / 1e3, z1 / 1e3, cov))
        z0 = z1
    cite("Omi2014")
    return Injury(modality="fractional_co2", penetration_depth_mm=depth_um / 1e3, punctures_per_cm2=per_cm2,
                  channel_radius_um=r_um, epidermal_area_fraction=cov,
                  dermal_volume_fraction=cov * (depth_um - layers.epidermis_um) / layers.dermis_um,
                  dermal_depth_bands=tuple(bands), reaches_dermis=True, bleeding=False,
                  haemorrhage_ul_per_cm2=0.0, exceeds_dermis=depth_um >= layers.full_thickness_um)


def tca_peel_injury(zone: Zone | str, sex: Sex | str = "F", age_years: float = 30.0) -> Injury:
    """One medium-depth TCA peel: the whole epidermis and papillary dermis, confluent (no channels)."""
    layers = skin_layers(zone, sex, age_years)
    cite("TCAPeelsChapter")
    return Injury(modality="tca_peel", penetration_depth_mm=layers.plexus_depth_um / 1e3, punctures_per_cm2=0.0,
                  channel_radius_um=0.0, epidermal_area_fraction=1.0,
                  dermal_volume_fraction=layers.papillary_dermis_um / layers.dermis_um,
                  dermal_depth_bands=((layers.epidermis_um / 1e3, layers.plexus_depth_um / 1e3, 1.0),),
                  reaches_dermis=True, bleeding=False, haemorrhage_ul_per_cm2=0.0)


# --- PIH -------------------------------------------------------------------------------------------------


def pih_probability(beta, dose):
    """Per-patient PIH probability for hazard ``beta`` and summed epidermal damage ``dose`` (array-friendly)."""
    return -jnp.expm1(-beta * dose)


@dataclass(frozen=True)
class PihArm:
    """One study arm used to fit the hazard: cases of n patients after a summed epidermal damage ``dose``."""

    label: str
    cases: int
    patients: int
    dose: float


def pih_calibration_arms() -> list[PihArm]:
    """The IV-V arms: microneedling dose from the model (1.5 mm roller, usual passes); CO2 from coverage."""
    mn = session_injury("cheek", "roller", 1.5).epidermal_area_fraction
    co2 = parameter_value("co2.coverage_fraction")
    s_i, s_d = parameter_value("pih.idoj2024.sessions"), parameter_value("pih.dogra2014.sessions")
    n_i, n_d = int(parameter_value("pih.idoj2024.patients")), int(parameter_value("pih.dogra2014.patients"))
    return [
        PihArm("IDOJ2024 microneedling", int(parameter_value("pih.idoj2024.microneedling_cases")), n_i, mn * s_i),
        PihArm("IDOJ2024 fractional CO2", int(parameter_value("pih.idoj2024.co2_cases")), n_i, co2 * s_i),
        PihArm("Dogra2014 microneedling", int(parameter_value("pih.dogra2014.microneedling_cases")), n_d, mn * s_d),
    ]


def _nll(arms: list[PihArm]):
    k = jnp.array([a.cases for a in arms], dtype=float)
    n = jnp.array([a.patients for a in arms], dtype=float)
    d = jnp.array([a.dose for a in arms], dtype=float)

    def nll(log_beta):
        p = jnp.clip(pih_probability(jnp.exp(log_beta), d), 1e-12, 1 - 1e-12)
        return -jnp.sum(k * jnp.log(p) + (n - k) * jnp.log1p(-p))

    return nll


def fit_pih_hazard(arms: list[PihArm] | None = None, iterations: int = 30) -> float:
    """Maximum-likelihood hazard over binomial arms (Newton steps on log beta with JAX derivatives)."""
    arms = arms if arms is not None else pih_calibration_arms()
    nll = _nll(arms)
    g, h = jax.jit(jax.grad(nll)), jax.jit(jax.hessian(nll))
    x = jnp.asarray(0.0)
    for _ in range(iterations):
        x = x - g(x) / h(x)
    return float(jnp.exp(x))


def pih_hazard_ci95(arms: list[PihArm] | None = None) -> tuple[float, float]:
    """95% interval of the hazard: Wald interval on log beta from the observed information (JAX Hessian of the
    negative log-likelihood at the fit), mapped back with exp."""
    arms = arms if arms is not None else pih_calibration_arms()
    x = math.log(fit_pih_hazard(arms))
    se = 1.0 / math.sqrt(float(jax.hessian(_nll(arms))(jnp.asarray(x))))
    return math.exp(x - 1.959964 * se), math.exp(x + 1.959964 * se)


@lru_cache(maxsize=1)
def _default_hazard_ci95() -> tuple[float, float]:
    return pih_hazard_ci95()


def pih_risk(epidermal_area_fraction: float, fitzpatrick: Fitzpatrick | str, sessions: int = 1) -> tuple[float, str]:
    """PIH probability after ``sessions`` sessions of the given per-session epidermal damage, and its basis."""
    try:
        fitz = Fitzpatrick(fitzpatrick)
    except ValueError:
        raise InputError("fitzpatrick", fitzpatrick, f"must be one of {[f.value for f in Fitzpatrick]}") from None
    beta = get_parameter("pih.hazard_dark").value
    basis = ("fitted on Fitzpatrick IV-V arms" if fitz in DARK
             else "upper bound: IV-VI hazard (no phototype I-III PIH data found)")
    return float(pih_probability(beta, epidermal_area_fraction * sessions)), basis


def compare(zone: Zone | str, fitzpatrick: Fitzpatrick | str, sex: Sex | str = "F", age_years: float = 30.0,
            device: str = "roller", needle_length_mm: float = 1.5, sessions: int = 1) -> dict[str, dict]:
    """Microneedling vs fractional CO2 vs medium-depth TCA peel on one zone: injury and PIH risk."""
    injuries = {
        "microneedling": session_injury(zone, device, needle_length_mm, sex=sex, age_years=age_years),
        "fractional_co2": fractional_co2_injury(zone, sex, age_years),
        "tca_peel": tca_peel_injury(zone, sex, age_years),
    }
    lo, hi = _default_hazard_ci95()
    out = {}
    for name, inj in injuries.items():
        risk, basis = pih_risk(inj.epidermal_area_fraction, fitzpatrick, sessions)
        dose = inj.epidermal_area_fraction * sessions
        ci = [float(pih_probability(lo, dose)), float(pih_probability(hi, dose))]
        out[name] = {"epidermal_area_fraction": inj.epidermal_area_fraction, "pih_risk": risk, "pih_risk_ci95": ci,
                     "pih_basis": basis,
                     "penetration_depth_mm": inj.penetration_depth_mm, "punctures_per_cm2": inj.punctures_per_cm2,
                     "dermal_volume_fraction": inj.dermal_volume_fraction, "reaches_dermis": inj.reaches_dermis,
                     "bleeding": inj.bleeding, "sessions": sessions}
    return out
