"""Resealing of microneedle channels after a session: open fraction over hours, slower under occlusion.

First-order closure: the open fraction of each channel is g(t) = 2^(-t / t_half). The half-closure time grows with
channel depth as a power law fitted to the two DermaRoller channel depths of Kalluri et al. (2011, calcein
imaging, non-occluded: closed by 12 h at 370 um and 18 h at 770 um needles; depth taken proportional to needle
length), and occlusion multiplies it by a factor calibrated to the human impedance half-lives of PMC8259462.
A channel counts as "closed" after n_half half-lives, n_half being the ratio of mean closure time to mean
closure half-life reported by that same human study (2.62). Units: hours, micrometres.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from microneedling.params import parameter_value

_P = "delivery.resealing."


@dataclass(frozen=True)
class Resealing:
    """Parameters of channel closure (see module docstring)."""

    reference_half_life_h: float
    reference_depth_um: float
    depth_exponent: float
    occlusion_factor: float
    closure_half_lives: float

    @classmethod
    def published(cls) -> Resealing:
        return cls(
            reference_half_life_h=parameter_value(_P + "non_occluded.reference_half_life_h"),
            reference_depth_um=parameter_value(_P + "non_occluded.reference_depth_um"),
            depth_exponent=parameter_value(_P + "depth_exponent"),
            occlusion_factor=parameter_value(_P + "occlusion_factor"),
            closure_half_lives=parameter_value(_P + "closure_half_lives"),
        )


def closure_half_lives_from_human_data() -> float:
    """n_half: mean over sites of (mean closure time / mean closure half-life), PMC8259462."""
    ratios = [parameter_value(f"{_P}human.{s}.closure_h") / parameter_value(f"{_P}human.{s}.half_life_h")
              for s in ("abdomen", "upper_arm", "forearm")]
    return sum(ratios) / len(ratios)


def depth_exponent_from_kalluri() -> float:
    """alpha = ln(t_close(770) / t_close(370)) / ln(770 / 370) (Kalluri 2011)."""
    t370 = parameter_value(_P + "kalluri.needle_370.closure_h")
    t770 = parameter_value(_P + "kalluri.needle_770.closure_h")
    l370 = parameter_value(_P + "kalluri.needle_370.length_um")
    l770 = parameter_value(_P + "kalluri.needle_770.length_um")
    return float(jnp.log(t770 / t370) / jnp.log(l770 / l370))


def half_closure_h(depth_um, occluded: bool = False, params: Resealing | None = None):
    """Half-closure time t_half (hours) of a channel ``depth_um`` deep."""
    p = params or Resealing.published()
    depth = jnp.maximum(jnp.asarray(depth_um, dtype=float), 1e-6)
    t = p.reference_half_life_h * (depth / p.reference_depth_um) ** p.depth_exponent
    return t * (p.occlusion_factor if occluded else 1.0)


def closure_time_h(depth_um, occluded: bool = False, params: Resealing | None = None):
    """Time (hours) after which the channel counts as closed: n_half half-closure times."""
    p = params or Resealing.published()
    return p.closure_half_lives * half_closure_h(depth_um, occluded, p)


def open_fraction(t_h, half_life_h):
    """Open fraction g(t) = 2^(-t / t_half) of a channel at ``t_h`` hours after the session."""
    return jnp.exp2(-jnp.maximum(jnp.asarray(t_h, dtype=float), 0.0) / half_life_h)
