"""Topical uptake through intact and microneedled skin over the hours after a session.

Per cm^2 of skin, a donor film at constant concentration C0 (infinite dose) sits on the surface.

* Intact route: the stratum corneum as a membrane of thickness h with Potts-Guy partition K and diffusivity D
  (:mod:`microneedling.delivery.permeation`); flux from Crank's closed form (:mod:`microneedling.delivery.membrane`),
  so it starts after the lag time h^2 / 6D and tends to kp C0.
* Channel route: n channels per cm^2 of radius a and depth L (from the puncture field) filled with interstitial
  water. The solute diffuses down each channel with the Stokes-Einstein diffusivity times the Renkin hindrance
  for the channel's current radius (:mod:`microneedling.delivery.pores`), and the dermis at the channel
  bottom is a sink. Channels close: open fraction g(t) = 2^(-t / t_half) (:mod:`microneedling.delivery.resealing`), the open
  area is phi(t) = n pi a^2 g(t) and the radius a sqrt(g(t)). Solved by finite differences in the channel
  (implicit Euler, which is L-stable for steps far longer than the seconds-long channel lag).
* Needled skin: channel route on phi(t) plus intact route on the rest, 1 - phi(t).

Enhancement = cumulative uptake through needled skin / through intact skin at the end time. Fluxes in
ug/cm^2/h, amounts in ug/cm^2, concentration in mg/mL (= mg/cm^3), times in hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from microneedling.delivery import permeation
from microneedling.delivery.membrane import (
    crank_cumulative,
    crank_flux,
    solve_column,
    solve_column_to_compartment,
)
from microneedling.delivery.pores import renkin_hindrance, stokes_einstein_cm2_per_h
from microneedling.delivery.resealing import closure_time_h, half_closure_h, open_fraction
from microneedling.delivery.solute_properties import Provenance
from microneedling.delivery.topicals import DEFAULT_CONCENTRATION_MG_PER_ML, Molecule, molecule, topical
from microneedling.mechanics.injury import InjuryQuery, injury_details
from microneedling.patient import Zone
from microneedling.protocol import Device, NeedlingDevice
from microneedling.tissue.skin import skin_layers
from microneedling.units import NeedleLengthMM

UG_PER_MG = 1000.0


@dataclass(frozen=True)
class ChannelField:
    """Microneedle channels: depth (um), density (per cm^2), surface radius (um)."""

    depth_um: float
    punctures_per_cm2: float
    radius_um: float

    @property
    def area_fraction(self) -> float:
        """Open area fraction n pi a^2 of the skin surface right after the session."""
        return self.punctures_per_cm2 * math.pi * (self.radius_um * 1e-4) ** 2


@dataclass(frozen=True)
class DeliveryResult:
    times_h: np.ndarray
    flux_needled_ug_per_cm2_h: np.ndarray
    flux_intact_ug_per_cm2_h: np.ndarray
    cumulative_needled_ug_per_cm2: np.ndarray
    cumulative_intact_ug_per_cm2: np.ndarray
    open_fraction: np.ndarray
    channel_half_closure_hours: float
    channel_closure_hours: float
    area_fraction: float
    intact_kp_cm_per_h: float
    intact_lag_time_h: float
    channel_diffusivity_cm2_per_h: float

    @property
    def cumulative_uptake_ug_per_cm2(self) -> float:
        return float(self.cumulative_needled_ug_per_cm2[-1])

    @property
    def intact_skin_uptake_ug_per_cm2(self) -> float:
        return float(self.cumulative_intact_ug_per_cm2[-1])

    @property
    def enhancement(self) -> float | None:
        """Needled / intact cumulative uptake at the end time; None when the intact route is closed."""
        intact = self.intact_skin_uptake_ug_per_cm2
        return self.cumulative_uptake_ug_per_cm2 / intact if intact > 0.0 else None

    def flux_enhancement(self) -> np.ndarray:
        """Needled / intact flux at each time (inf while the intact flux is zero)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.flux_intact_ug_per_cm2_h > 0,
                            self.flux_needled_ug_per_cm2_h / np.maximum(self.flux_intact_ug_per_cm2_h, 1e-300),
                            np.inf)


