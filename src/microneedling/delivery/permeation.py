"""Intact-skin permeation: Potts & Guy (1992) permeability and the stratum corneum lag time.

log10 kp [cm/h] = a + b log Kow - c MW [Da]  (Potts & Guy 1992, fitted to Flynn's aqueous human-skin set).
Potts & Guy read the equation as kp = K D / h with K = Kow^b (stratum corneum/water partition) and
log10(D / h) = a - c MW, so the same coefficients give the diffusivity and the lag time h^2 / (6 D) of the
stratum corneum (thickness h, Egawa et al. 2007 for the cheek). Pure functions of plain floats or JAX arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from microneedling.params import parameter_value


@dataclass(frozen=True)
class PottsGuy:
    """Coefficients of the Potts-Guy equation (log10 kp in cm/h)."""

    intercept: float
    logp_coefficient: float
    mw_coefficient: float

    @classmethod
    def published(cls) -> PottsGuy:
        return cls(
            intercept=parameter_value("delivery.potts_guy.intercept"),
            logp_coefficient=parameter_value("delivery.potts_guy.logp_coefficient"),
            mw_coefficient=parameter_value("delivery.potts_guy.mw_coefficient"),
        )


def log_kp_cm_per_h(mw_da, log_p, coefficients: PottsGuy | None = None):
    """log10 of the intact-skin permeability coefficient kp (cm/h) from MW (Da) and log Kow."""
    c = coefficients or PottsGuy.published()
    return c.intercept + c.logp_coefficient * jnp.asarray(log_p) - c.mw_coefficient * jnp.asarray(mw_da)


def kp_cm_per_h(mw_da, log_p, coefficients: PottsGuy | None = None):
    """Intact-skin permeability coefficient kp (cm/h)."""
    return 10.0 ** log_kp_cm_per_h(mw_da, log_p, coefficients)


def sc_partition(log_p, coefficients: PottsGuy | None = None):
    """Stratum corneum/water partition coefficient K = Kow^b (dimensionless)."""
    c = coefficients or PottsGuy.published()
    return 10.0 ** (c.logp_coefficient * jnp.asarray(log_p))


def sc_diffusivity_over_thickness_cm_per_h(mw_da, coefficients: PottsGuy | None = None):
    """D / h of the stratum corneum (cm/h): 10^(a - c MW)."""
    c = coefficients or PottsGuy.published()
    return 10.0 ** (c.intercept - c.mw_coefficient * jnp.asarray(mw_da))


def sc_thickness_um() -> float:
    """Stratum corneum thickness of the facial (cheek) skin, um (Egawa et al. 2007)."""
    return parameter_value("delivery.stratum_corneum.cheek.thickness_um")


def sc_diffusivity_cm2_per_h(mw_da, thickness_um: float | None = None, coefficients: PottsGuy | None = None):
    """Stratum corneum diffusivity D = (D/h) h (cm^2/h)."""
    h_cm = (thickness_um if thickness_um is not None else sc_thickness_um()) * 1e-4
    return sc_diffusivity_over_thickness_cm_per_h(mw_da, coefficients) * h_cm


def lag_time_h(mw_da, thickness_um: float | None = None, coefficients: PottsGuy | None = None):
    """Lag time through the stratum corneum, h^2 / (6 D) (hours)."""
    h_cm = (thickness_um if thickness_um is not None else sc_thickness_um()) * 1e-4
    return h_cm**2 / (6.0 * sc_diffusivity_cm2_per_h(mw_da, thickness_um, coefficients))
