"""Atrophic acne scar geometry and its response to remodelling: icepick, boxcar, rolling.

A scar is a depression of depth ``depth_mm`` and surface width ``width_mm`` with walls at ``wall_slope_deg``
(Fabbrocini et al. 2010, Table 1 after Jacob 2001: icepick narrow (< 2 mm) V-shaped tracts; boxcar 1.5-4 mm wide
with vertical edges, shallow 0.1-0.5 mm or deep >= 0.5 mm; rolling > 4-5 mm wide, undulating, tethered to the
subcutis). ``tethering`` is the share of the depth held down by fibrous bands.

Response (our model; rates calibrated, see ``data/parameters/scars.csv``):

    depth(t) = depth0 x (1 - tethering x released(t)) x exp(-raise(t) / depth0)
    raise(t) = fill x access(width) x K(t) x layer_mm                     (floor lifted by matured new collagen)
    dK/dt = (max(dC(t), 0) - K) / maturation_time                         (new collagen matures with a lag)
    access(width) = width^2 / (width^2 + access_width^2)                  (narrow tracts take up less)
    released(t) = clip((A_scar - A(t)) / (A_scar - A_base), 0, 1)         (aligned tethering bands remodelled)

``dC`` is the net new collagen (type-weighted relative excess of collagen I and III) and ``A`` the alignment
from :mod:`microneedling.healing.model`; ``layer_mm`` is the injured dermis under the scar floor (needle depth minus
scar depth). Icepick scars (narrow, deep, untethered) respond least and rolling scars (wide, tethered) most.
Pure JAX: vmap over patients and scars.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.params import parameter_value
from microneedling.patient import ScarType


class ScarShape(NamedTuple):
    """One scar (or a group of alike scars): geometry and tethering."""

    depth_mm: float
    width_mm: float
    wall_slope_deg: float
    tethering: float


class ScarResponse(NamedTuple):
    fill: float
    access_width_mm: float
    scar_alignment: float
    maturation_time_d: float


def typical_scar(scar_type: ScarType | str, depth_mm: float | None = None, width_mm: float | None = None) -> ScarShape:
    """The typical scar of a type (Fabbrocini 2010 Table 1), with depth/width overridable."""
    t = ScarType(scar_type).value
    return ScarShape(
        depth_mm=parameter_value(f"scars.{t}.depth_mm") if depth_mm is None else float(depth_mm),
        width_mm=parameter_value(f"scars.{t}.width_mm") if width_mm is None else float(width_mm),
        wall_slope_deg=parameter_value(f"scars.{t}.wall_slope_deg"),
        tethering=parameter_value(f"scars.{t}.tethering_fraction"),
    )


SIZE_CLASSES: tuple[str, ...] = ("small", "medium", "large")
"""Size classes a provider charts a scar by when it is not measured; ``medium`` is the typical scar."""


def size_class_scar(scar_type: ScarType | str, size: str = "medium") -> tuple[float, float]:
    """(depth_mm, width_mm) of a scar of ``scar_type`` in size class ``size`` (small, medium, large): medium is
    :func:`typical_scar`; small and large are the ``scars.<type>.<size>.depth_mm`` / ``.width_mm`` rows, set
    within the ranges of Fabbrocini 2010 Table 1 (see ``data/parameters/scars.csv``)."""
    t = ScarType(scar_type).value
    if size not in SIZE_CLASSES:
        raise ValueError(f"size class must be one of {SIZE_CLASSES}, got {size!r}")
    if size == "medium":
        shape = typical_scar(t)
        return shape.depth_mm, shape.width_mm
    return parameter_value(f"scars.{t}.{size}.depth_mm"), parameter_value(f"scars.{t}.{size}.width_mm")


def scar_response_params() -> ScarResponse:
    return ScarResponse(fill=parameter_value("scars.fill_efficiency"),
                        access_width_mm=parameter_value("scars.access_width_mm"),
                        scar_alignment=parameter_value("scars.scar_alignment"),
                        maturation_time_d=parameter_value("scars.maturation_time_d"))


def net_new_collagen(c1_rel, c3_rel, collagen1_fraction):
    """Type-weighted relative collagen excess over baseline (0 at baseline)."""
    return collagen1_fraction * (c1_rel - 1.0) + (1.0 - collagen1_fraction) * (c3_rel - 1.0)


@jax.jit
def matured(t_days, x, tau_d):
    """First-order lag K of ``x`` (dK/dt = (x - K) / tau, K(t0) = 0) on the increasing grid ``t_days``, exact for
    ``x`` linear between grid points (so accurate when the grid resolves ``x``; weekly is enough for months).

    Jitted, so that an eager call compiles once per input shape instead of once per call (an un-jitted
    ``lax.scan`` traces a new closure each time and JAX keeps every compiled program)."""
    t_days, x = jnp.asarray(t_days, dtype=jnp.float64), jnp.asarray(x, dtype=jnp.float64)
    h = jnp.diff(t_days)
    z = h / tau_d
    e = jnp.exp(-z)
    safe = jnp.where(z > 1e-8, z, 1.0)
    # K1 = e K0 + a x0 + b x1 for x linear on the step
    b = jnp.where(z > 1e-8, 1.0 - (1.0 - e) / safe, 0.5 * z)
    a = (1.0 - e) - b

    def step(k, inp):
        ek, ak, bk, x0, x1 = inp
        k1 = ek * k + ak * x0 + bk * x1
        return k1, k1

    _, ks = jax.lax.scan(step, jnp.zeros_like(x[0]), (e, a, b, x[:-1], x[1:]))
    return jnp.concatenate([jnp.zeros_like(x[:1]), ks])


def scar_depth(t_days, depth0_mm, width_mm, tethering, net_collagen, alignment, layer_mm, fill, access_width_mm,
               scar_alignment, alignment_baseline, maturation_time_d):
    """Scar depth (mm) along trajectories (over ``t_days``, starting before or at the first session) of net new
    collagen and alignment."""
    access = width_mm**2 / (width_mm**2 + access_width_mm**2)
    lift = fill * access * matured(t_days, jnp.maximum(net_collagen, 0.0), maturation_time_d) * layer_mm
    released = jnp.clip((scar_alignment - alignment) / (scar_alignment - alignment_baseline), 0.0, 1.0)
    return depth0_mm * (1.0 - tethering * released) * jnp.exp(-lift / depth0_mm)


def layer_below_floor_mm(penetration_depth_mm, depth0_mm):
    """Injured dermis under the scar floor (mm): needle depth minus scar depth (0 if the needle stops above it);
    numbers or JAX arrays (traceable)."""
    return jnp.maximum(jnp.asarray(penetration_depth_mm, dtype=jnp.float64) - depth0_mm, 0.0)


def profile(shape: ScarShape, depth_mm: float, x_mm: np.ndarray) -> np.ndarray:
    """Surface height (mm, negative down) across a scar centred at 0: flat floor of the current depth, walls at
    the scar's slope, for figures (NumPy; not on the hot path)."""
    half = shape.width_mm / 2.0
    run = depth_mm / np.tan(np.radians(max(shape.wall_slope_deg, 1.0)))
    floor_half = max(half - run, 0.0)
    r = np.abs(x_mm)
    wall = -depth_mm * np.clip((half - r) / max(run, 1e-9), 0.0, 1.0)
    return np.where(r <= floor_half, -depth_mm, np.where(r <= half, wall, 0.0))
