"""Aqueous diffusion of a solute in a water-filled pore: Stokes radius, Stokes-Einstein diffusivity, Renkin hindrance.

* Stokes radius from molecular weight where no radius is given: the radius of a compact sphere of the solute's
  mass and partial specific volume v (Erickson 2009: Rmin = (3 M v / (4 pi N_A))^(1/3) = 0.066 M^(1/3) nm for
  v = 0.73 cm^3/g). A lower bound for coils such as hyaluronic acid.
* Stokes-Einstein: D = k_B T / (6 pi eta r), water viscosity at body temperature (International Critical Tables).
* Renkin (1954) hindrance of diffusion in a cylindrical pore of radius a for lambda = r / a < 1:
  H = (1 - lambda)^2 (1 - 2.104 lambda + 2.09 lambda^3 - 0.95 lambda^5), and 0 for lambda >= 1.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from microneedling.params import parameter_value

BOLTZMANN_J_PER_K = 1.380649e-23  # exact (SI 2019)
AVOGADRO_PER_MOL = 6.02214076e23  # exact (SI 2019)


def stokes_radius_nm(mw_da, partial_specific_volume_cm3_per_g: float | None = None):
    """Radius (nm) of a compact sphere of molecular weight ``mw_da`` and partial specific volume v."""
    v = (partial_specific_volume_cm3_per_g if partial_specific_volume_cm3_per_g is not None
         else parameter_value("delivery.solute.partial_specific_volume_cm3_per_g"))
    volume_cm3 = jnp.asarray(mw_da) * v / AVOGADRO_PER_MOL
    return (3.0 * volume_cm3 / (4.0 * math.pi)) ** (1.0 / 3.0) * 1e7


def stokes_einstein_cm2_per_h(radius_nm, temperature_K: float | None = None, viscosity_mPa_s: float | None = None):
    """Free aqueous diffusivity (cm^2/h) of a sphere of radius ``radius_nm`` in water."""
    t_k = temperature_K if temperature_K is not None else parameter_value("delivery.tissue.temperature_K")
    eta = (viscosity_mPa_s if viscosity_mPa_s is not None
           else parameter_value("delivery.tissue.water_viscosity_mPa_s")) * 1e-3
    d_m2_per_s = BOLTZMANN_J_PER_K * t_k / (6.0 * math.pi * eta * jnp.asarray(radius_nm) * 1e-9)
    return d_m2_per_s * 1e4 * 3600.0


def renkin_hindrance(lam):
    """Renkin (1954) diffusive hindrance factor for solute/pore radius ratio ``lam`` (1 at 0, 0 from 1 on)."""
    lam = jnp.clip(jnp.asarray(lam, dtype=float), 0.0, 1.0)
    h = (1.0 - lam) ** 2 * (1.0 - 2.104 * lam + 2.09 * lam**3 - 0.95 * lam**5)
    return jnp.where(lam >= 1.0, 0.0, jnp.maximum(h, 0.0))


def hindered_diffusivity_cm2_per_h(radius_nm, pore_radius_nm):
    """Diffusivity (cm^2/h) in a cylindrical water-filled pore: free Stokes-Einstein value times Renkin H."""
    lam = jnp.asarray(radius_nm) / jnp.maximum(jnp.asarray(pore_radius_nm, dtype=float), 1e-30)
    return stokes_einstein_cm2_per_h(radius_nm) * renkin_hindrance(lam)
