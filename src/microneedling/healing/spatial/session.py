"""One microneedling session on the spatial model: device and passes -> puncture field -> healing on a grid.

The session is the mechanics layer's (:func:`microneedling.mechanics.injury.injury_details`: skin layers of
the zone, the device, real penetration at the device's insertion speed, passes); the puncture positions are
a Poisson field per pass at the device's per-pass density
(:func:`microneedling.mechanics.punctures.sample_punctures`) and the channel radius at the modelled depth
comes from the needle geometry. The plane sits at ``depth_mm`` below the
surface; by default halfway between the dermal-epidermal junction and the channel tip, where the needle is
at its full shaft radius for the usual lengths. The axisymmetric option replaces the random field by one
channel in the disc of area ``1 / density`` (the unit-cell approximation of a regular field).
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from microneedling.errors import InputError
from microneedling.healing.spatial.field import channel_fraction_plane, channel_fraction_radial
from microneedling.healing.spatial.grid import PlaneGrid, RadialGrid
from microneedling.healing.spatial.model import SpatialResult, simulate_plane, simulate_radial
from microneedling.healing.spatial.tissue import healing_problem
from microneedling.mechanics.injury import InjuryQuery, injury_details
from microneedling.mechanics.punctures import sample_punctures
from microneedling.patient import Sex, Zone
from microneedling.protocol import NeedlingDevice, PassCount
from microneedling.units import AgeYears, NeedleLengthMM


class SpatialQuery(BaseModel):
    """Input of :func:`run_spatial` (units in names; refusal bounds, not clinical advice)."""

    model_config = ConfigDict(extra="forbid")
    device: NeedlingDevice
    needle_length_mm: NeedleLengthMM
    passes: PassCount | None = None
    weeks: Annotated[float, Field(gt=0.0, le=52.0, allow_inf_nan=False)] = 12.0
    zone: Zone = Zone.cheek
    sex: Sex = Sex.F
    age_years: AgeYears = 30.0
    depth_mm: Annotated[float, Field(gt=0.0, le=3.0, allow_inf_nan=False)] | None = None
    geometry: Literal["plane", "radial"] = "plane"
    grid: Annotated[int, Field(ge=8, le=512)] = 64
    patch_mm: Annotated[float, Field(ge=0.5, le=20.0, allow_inf_nan=False)] = 4.0
    saves: Annotated[int, Field(ge=1, le=52)] = 12
    steps_per_save: Annotated[int, Field(ge=4, le=400)] = 40
    seed: Annotated[int, Field(ge=0)] = 0
    motility_scale: Annotated[float, Field(gt=0.0, le=100.0, allow_inf_nan=False)] = 1.0

    @model_validator(mode="after")
    def _grid_power_of_two_friendly(self) -> SpatialQuery:
        if self.geometry == "plane" and self.grid % 2:
            raise ValueError(f"grid = {self.grid}: must be even for the periodic plane")
        return self


def channel_geometry(q: SpatialQuery) -> dict:
    """Penetration, plane depth, channel radius at that depth, per-pass density and passes of the session."""
    details = injury_details(InjuryQuery.of(q))
    dev, passes, ins, layers = details.device, details.passes, details.insertion, details.layers
    pen_mm = ins.penetration_depth_mm if ins.pierced else 0.0
    epi_mm = layers.epidermis_um / 1e3
    if pen_mm <= epi_mm:
        raise InputError("needle_length_mm", q.needle_length_mm,
                         f"the channel ({pen_mm:.3f} mm) must reach the dermis ({epi_mm:.3f} mm) on {q.zone.value}")
    depth = q.depth_mm if q.depth_mm is not None else 0.5 * (epi_mm + min(pen_mm, layers.full_thickness_um / 1e3))
    if not epi_mm <= depth < pen_mm:
        raise InputError("depth_mm", q.depth_mm,
                         f"must lie in the injured dermis, [{epi_mm:.3f}, {pen_mm:.3f}) mm for this needle and zone")
    radius_um = float(dev.needle.radius_at_um(1e3 * (pen_mm - depth)))
    return {"device": dev.name, "passes": passes, "per_pass_per_cm2": dev.holes_per_pass_per_cm2,
            "punctures_per_cm2": dev.holes_per_pass_per_cm2 * passes, "penetration_depth_mm": pen_mm,
            "depth_mm": depth, "channel_radius_um": radius_um}


def run_spatial(q: SpatialQuery) -> tuple[dict, SpatialResult]:
    """Solve the session; return a JSON-ready summary and the full result (maps for figures)."""
    geo = channel_geometry(q)
    problem = healing_problem(q.age_years, motility_scale=q.motility_scale)
    t_end = 7.0 * q.weeks
    start = time.perf_counter()
    if q.geometry == "plane":
        grid = PlaneGrid(q.grid, q.patch_mm)
        pts = sample_punctures(q.seed, geo["per_pass_per_cm2"], geo["passes"], q.patch_mm)
        phi = channel_fraction_plane(grid, pts, geo["channel_radius_um"] / 1e3)
        res = simulate_plane(problem, grid, phi, t_end, q.saves, q.steps_per_save)
        grid_info = {"geometry": "plane", "n": q.grid, "patch_mm": q.patch_mm, "h_um": 1e3 * grid.h_mm,
                     "cells": grid.cells, "channels": int(len(pts))}
    else:
        grid = RadialGrid.unit_cell(geo["punctures_per_cm2"], q.grid)
        phi = channel_fraction_radial(grid, geo["channel_radius_um"] / 1e3)
        res = simulate_radial(problem, grid, phi, t_end, q.saves, q.steps_per_save)
        grid_info = {"geometry": "radial", "n": q.grid, "radius_mm": grid.radius_mm, "h_um": 1e3 * grid.h_mm,
                     "cells": q.grid, "channels": 1}
    seconds = time.perf_counter() - start
    injured = float(np.sum(phi * res.weights))
    summary = {
        **geo,
        "weeks": q.weeks,
        "coverage": float(res.coverage[-1]),
        "uniformity": float(res.uniformity[-1]),
        "grid": grid_info,
        "seconds": seconds,
        "injured_area_fraction": injured,
        "times_weeks": (res.times_d / 7.0).tolist(),
        "coverage_series": res.coverage.tolist(),
        "uniformity_series": res.uniformity.tolist(),
        "mean_new_collagen": res.mean_new_collagen.tolist(),
        "lumped_reference_new_collagen": res.lumped_new_collagen.tolist(),
        "coverage_threshold": res.threshold,
    }
    return summary, res
