"""The records the patient page shows of one patient (plans, follow-ups, appointments, recorded sessions with
their zones, consents, face charts, photos and candidacy overrides), read in one statement.

Read table by table, the page took eight statements; through the ORM each cost 0.4-0.6 ms of the server's CPU
on its own and about twice that within a page, most of it per statement rather than per row. Here every
section is a scalar subquery that folds the patient's rows into a JSON array (``json_agg`` and
``json_build_object`` on PostgreSQL, ``json_group_array`` and ``json_object`` on SQLite), and the arrays come
back in one row. Each object is turned back into an instance of its table's class, with every value of the
column's Python type, detached from any session: it reads as the ORM would have loaded it, and a column left
out (a consent's signature image) raises on access instead of loading. Rows are ordered here, in Python, as
the per-table readers order them in SQL (``models.LIST_ORDER``; SQLite before 3.44 cannot order inside an
aggregate)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Float,
    Integer,
    Select,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session, make_transient_to_detached

from microneedling.clinic import candidacy
from microneedling.planner.models import (
    LIST_ORDER,
    AppointmentRow,
    ChartRow,
    ConsentRow,
    FollowUpRow,
    OverrideRow,
    PatientRow,
    PhotoRow,
    PlanRow,
    TreatmentRow,
    TreatmentZoneRow,
    User,
)
from microneedling.planner.photo_service import photo_order
from microneedling.planner.services import override_view

#: Columns the page does not show and that are not read (a consent's signature PNG: up to hundreds of kB).
LEFT_OUT = {ConsentRow: ("signature_png",)}

#: The sections of a record: name -> table.
SECTIONS: dict[str, type] = {
    "plans": PlanRow, "followups": FollowUpRow, "appointments": AppointmentRow, "treatments": TreatmentRow,
    "consents": ConsentRow, "charts": ChartRow, "photos": PhotoRow, "overrides": OverrideRow}


@dataclass(frozen=True)
class PatientRecord:
    """One patient's records as the patient page shows them, each list in its reader's order."""

    plans: list[PlanRow]
    followups: list[FollowUpRow]
    appointments: list[AppointmentRow]
    treatments: list[TreatmentRow]
    consents: list[ConsentRow]
    charts: list[ChartRow]
    photos: list[PhotoRow]
    overrides: list[candidacy.Override]


def _converter(column) -> Callable[[Any], Any]:  # noqa: ANN001
    """JSON value -> the Python value the ORM gives for ``column`` (None stays None)."""
    t = column.type
    if isinstance(t, DateTime):
        conv: Callable[[Any], Any] = datetime.fromisoformat
    elif isinstance(t, Date):
        conv = date.fromisoformat
    elif isinstance(t, Boolean):
        conv = bool
    elif isinstance(t, Float):
        conv = float
    elif isinstance(t, Integer):
        conv = int
    else:
        return lambda v: v
    return lambda v: None if v is None else conv(v)


def _columns(model: type) -> list:
    return [c for c in model.__table__.columns if c.key not in LEFT_OUT.get(model, ())]


def _json_object(dialect: str, pairs: list[tuple[str, ColumnElement]]) -> ColumnElement:
    fn = func.json_build_object if dialect == "postgresql" else func.json_object
    return fn(*[part for key, expr in pairs for part in (literal_column(f"'{key}'"), expr)])


def _embedded(dialect: str, expr: ColumnElement) -> ColumnElement:
    """``expr`` (JSON text on SQLite) as a JSON value inside an object, not as a string."""
    return expr if dialect == "postgresql" else func.json(expr)


def _array(dialect: str, model: type, extra: list[tuple[str, ColumnElement]], where: ColumnElement) -> ColumnElement:
    """A scalar subquery: the rows of ``model`` matching ``where`` as a JSON array of objects."""
    pairs = [(c.key, _embedded(dialect, c) if isinstance(c.type, JSON) else c) for c in _columns(model)] + extra
    obj = _json_object(dialect, pairs)
    agg = (func.coalesce(func.json_agg(obj), literal_column("'[]'::json")) if dialect == "postgresql"
           else func.json_group_array(obj))
    return select(agg).select_from(model.__table__).where(where).scalar_subquery()


def _statement(dialect: str) -> Select:
    pid = bindparam("patient_id", type_=Integer)
    extra: dict[type, list[tuple[str, ColumnElement]]] = {
        TreatmentRow: [("zones", _embedded(dialect, _array(dialect, TreatmentZoneRow, [],
                                                                TreatmentZoneRow.treatment_id == TreatmentRow.id)))],
        OverrideRow: [("user_name", select(User.username).where(User.id == OverrideRow.user_id).scalar_subquery())]}
    return select(*[cast(_array(dialect, model, extra.get(model, []), model.patient_id == pid), Text).label(name)
                    for name, model in SECTIONS.items()])


_STATEMENTS: dict[str, Select] = {}
_CONVERTERS: dict[type, list[tuple[str, Callable[[Any], Any]]]] = {
    model: [(c.key, _converter(c)) for c in _columns(model)] for model in [*SECTIONS.values(), TreatmentZoneRow]}


def _instance(model: type, obj: dict, **extra: Any) -> Any:
    """An instance of ``model`` holding ``obj``'s values, detached, as if loaded and its session closed."""
    row = model.__mapper__.class_manager.new_instance()
    row.__dict__.update({key: conv(obj[key]) for key, conv in _CONVERTERS[model]}, **extra)
    make_transient_to_detached(row)
    return row


def _rows(model: type, objs: list[dict]) -> list:
    if model is TreatmentRow:
        rows = [_instance(model, o, zones=_rows(TreatmentZoneRow, o["zones"])) for o in objs]
    else:
        rows = [_instance(model, o) for o in objs]
    return sorted(rows, key=photo_order if model is PhotoRow else attrgetter(*LIST_ORDER[model]))


def read_patient_record(db: Session, row: PatientRow) -> PatientRecord:
    """The records of patient ``row`` (already access-checked) in one statement."""
    dialect = db.get_bind().dialect.name
    stmt = _STATEMENTS.get(dialect)
    if stmt is None:
        stmt = _STATEMENTS[dialect] = _statement(dialect)
    found = dict(db.execute(stmt, {"patient_id": row.id}).one()._mapping)
    sections = {name: _rows(model, json.loads(found[name])) for name, model in SECTIONS.items()
                if model is not OverrideRow}
    named = sorted(((_instance(OverrideRow, o), o["user_name"]) for o in json.loads(found["overrides"])),
                   key=lambda pair: pair[0].id)
    return PatientRecord(**sections, overrides=[override_view(o, name) for o, name in named])