def intact_flux_mg(times_h, molecule: Molecule, c0_mg_per_cm3: float, sc_thickness_um: float | None = None):
    """(flux mg/cm^2/h, cumulative mg/cm^2, kp cm/h, lag h) through intact stratum corneum; zeros if log P is None."""
    t = jnp.asarray(times_h, dtype=float)
    if molecule.log_p is None:
        z = jnp.zeros_like(t)
        return z, z, 0.0, math.inf
    h_um = sc_thickness_um if sc_thickness_um is not None else permeation.sc_thickness_um()
    h_cm = h_um * 1e-4
    k = permeation.sc_partition(molecule.log_p)
    d = permeation.sc_diffusivity_cm2_per_h(molecule.mw_da, h_um)
    flux = crank_flux(t, d, h_cm, k * c0_mg_per_cm3)
    cum = crank_cumulative(t, d, h_cm, k * c0_mg_per_cm3)
    kp = float(permeation.kp_cm_per_h(molecule.mw_da, molecule.log_p))
    return flux, cum, kp, float(permeation.lag_time_h(molecule.mw_da, h_um))


def _deplete(flux, cumulative, m0: float):
    """Finite dose: flux and amount when the donor of M0 (mg/cm^2) is drawn down (see :func:`simulate`)."""
    keep = jnp.exp(-cumulative / m0)
    return flux * keep, m0 * (1.0 - keep)


def simulate(molecule: Molecule, channels: ChannelField, hours: float, occluded: bool = False,
             concentration_mg_per_ml: float = DEFAULT_CONCENTRATION_MG_PER_ML, n_times: int = 481, n_cells: int = 16,
             dose_ul_per_cm2: float | None = None, dermal_clearance_per_h: float | None = None,
             dermis_um: float | None = None, sc_thickness_um: float | None = None) -> DeliveryResult:
    """Uptake of ``molecule`` over ``hours`` after a session that left ``channels`` (see module docstring).

    ``dose_ul_per_cm2`` None: infinite dose (donor concentration constant). A film volume per cm^2 instead depletes
    the donor: with permeability P(t) = J(t) / C0 of the infinite-dose run, dC/dt = -P(t) C / film thickness, so
    the uptake is M0 (1 - exp(-Q_inf(t) / M0)) with M0 = C0 x film volume. Exact for the quasi-steady channel
    route; for the stratum corneum it neglects the membrane's memory of the falling donor concentration.

    ``dermal_clearance_per_h`` None: the dermis under the channels is a perfect sink. A rate instead makes the
    dermis (``dermis_um`` thick) a well-mixed compartment cleared at that rate, fed by the channels
    (:func:`microneedling.delivery.membrane.solve_column_to_compartment`); the intact route still drains freely.
    ``sc_thickness_um``: stratum corneum thickness (default: the cheek value of the parameter set).
    """
    if not 0.0 <= channels.area_fraction < 1.0:
        raise ValueError(f"channel area fraction {channels.area_fraction:.3g} outside [0, 1)")
    times = jnp.linspace(0.0, float(hours), n_times)
    c0 = float(concentration_mg_per_ml)
    f_int, q_int, kp, lag = intact_flux_mg(times, molecule, c0, sc_thickness_um)

    t_half = float(half_closure_h(channels.depth_um, occluded))
    g = open_fraction(times, t_half)
    phi = channels.area_fraction * g
    radius_nm = channels.radius_um * 1e3 * jnp.sqrt(g)
    d_free = float(stokes_einstein_cm2_per_h(molecule.radius_nm))
    d_ch = d_free * renkin_hindrance(molecule.radius_nm / jnp.maximum(radius_nm, 1e-30))
    if channels.area_fraction > 0.0 and channels.depth_um > 0.0 and dermal_clearance_per_h is not None:
        if dermis_um is None or dermis_um <= 0.0:
            raise ValueError("dermal clearance needs a positive dermis_um")
        u_ch, _ = solve_column_to_compartment(times, d_ch, phi, c0, channels.depth_um * 1e-4, n_cells, 1.0,
                                              dermis_um * 1e-4, float(dermal_clearance_per_h))
        f_ch = jnp.asarray(np.gradient(np.asarray(u_ch), np.asarray(times)))
    elif channels.area_fraction > 0.0 and channels.depth_um > 0.0:
        f_ch, _ = solve_column(times, d_ch, phi, c0, channels.depth_um * 1e-4, n_cells, 1.0)
    else:  # needles too short to pierce: no channel route
        f_ch = jnp.zeros_like(times)

    flux_needled = f_ch + (1.0 - phi) * f_int
    # exact intact amount plus the trapezoid integral of what the channels change
    extra = f_ch - phi * f_int
    dt = jnp.diff(times)
    q_needled = q_int + jnp.concatenate([jnp.zeros(1), jnp.cumsum(0.5 * dt * (extra[1:] + extra[:-1]))])
    if dose_ul_per_cm2 is not None:
        m0 = c0 * dose_ul_per_cm2 * 1e-3  # mg/cm^2 in the film
        flux_needled, q_needled = _deplete(flux_needled, q_needled, m0)
        f_int, q_int = _deplete(f_int, q_int, m0)
    return DeliveryResult(
        times_h=np.asarray(times),
        flux_needled_ug_per_cm2_h=np.asarray(flux_needled) * UG_PER_MG,
        flux_intact_ug_per_cm2_h=np.asarray(f_int) * UG_PER_MG,
        cumulative_needled_ug_per_cm2=np.asarray(q_needled) * UG_PER_MG,
        cumulative_intact_ug_per_cm2=np.asarray(q_int) * UG_PER_MG,
        open_fraction=np.asarray(g),
        channel_half_closure_hours=t_half,
        channel_closure_hours=float(closure_time_h(channels.depth_um, occluded)),
        area_fraction=channels.area_fraction,
        intact_kp_cm_per_h=kp,
        intact_lag_time_h=lag,
        channel_diffusivity_cm2_per_h=d_free,
    )


