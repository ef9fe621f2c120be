"""Per-layer injury of one treatment session on one zone: the value the healing model takes as input.

:class:`Injury` is the contract between the mechanical engine (skin, devices, insertion, punctures) and
the biological one (healing, scars, trials). Comparison modalities (fractional laser, peels) produce the
same type.
"""

from __future__ import annotations

from dataclasses import dataclass


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

    def __post_init__(self) -> None:
        for name in ("epidermal_area_fraction", "dermal_volume_fraction"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} = {v} outside [0, 1]")
        for name in ("penetration_depth_mm", "punctures_per_cm2", "channel_radius_um", "haemorrhage_ul_per_cm2"):
            if getattr(self, name) < 0.0:
                raise ValueError(f"{name} = {getattr(self, name)} is negative")
