"""A treatment course: session protocol -> injury -> healing -> scar depth -> Goodman & Baron score over weeks.

:func:`course_trajectory` is the pure JAX core (vmap over patients: healing parameters, doses, scar geometry);
:func:`run_course` validates a :class:`CourseQuery`, asks the mechanical engine for the injury of one session
(:func:`microneedling.mechanics.injury.session_injury`), maps it to a dose (:func:`microneedling.healing.model.injury_dose`) and
returns weekly series. Sessions are at weeks 0, interval, 2 x interval, ...; week 0 is the first session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from microneedling.citations import cite
from microneedling.healing import model as healing
from microneedling.mechanics.injury import Injury, session_injury
from microneedling.outcomes import goodman_baron as scoring
from microneedling.patient import ScarType, Sex, Zone
from microneedling.tissue import scars
from microneedling.units import AgeYears, NeedleLengthMM, PositiveWeeks


class CourseQuery(BaseModel):
    """Validated input of :func:`run_course` (units in names)."""

    model_config = ConfigDict(extra="forbid")
    zone: Zone
    scar: ScarType
    device: Literal["roller", "pen", "stamp"]
    needle_length_mm: NeedleLengthMM
    sessions: Annotated[int, Field(ge=1, le=20)]
    interval_weeks: Annotated[float, Field(ge=1.0, le=26.0, allow_inf_nan=False)]
    weeks: PositiveWeeks = 52.0
    age_years: AgeYears = 30.0
    sex: Sex = Sex.F
    passes: Annotated[int, Field(ge=1, le=100)] | None = None
    scar_count: Annotated[int, Field(ge=1, le=500)] = 12
    scar_depth_mm: Annotated[float, Field(gt=0.0, le=3.0, allow_inf_nan=False)] | None = None
    scar_width_mm: Annotated[float, Field(gt=0.0, le=20.0, allow_inf_nan=False)] | None = None


@dataclass
class CourseResult:
    weeks: list[float]
    collagen_I_rel: list[float]
    collagen_III_rel: list[float]
    elastin_rel: list[float]
    alignment: list[float]
    scar_depth_mm: list[float]
    gb_quantitative: list[float]
    gb_grade: list[int]
    dose_per_session: float
    session_weeks: list[float]
    injury: Injury
    shape: scars.ScarShape
    cells: dict[str, list[float]] = field(default_factory=dict)

    def as_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("weeks", "collagen_I_rel", "collagen_III_rel", "elastin_rel", "alignment",
                                              "scar_depth_mm", "gb_quantitative", "gb_grade")}
        out.update(dose_per_session=self.dose_per_session, session_weeks=self.session_weeks,
                   penetration_depth_mm=self.injury.penetration_depth_mm,
                   dermal_volume_fraction=self.injury.dermal_volume_fraction,
                   scar={"depth_mm": self.shape.depth_mm, "width_mm": self.shape.width_mm,
                         "wall_slope_deg": self.shape.wall_slope_deg, "tethering": self.shape.tethering})
        return out


def course_trajectory(params: healing.HealingParams, session_days, session_doses, t_eval_days, type_code, count,
                      depth0_mm, width_mm, tethering, layer_mm, response: scars.ScarResponse):
    """Pure core: healing state, scar depth, G&B score and grade at ``t_eval_days`` (jit/vmap-able)."""
    y0 = healing.baseline_state(params, alignment=response.scar_alignment)
    y = healing.simulate(params, session_days, session_doses, t_eval_days, y0=y0)
    dc = scars.net_new_collagen(y[:, healing.C1], y[:, healing.C3], params.collagen1_fraction)
    depth = scars.scar_depth(t_eval_days, depth0_mm, width_mm, tethering, dc, y[:, healing.A], layer_mm,
                             response.fill, response.access_width_mm, response.scar_alignment,
                             params.alignment_baseline, response.maturation_time_d)
    tc = jnp.full((1,), type_code)
    cnt = jnp.full((1,), count)
    score = jax.vmap(lambda d: scoring.population_score(tc, cnt, d[None]))(depth)
    grade = jax.vmap(lambda d: scoring.qualitative_grade(tc, cnt, d[None]))(depth)
    return y, depth, score, grade


_course_jit = jax.jit(course_trajectory)


def run_course(q: CourseQuery, injury: Injury | None = None,
               response: scars.ScarResponse | None = None) -> CourseResult:
    """Simulate a course on one scar group of ``q.scar`` type (weekly read-out, week 0 = first session)."""
    inj = injury if injury is not None else session_injury(q.zone, q.device, q.needle_length_mm, q.passes,
                                                             q.sex, q.age_years)
    dose = healing.injury_dose(inj)
    shape = scars.typical_scar(q.scar, q.scar_depth_mm, q.scar_width_mm)
    for key in ("WaughSherratt2006", "Cumming2010", "McDougall2006", "Varani2006", "Fabbrocini2010",
                "GoodmanBaron2006quant", "GoodmanBaron2006qual"):
        cite(key)
    params = healing.default_healing_params(q.age_years)
    response = scars.scar_response_params() if response is None else response
    session_weeks = [k * q.interval_weeks for k in range(q.sessions)]
    n_weeks = int(np.floor(q.weeks))
    weeks = np.arange(0, n_weeks + 1, dtype=float)
    y, depth, score, grade = _course_jit(
        params, jnp.asarray(session_weeks) * 7.0, jnp.full(q.sessions, dose), jnp.asarray(weeks) * 7.0,
        scoring.TYPE_CODE[q.scar], q.scar_count, shape.depth_mm, shape.width_mm, shape.tethering,
        scars.layer_below_floor_mm(inj.penetration_depth_mm, shape.depth_mm), response)
    y = np.asarray(y)
    cells = {name: y[:, idx].tolist() for name, idx in (("inflammatory_macrophages", healing.MI),
                                                        ("repair_macrophages", healing.MR), ("tgfb", healing.T),
                                                        ("fibroblasts_rel", healing.F),
                                                        ("myofibroblasts_rel", healing.MF), ("mmp_rel", healing.MMP))}
    return CourseResult(
        weeks=weeks.tolist(), collagen_I_rel=y[:, healing.C1].tolist(), collagen_III_rel=y[:, healing.C3].tolist(),
        elastin_rel=y[:, healing.E].tolist(), alignment=y[:, healing.A].tolist(),
        scar_depth_mm=np.asarray(depth).tolist(), gb_quantitative=np.asarray(score).tolist(),
        gb_grade=[int(g) for g in np.asarray(grade)], dose_per_session=float(dose), session_weeks=session_weeks,
        injury=inj, shape=shape, cells=cells)