# --- a session's uptake from needle length and molecule (CLI and report) ------------------------------------


class DeliveryQuery(BaseModel):
    """Validated input: a named topical (``molecule``) or ``mw_da`` with optional ``logp``; session and film."""

    model_config = ConfigDict(extra="forbid")
    molecule: str | None = None
    mw_da: float | None = Field(None, gt=0.0, le=1e7, allow_inf_nan=False, description="molecular weight, Da")
    logp: float | None = Field(None, ge=-10.0, le=10.0, allow_inf_nan=False, description="log10 Kow")
    needle_length_mm: NeedleLengthMM
    hours: float = Field(24.0, gt=0.0, le=720.0, allow_inf_nan=False, description="hours after the session")
    occluded: bool = False
    concentration_mg_per_ml: float = Field(DEFAULT_CONCENTRATION_MG_PER_ML, gt=0.0, le=1000.0, allow_inf_nan=False)
    dose_ul_per_cm2: float | None = Field(None, gt=0.0, le=1000.0, allow_inf_nan=False,
                                          description="film volume per cm^2 (None: infinite dose)")
    dermal_clearance_per_h: float | None = Field(None, ge=0.0, le=1000.0, allow_inf_nan=False,
                                                 description="first-order dermal clearance (None: perfect sink)")
    zone: Zone = Zone.cheek
    device: NeedlingDevice = Device.roller

    @model_validator(mode="after")
    def _one_molecule(self) -> DeliveryQuery:
        if (self.molecule is None) == (self.mw_da is None):
            raise ValueError("give either molecule or mw_da (with logp), not both and not neither")
        if self.molecule is not None and self.logp is not None:
            raise ValueError("logp goes with mw_da, not with a named molecule")
        if self.mw_da is not None and self.logp is None:
            raise ValueError("mw_da needs logp")
        return self


