"""The course pipeline: protocol -> injury and dose -> healing states -> scar geometry -> Goodman & Baron score.

One pipeline serves the single-patient course (``microneedling course``, the report), the virtual trials and
sweeps, the planner's prediction and the calibrations; a single patient is a cohort of one. Steps:

1. :func:`protocol_injury`: the per-layer injury of one session of the protocol
   (:func:`microneedling.mechanics.injury.session_injury`: skin layers of the zone, the device and its needle,
   real penetration, puncture field), and :func:`microneedling.healing.model.injury_dose` turns it into the
   healing model's dose. Every session of a protocol has the same dose.
2. :func:`healing_states`: the healing ODE for n patients at once, each with the age factor of
   :func:`microneedling.healing.model.age_factor`, starting from scar-aligned collagen. The solver is a
   parameter with one signature (:data:`Solver`): :data:`PER_PATIENT` (each patient on its own graded grid,
   the most accurate fixed-step path) or :data:`COHORT` (one grid for all patients, batched and sharded over
   the cores, in chunks of bounded memory).
3. :func:`scar_depths`: each scar's depth along the healing path (:func:`microneedling.tissue.scars.scar_depth`)
   with the injured dermis under its floor.
4. Scores: :func:`run_course` and :func:`run_patient_course` give the expected Goodman & Baron score and grade
   of the scar groups (:mod:`microneedling.outcomes.expected_score`: per-scar depths log-normal around the
   group's depth, classes by the thresholds of :mod:`microneedling.outcomes.goodman_baron`); the trials take
   the relative depth of each scar type (:func:`course_relative_depth`, :func:`course_relative_depth_grid`)
   and score it with the same model.

Sessions are at weeks 0, interval, 2 x interval, ...; week 0 is the first session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import Field, model_validator

from microneedling import healing
from microneedling.citations import cite
from microneedling.mechanics.injury import Injury, InjuryQuery, injury_details
from microneedling.outcomes import expected_score
from microneedling.patient import SCAR_TYPES, Patient, ScarGroup, ScarType, Sex
from microneedling.protocol import NeedlingDevice, Protocol
from microneedling.tissue import scars
from microneedling.units import AgeYears, PositiveWeeks

DAYS_PER_WEEK = 7.0
READOUT_DAYS = 7.0  # scar maturation path resolution (scars.matured: weekly is enough for months)
COHORT_CHUNK = 10_000  # patients per batched solve (bounded memory)

Solver = Callable[..., Any]
"""``solver(params, age_factor[n], session_days, session_doses, t_eval_days, alignment=...) -> [T, n, species]``."""
PER_PATIENT: Solver = healing.simulate_patients


def _cohort_solver(params, age_factor, session_days, session_doses, t_eval_days, alignment=None):
    return jnp.asarray(healing.simulate_cohort_chunked(params, age_factor, session_days, session_doses, t_eval_days,
                                               chunk=COHORT_CHUNK, alignment=alignment))


COHORT: Solver = _cohort_solver

_COURSE_SOURCES = ("WaughSherratt2006", "Cumming2010", "McDougall2006", "Varani2006", "Fabbrocini2010",
                   "GoodmanBaron2006quant", "GoodmanBaron2006qual")


@lru_cache(maxsize=1)
def base_params() -> healing.HealingParams:
    """Healing parameters of a young adult; a patient's age enters through ``age_factor``."""
    return healing.default_healing_params(30.0)


# --- 1. injury and dose ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _injury(query: InjuryQuery) -> Injury:
    return injury_details(query).injury


def protocol_injury(protocol: Protocol, sex: Sex | str = Sex.F, age_years: float = 30.0) -> Injury:
    """Per-layer injury of one session of a needling ``protocol`` (validated) on a patient of ``sex`` and
    ``age_years`` (cached: the trials ask for the same protocol for every arm and draw)."""
    query = InjuryQuery.of(protocol).model_copy(update={"sex": Sex(sex), "age_years": float(age_years)})
    return _injury(query)


# --- 2. healing states -------------------------------------------------------------------------------


def healing_states(protocol: Protocol, dose: float, age_years, t_days, solver: Solver = COHORT,
                   params: healing.HealingParams | None = None) -> jnp.ndarray:
    """Healing states [T, n, species] at ``t_days`` after the first session of patients aged ``age_years``
    [n] under a treated ``protocol`` whose sessions each have ``dose`` (a number or a JAX scalar, traced
    with a traceable ``solver``), starting from scar-aligned collagen."""
    ages = jnp.atleast_1d(jnp.asarray(age_years, dtype=jnp.float64))
    sessions = np.asarray(protocol.session_weeks()) * DAYS_PER_WEEK
    doses = jnp.full(sessions.shape, dose, dtype=jnp.float64)
    align = scars.scar_response_params().scar_alignment
    # session and read-out days stay NumPy: the solvers build their time grid from them (also under jit)
    return solver(base_params() if params is None else params, healing.age_factor(ages), sessions, doses,
                  np.asarray(t_days, dtype=np.float64), alignment=align)


