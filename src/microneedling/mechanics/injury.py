"""Per-layer injury of one treatment session on one zone: the value the healing model takes as input.

:class:`Injury` is the contract between the mechanical engine (skin, devices, insertion, punctures) and
the biological one (healing, scars, trials). Comparison modalities (fractional laser, peels) produce the
same type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np
from pydantic import ValidationError

from microneedling.citations import cite
from microneedling.errors import from_validation_error
from microneedling.inputs import StrictInput
from microneedling.mechanics.devices import FittedDevice
from microneedling.mechanics.devices import device as make_device
from microneedling.mechanics.insertion import Insertion, Needle, insert, standard_needle
from microneedling.mechanics.punctures import PunctureField, coverage_fraction, puncture_field
from microneedling.patient import Sex, Zone
from microneedling.protocol import NeedlingDevice, PassCount
from microneedling.tissue.skin import SkinLayers, skin_layers
from microneedling.units import AgeYears, NeedleLengthMM


@dataclass(frozen=True)
class Injury:
    """What one session does to one zone.

    Attributes (units in names):
        modality: "microneedling", "fractional_co2" or "tca_peel".
        penetration_depth_mm: mean real depth of the injury below the skin surface.
        punctures_per_cm2: channels (or microscopic treatment zones) per cm^2; 0 for confluent injury.
        channel_radius_um: surface radius of one channel / treatment zone; 0 for confluent injury.
        epidermal_area_fraction: fraction of the epidermal surface damaged, 0-1.
        dermal_volume_fraction: fraction of the dermis volume (full dermal thickness of the zone) injured, 0-1.
        dermal_depth_bands: ((top_mm, bottom_mm, injured_volume_fraction), ...) from the dermal-epidermal
            junction down, covering the injured depth.
        reaches_dermis: True when the injury crosses the epidermis into the papillary dermis.
        bleeding: True when the superficial vascular plexus is reached (pinpoint bleeding endpoint).
        haemorrhage_ul_per_cm2: blood volume released, microlitres per cm^2 (0 without bleeding).
        bleeding_channel_fraction: fraction of channels that reach the superficial plexus, 0-1.
        exceeds_dermis: True when the injury reaches below the dermis (needle too long for the zone).
        nominal_length_mm: needle length set on the device (0 for non-needle modalities).
    """

    modality: str
    penetration_depth_mm: float
    punctures_per_cm2: float
    channel_radius_um: float
    epidermal_area_fraction: float
    dermal_volume_fraction: float
    dermal_depth_bands: tuple[tuple[float, float, float], ...]
    reaches_dermis: bool
    bleeding: bool
    haemorrhage_ul_per_cm2: float
    bleeding_channel_fraction: float = 0.0
    exceeds_dermis: bool = False
    nominal_length_mm: float = 0.0

    def __post_init__(self) -> None:
        for name in ("epidermal_area_fraction", "dermal_volume_fraction"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} = {v} outside [0, 1]")
        for name in ("penetration_depth_mm", "punctures_per_cm2", "channel_radius_um", "haemorrhage_ul_per_cm2"):
            if getattr(self, name) < 0.0:
                raise ValueError(f"{name} = {getattr(self, name)} is negative")


# --- microneedling: one session on one zone ------------------------------------------------------------------


class InjuryQuery(StrictInput):
    """Validated input of :func:`session_injury` (frozen: equal queries hash alike, so results can be cached)."""

    zone: Zone
    device: NeedlingDevice
    needle_length_mm: NeedleLengthMM
    passes: PassCount | None = None
    sex: Sex = Sex.F
    age_years: AgeYears = 30.0

    @classmethod
    def of(cls, validated: Any) -> InjuryQuery:
        """The injury query of an already validated input (a protocol, a course, a spatial or delivery query)
        that carries these fields; missing ones take their defaults. Not validated again."""
        return cls.model_construct(**{k: getattr(validated, k) for k in cls.model_fields if hasattr(validated, k)})


def _validated(**fields) -> InjuryQuery:
    try:
        return InjuryQuery(**fields)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def depth_bands(layers: SkinLayers, needle: Needle, depth_um: float, punctures_per_cm2: float,
                band_um: float = 100.0, samples: int = 16) -> tuple[tuple[float, float, float], ...]:
    """Injured volume fraction of dermal bands (top_mm, bottom_mm, fraction) from the dermal-epidermal junction
    down to the channel tip (or the bottom of the dermis). At depth z a channel's cross-section is the needle's
    radius at distance ``depth - z`` from its tip; overlap by the Boolean model."""
    top, bottom = layers.epidermis_um, min(depth_um, layers.full_thickness_um)
    bands = []
    z0 = top
    while z0 < bottom - 1e-9:
        z1 = min(z0 + band_um, bottom)
        z = z0 + (np.arange(samples) + 0.5) * (z1 - z0) / samples
        frac = coverage_fraction(punctures_per_cm2, needle.radius_at_um(depth_um - z))
        bands.append((z0 / 1e3, z1 / 1e3, float(np.mean(frac))))
        z0 = z1
    return tuple(bands)


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


@dataclass(frozen=True)
class SessionDetails:
    """Everything :func:`session_injury` computed: the injury and the steps behind it."""

    injury: Injury
    layers: SkinLayers
    insertion: Insertion
    field: PunctureField
    passes: int
    device: FittedDevice | None = None


def session_injury(zone: Zone | str, device: str, needle_length_mm: float, passes: int | None = None,
                   sex: Sex | str = "F", age_years: float = 30.0, **kinematics: float | None) -> Injury:
    """Per-layer injury of one microneedling session (``passes=None``: the device's usual passes).

    Chain: layered skin of the zone -> device and needle -> real penetration (insertion) -> puncture field ->
    epidermal area fraction, dermal injury by depth band, plexus reached (pinpoint bleeding), blood volume.
    Bleeding: a channel bleeds when it reaches the superficial plexus (bottom of the papillary dermis); channel
    depths are normal with the Kalluri2011 coefficient of variation; the session "bleeds" when at least half
    the channels do (uniform pinpoint bleeding, Farber2020). Blood volume: each bleeding channel fills below the
    plexus (a lower estimate; derived, no measured value found). Raises :class:`InputError` on bad input.
    Keyword-only ``kinematics`` (pen: needle_count, stroke_frequency_Hz, glide_speed_mm_per_s,
    footprint_width_mm, footprint_length_mm; stamp: needle_count, stamp_area_mm2) set the per-pass density
    (see :func:`microneedling.mechanics.devices.device`); without them the device's default density is used.
    """
    return session_details(zone, device, needle_length_mm, passes, sex, age_years, **kinematics).injury


def session_details(zone: Zone | str, device: str, needle_length_mm: float, passes: int | None = None,
                    sex: Sex | str = "F", age_years: float = 30.0, **kinematics: float | None) -> SessionDetails:
    """:func:`session_injury` with its intermediate results (layers, insertion, puncture field)."""
    return injury_details(_validated(zone=zone, device=device, needle_length_mm=needle_length_mm, passes=passes,
                                     sex=sex, age_years=age_years), **kinematics)


def injury_details(q: InjuryQuery, **kinematics: float | None) -> SessionDetails:
    """:func:`session_details` of a validated query (inner callers hold validated inputs already)."""
    layers = skin_layers(q.zone, q.sex, q.age_years)
    dev = make_device(q.device, q.needle_length_mm, **kinematics)
    n_passes = q.passes if q.passes is not None else dev.usual_passes
    ins = insert(dev.needle, dev.in_pass_spacing_um, dev.insertion_speed_mm_per_s)
    depth_um = 1e3 * ins.penetration_depth_mm
    field = puncture_field(dev, n_passes, ins.channel_radius_um)
    n = field.punctures_per_cm2
    cite("Farber2020")
    cite("BraunDermoscopedia")
    if not ins.pierced:
        inj = Injury(modality="microneedling", penetration_depth_mm=0.0, punctures_per_cm2=0.0,
                     channel_radius_um=0.0, epidermal_area_fraction=0.0, dermal_volume_fraction=0.0,
                     dermal_depth_bands=(), reaches_dermis=False, bleeding=False, haemorrhage_ul_per_cm2=0.0,
                     nominal_length_mm=q.needle_length_mm)
        return SessionDetails(inj, layers, ins, field, n_passes, dev)
    bands = depth_bands(layers, dev.needle, depth_um, n)
    dermal_fraction = sum((b - t) * f for t, b, f in bands) * 1e3 / layers.dermis_um
    sd_um = 1e3 * ins.depth_sd_mm
    mu = depth_um - layers.plexus_depth_um
    bleed_frac = _normal_cdf(mu / sd_um) if sd_um > 0 else float(mu >= 0)
    # expected length of channel below the plexus, E[(D - plexus)+] for normal D
    excess_um = (sd_um * math.exp(-0.5 * (mu / sd_um) ** 2) / math.sqrt(2 * math.pi) + mu * bleed_frac
                 if sd_um > 0 else max(mu, 0.0))
    blood_ul = field.holes_per_cm2 * math.pi * ins.channel_radius_um**2 * excess_um / 1e9
    inj = Injury(
        modality="microneedling", penetration_depth_mm=ins.penetration_depth_mm, punctures_per_cm2=field.holes_per_cm2,
        channel_radius_um=ins.channel_radius_um, epidermal_area_fraction=field.coverage_fraction,
        dermal_volume_fraction=min(max(dermal_fraction, 0.0), 1.0), dermal_depth_bands=bands,
        reaches_dermis=depth_um > layers.epidermis_um, bleeding=bleed_frac >= 0.5,
        haemorrhage_ul_per_cm2=blood_ul, bleeding_channel_fraction=bleed_frac,
        exceeds_dermis=depth_um > layers.full_thickness_um, nominal_length_mm=q.needle_length_mm,
    )
    return SessionDetails(inj, layers, ins, field, n_passes, dev)


def max_needle_length_mm(zone: Zone | str, sex: Sex | str = "F", age_years: float = 30.0) -> float:
    """Longest needle whose real depth stays within the dermis of the zone (mm): dermis bottom + dimple."""
    layers = skin_layers(zone, sex, age_years)
    dimple = insert(standard_needle(1.0)).dimple_depth_um
    return (layers.full_thickness_um + dimple) / 1e3


def bleeding_fraction(depth_um, depth_sd_um, plexus_depth_um):
    """Fraction of channels reaching the plexus, Phi((depth - plexus) / sd); JAX, vectorised over patients."""
    from jax.scipy.stats import norm

    return norm.cdf((jnp.asarray(depth_um) - plexus_depth_um) / depth_sd_um)