def timecourse(res: DeliveryResult, points: int = 49) -> dict:
    """Flux and cumulative uptake, needled and intact, at ``points`` evenly spaced times (JSON-ready lists)."""
    idx = np.unique(np.linspace(0, len(res.times_h) - 1, points).round().astype(int))
    return {"times_h": res.times_h[idx].tolist(),
            "flux_needled_ug_per_cm2_h": res.flux_needled_ug_per_cm2_h[idx].tolist(),
            "flux_intact_ug_per_cm2_h": res.flux_intact_ug_per_cm2_h[idx].tolist(),
            "cumulative_needled_ug_per_cm2": res.cumulative_needled_ug_per_cm2[idx].tolist(),
            "cumulative_intact_ug_per_cm2": res.cumulative_intact_ug_per_cm2[idx].tolist(),
            "open_fraction": res.open_fraction[idx].tolist()}


def _provenance_text(provenance: Provenance | None, named: str | None) -> str:
    """Where a molecule's MW or log P comes from, for the summary: the data file's status and source, or the
    user's input."""
    if provenance is None:
        return "given as input" if named is None else "not recorded"
    return provenance.summary()


def run_query(q: DeliveryQuery) -> tuple[dict, DeliveryResult]:
    """Channel field of the session (:func:`microneedling.mechanics.injury.session_injury`) -> uptake; summary dict and result."""
    mol = topical(q.molecule) if q.molecule is not None else molecule(q.mw_da, q.logp)
    inj = injury_details(InjuryQuery.of(q)).injury
    field = ChannelField(depth_um=inj.penetration_depth_mm * 1e3, punctures_per_cm2=inj.punctures_per_cm2,
                         radius_um=inj.channel_radius_um)
    layers = skin_layers(q.zone)
    dermis_um = layers.papillary_dermis_um + layers.reticular_dermis_um
    res = simulate(mol, field, q.hours, q.occluded, q.concentration_mg_per_ml, dose_ul_per_cm2=q.dose_ul_per_cm2,
                   dermal_clearance_per_h=q.dermal_clearance_per_h, dermis_um=dermis_um,
                   sc_thickness_um=layers.stratum_corneum_um)
    enh = res.enhancement
    out = {
        "molecule": q.molecule or mol.name, "mw_da": mol.mw_da, "logp": mol.log_p,
        "stokes_radius_nm": mol.radius_nm, "concentration_mg_per_ml": q.concentration_mg_per_ml,
        "hours": q.hours, "occluded": q.occluded, "zone": q.zone.value, "device": q.device,
        "needle_length_mm": q.needle_length_mm, "channel_depth_um": field.depth_um,
        "punctures_per_cm2": field.punctures_per_cm2, "channel_radius_um": field.radius_um,
        "channel_area_fraction": field.area_fraction,
        "channel_half_closure_hours": res.channel_half_closure_hours if field.area_fraction > 0 else None,
        "channel_closure_hours": res.channel_closure_hours if field.area_fraction > 0 else None,
        "cumulative_uptake_ug_per_cm2": res.cumulative_uptake_ug_per_cm2,
        "intact_skin_uptake_ug_per_cm2": res.intact_skin_uptake_ug_per_cm2,
        "enhancement": enh,
        "intact_kp_cm_per_h": res.intact_kp_cm_per_h,
        "intact_lag_time_h": res.intact_lag_time_h if math.isfinite(res.intact_lag_time_h) else None,
        "intact_route": "open" if mol.log_p is not None else "closed (no log P: protein or polysaccharide)",
        "mw_provenance": _provenance_text(mol.mw_provenance, q.molecule),
        "logp_provenance": (None if mol.log_p is None else _provenance_text(mol.logp_provenance, q.molecule)),
        "dose_ul_per_cm2": q.dose_ul_per_cm2,
        "dermal_clearance_per_h": q.dermal_clearance_per_h,
        "dermis_um": dermis_um,
        "dose_applied_ug_per_cm2": (q.concentration_mg_per_ml * q.dose_ul_per_cm2 if q.dose_ul_per_cm2 is not None
                                    else None),
        "assumptions": ("infinite dose at constant concentration" if q.dose_ul_per_cm2 is None else
                        "finite dose: the film is drawn down (quasi-steady)")
        + ("; dermis below the channels is a perfect sink" if q.dermal_clearance_per_h is None else
           "; dermis is a well-mixed compartment with first-order clearance"),
    }
    return out, res