# --- 3. scar geometry --------------------------------------------------------------------------------


def scar_depths(states, t_days, shape: scars.ScarShape, penetration_depth_mm: float,
                response: scars.ScarResponse | None = None,
                params: healing.HealingParams | None = None) -> jnp.ndarray:
    """Depth (mm) of a scar of ``shape`` along healing ``states`` [T, ...] at ``t_days`` [T], under channels
    reaching ``penetration_depth_mm``."""
    p = base_params() if params is None else params
    resp = scars.scar_response_params() if response is None else response
    dc = scars.net_new_collagen(states[..., healing.C1], states[..., healing.C3], p.collagen1_fraction)
    return scars.scar_depth(jnp.asarray(t_days, dtype=jnp.float64), shape.depth_mm, shape.width_mm, shape.tethering, dc, states[..., healing.A],
                            scars.layer_below_floor_mm(penetration_depth_mm, shape.depth_mm), resp.fill,
                            resp.access_width_mm, resp.scar_alignment, p.alignment_baseline,
                            resp.maturation_time_d)


# --- one patient, one scar group: the `course` command ----------------------------------------------------


class CourseQuery(Protocol):
    """A needling :class:`~microneedling.protocol.Protocol` applied to one group of ``scar_count`` scars of type
    ``scar`` (typical geometry unless depth/width are given) on a patient of ``age_years`` and ``sex``,
    followed for ``weeks`` after the first session. A nested ``protocol`` (mapping or Protocol) is accepted."""

    device: NeedlingDevice
    scar: ScarType
    weeks: PositiveWeeks = 52.0
    age_years: AgeYears = 30.0
    sex: Sex = Sex.F
    scar_count: Annotated[int, Field(ge=1, le=500)] = 12
    scar_depth_mm: Annotated[float, Field(gt=0.0, le=3.0, allow_inf_nan=False)] | None = None
    scar_width_mm: Annotated[float, Field(gt=0.0, le=20.0, allow_inf_nan=False)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten_protocol(cls, data: Any) -> Any:
        if isinstance(data, dict) and "protocol" in data:
            data = dict(data)
            proto = data.pop("protocol")
            data.update(proto.model_dump() if isinstance(proto, Protocol) else dict(proto))
        return data

    @property
    def protocol(self) -> Protocol:
        return Protocol(**{k: getattr(self, k) for k in Protocol.model_fields})


@dataclass
class CourseResult:
    """Weekly series of a course (week 0 = first session): collagen I and III, elastin and alignment relative
    to baseline, scar depth (mm), Goodman & Baron quantitative score (points) and qualitative grade, with the
    dose per session, the session weeks, the injury of one session, the scar geometry and the cell series."""

    weeks: list[float]
    collagen_I_rel: list[float]
    collagen_III_rel: list[float]
    elastin_rel: list[float]
    alignment: list[float]
    scar_depth_mm: list[float]
    gb_quantitative: list[float]
    gb_grade: list[float]
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


_CELLS = (("inflammatory_macrophages", healing.MI), ("repair_macrophages", healing.MR), ("tgfb", healing.T),
          ("fibroblasts_rel", healing.F), ("myofibroblasts_rel", healing.MF), ("mmp_rel", healing.MMP))


@jax.jit
def _scores(type_index, counts, depth):
    """Expected score and grade [T] of scar groups of types ``type_index`` [G], ``counts`` [G] and median depths
    ``depth`` [T, G] (per-scar depths log-normal around them, :mod:`microneedling.outcomes.expected_score`)."""
    log_sd = expected_score.depth_log_sd()
    score = jax.vmap(lambda d: expected_score.expected_quantitative(counts, d, log_sd, type_index))(depth)
    grade = jax.vmap(lambda d: expected_score.expected_grade(counts, d, log_sd, type_index))(depth)
    return score, grade


def run_course(q: CourseQuery, injury: Injury | None = None, response: scars.ScarResponse | None = None,
               solver: Solver = PER_PATIENT) -> CourseResult:
    """Simulate a course on one scar group (weekly read-out, week 0 = first session): the pipeline with a
    cohort of one patient, scored on both Goodman & Baron scales."""
    protocol = q.protocol
    inj = injury if injury is not None else protocol_injury(protocol, q.sex, q.age_years)
    dose = healing.injury_dose(inj)
    shape = scars.typical_scar(q.scar, q.scar_depth_mm, q.scar_width_mm)
    for key in _COURSE_SOURCES:
        cite(key)
    weeks = np.arange(0, int(np.floor(q.weeks)) + 1, dtype=float)
    t_days = weeks * DAYS_PER_WEEK
    y = healing_states(protocol, dose, [q.age_years], t_days, solver)[:, 0]
    depth = scar_depths(y, t_days, shape, inj.penetration_depth_mm, response)
    score, grade = _scores(jnp.asarray([SCAR_TYPES.index(q.scar)]), jnp.asarray([float(q.scar_count)]),
                           jnp.asarray(depth)[:, None])
    y = np.asarray(y)
    return CourseResult(
        weeks=weeks.tolist(), collagen_I_rel=y[:, healing.C1].tolist(), collagen_III_rel=y[:, healing.C3].tolist(),
        elastin_rel=y[:, healing.E].tolist(), alignment=y[:, healing.A].tolist(),
        scar_depth_mm=np.asarray(depth).tolist(), gb_quantitative=np.asarray(score).tolist(),
        gb_grade=np.asarray(grade).tolist(), dose_per_session=float(dose),
        session_weeks=protocol.session_weeks(), injury=inj, shape=shape,
        cells={name: y[:, idx].tolist() for name, idx in _CELLS})


# --- one patient, all scar groups: the report and the planner ----------------------------------------------


@dataclass
class PatientCourse:
    """A patient's course: every scar group's :class:`CourseResult` (``groups``: zone, scar group, result) and
    the patient's Goodman & Baron score (points) and grade over the weeks, from all groups together."""

    weeks: list[float]
    groups: list[tuple[str, ScarGroup, CourseResult]]
    gb_quantitative: list[float]
    gb_grade: list[float]


def run_patient_course(patient: Patient, protocol: Protocol, weeks: float = 52.0,
                       solver: Solver = PER_PATIENT, response: scars.ScarResponse | None = None) -> PatientCourse:
    """Every scar group of ``patient`` through the pipeline under a needling ``protocol`` (each zone treated
    with it), scored together each week on both Goodman & Baron scales."""
    groups = []
    for zs in patient.zones:
        zone_protocol = protocol.model_copy(update={"zone": zs.zone})
        for g in zs.scars:
            q = CourseQuery(protocol=zone_protocol, scar=g.type, weeks=weeks, age_years=patient.age_years,
                            sex=patient.sex, scar_count=g.count, scar_depth_mm=g.depth_mm,
                            scar_width_mm=g.width_mm)
            groups.append((zs.zone.value, g, run_course(q, response=response, solver=solver)))
    week_axis = groups[0][2].weeks
    types = jnp.asarray([SCAR_TYPES.index(g.type) for _, g, _ in groups])
    counts = jnp.asarray([float(g.count) for _, g, _ in groups])
    depth = jnp.asarray([r.scar_depth_mm for _, _, r in groups]).T  # [T, G]
    score, grade = _scores(types, counts, depth)
    return PatientCourse(weeks=week_axis, groups=groups, gb_quantitative=np.asarray(score).tolist(),
                         gb_grade=np.asarray(grade).tolist())


# --- a cohort, every scar type: the trials -------------------------------------------------------------


def _readout_grid(t_weeks) -> tuple[np.ndarray, np.ndarray]:
    """A weekly grid of days through ``t_weeks`` (scar maturation needs it) and the indices of ``t_weeks`` in it."""
    t_weeks = np.asarray(t_weeks, dtype=np.float64)
    t_end = float(t_weeks.max()) * DAYS_PER_WEEK
    dense = np.unique(np.concatenate([np.arange(0.0, t_end + READOUT_DAYS, READOUT_DAYS),
                                      t_weeks * DAYS_PER_WEEK, [0.0]]))
    dense = dense[dense <= t_end + 1e-9]
    pick = np.asarray([int(np.argmin(np.abs(dense - w * DAYS_PER_WEEK))) for w in t_weeks])
    return dense, pick


def _course_states(protocol: Protocol, ages, t_weeks, solver: Solver):
    """Healing states on a weekly grid through ``t_weeks`` and the indices of ``t_weeks`` in it."""
    dense, pick = _readout_grid(t_weeks)
    inj = protocol_injury(protocol, Sex.F, round(float(jnp.mean(ages)), 1))
    y = healing_states(protocol, healing.injury_dose(inj), ages, dense, solver)  # [Td, n, S]
    return y, dense, pick, inj


def _relative_depths(y, dense, pick, inj, response: scars.ScarResponse | None) -> jnp.ndarray:
    rel = []
    for t in SCAR_TYPES:
        shape = scars.typical_scar(t)
        rel.append(scar_depths(y, dense, shape, inj.penetration_depth_mm, response)[pick] / shape.depth_mm)  # [T, n]
    return jnp.transpose(jnp.stack(rel, axis=0), (2, 0, 1))


def course_relative_depth(protocol: Protocol, age_years, t_weeks, solver: Solver = COHORT,
                          response: scars.ScarResponse | None = None) -> jnp.ndarray:
    """Scar depth relative to baseline, [n, len(SCAR_TYPES), T], at ``t_weeks`` after the first session, for
    the typical scar of each type (the injury of the cohort's mean age, female); 1 for an untreated control."""
    ages = jnp.atleast_1d(jnp.asarray(age_years, dtype=jnp.float64))
    if not protocol.treated:
        return jnp.ones((ages.shape[0], len(SCAR_TYPES), len(np.atleast_1d(t_weeks))))
    return _relative_depths(*_course_states(protocol, ages, t_weeks, solver), response)


def course_relative_depth_grid(protocol: Protocol, age_years, t_weeks, fills, solver: Solver = COHORT) -> jnp.ndarray:
    """:func:`course_relative_depth` for each scar-fill efficiency of ``fills`` (the healing is solved once;
    only the floor lift changes): [len(fills), n, len(SCAR_TYPES), T].

    The floor lift is proportional to the fill (:func:`microneedling.tissue.scars.scar_depth`), so a relative
    depth is ``r(f) = r(0) exp(-f B)``: the depths at fill 0 and 1 give ``B`` and with it every fill of the
    grid, in two evaluations instead of one per fill."""
    ages = jnp.atleast_1d(jnp.asarray(age_years, dtype=jnp.float64))
    fills = np.atleast_1d(np.asarray(fills, dtype=np.float64))
    if not protocol.treated:
        return jnp.ones((fills.shape[0], ages.shape[0], len(SCAR_TYPES), len(np.atleast_1d(t_weeks))))
    states = _course_states(protocol, ages, t_weeks, solver)
    base = scars.scar_response_params()
    r0 = _relative_depths(*states, base._replace(fill=0.0))  # released tethering only
    r1 = _relative_depths(*states, base._replace(fill=1.0))
    rate = jnp.where((r1 > 0.0) & (r0 > 0.0),  # -B; a depth already at 0 stays there
                     jnp.log(jnp.where(r1 > 0.0, r1, 1.0) / jnp.where(r0 > 0.0, r0, 1.0)), -jnp.inf)
    f = jnp.asarray(fills)[:, None, None, None]
    return jnp.where(r0 > 0.0, r0 * jnp.exp(jnp.where(f > 0.0, f * rate, 0.0)), 0.0)


def relative_depth_after(protocol: Protocol, age_years, t_weeks, dose, penetration_depth_mm,
                         solver: Solver = COHORT, params: healing.HealingParams | None = None,
                         response: scars.ScarResponse | None = None) -> jnp.ndarray:
    """:func:`course_relative_depth` for sessions of a given ``dose`` reaching ``penetration_depth_mm`` (the
    healing and scar steps only): relative depth [n, len(SCAR_TYPES), T] of the typical scar of each type.

    With a traceable ``solver`` (:func:`microneedling.healing.simulate_cohort`) the dose, the penetration
    depth, the healing ``params`` (default: :func:`base_params`), the scar ``response`` (default: the
    registry's) and every registry value read on the way (:func:`microneedling.params.overridden`) may be JAX
    tracers, so the pipeline can be vmapped over parameter draws (:mod:`microneedling.sensitivity`)."""
    ages = jnp.atleast_1d(jnp.asarray(age_years, dtype=jnp.float64))
    dense, pick = _readout_grid(t_weeks)
    y = healing_states(protocol, dose, ages, dense, solver, params)  # [Td, n, S]
    rel = []
    for t in SCAR_TYPES:
        shape = scars.typical_scar(t)
        rel.append(scar_depths(y, dense, shape, penetration_depth_mm, response, params)[pick] / shape.depth_mm)
    return jnp.transpose(jnp.stack(rel, axis=0), (2, 0, 1))
