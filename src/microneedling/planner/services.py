"""Planner operations on the database, shared by the pages and the JSON API. Every change is written to
the audit log in the same transaction as the change itself."""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session, joinedload

from microneedling.citations import citations_used, format_reference, reset_citations
from microneedling.clinic import candidacy
from microneedling.clinic.zone_plan import PlanRequest, plan_zones
from microneedling.errors import InputError
from microneedling.patient import Patient
from microneedling.planner import prediction
from microneedling.planner.models import (
    AppointmentRow,
    AuditRow,
    FollowUpRow,
    OverrideRow,
    PatientRow,
    PlanRow,
    ScarRow,
    User,
    list_order,
)
from microneedling.planner.schemas import (
    FollowUpIn,
    OverrideIn,
    PatientIn,
    PlanIn,
    UserIn,
)
from microneedling.planner.security import can_see, hash_password, visible_owner_ids


class NotFound(LookupError):
    """The object does not exist or the user may not see it (the two are not told apart)."""


class Conflict(ValueError):
    """The request is valid but the state forbids it (e.g. an un-overridden contraindication)."""


#: The audit entry's insert, built once (a Core statement with bound values: no ORM bookkeeping per entry).
_AUDIT_INSERT = insert(AuditRow.__table__)


def audit(db: Session, user: User | None, action: str, entity: str, entity_id: int | None, **detail) -> None:
    """Write an audit entry in ``db``'s transaction: one insert statement (nothing of the entry is read back),
    not an object left for the unit of work to flush. Rows the session holds unsaved are flushed first, so the
    entry is written after what it records."""
    db.flush()
    db.connection().execute(_AUDIT_INSERT, {"user_id": user.id if user else None, "action": action,
                                            "entity": entity, "entity_id": entity_id, "detail": detail})


# ---- users -------------------------------------------------------------------------------------------
def user_by_name(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username))


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.id)))


def usernames(db: Session, ids: set[int] | None = None) -> dict[int, str]:
    """User id -> username (of ``ids``; None: every user), for showing who did what."""
    q = select(User.id, User.username)
    if ids is not None:
        q = q.where(User.id.in_(ids))
    return {uid: name for uid, name in db.execute(q)}


def create_user(db: Session, data: UserIn, ph, actor: User | None = None) -> User:
    if user_by_name(db, data.username) is not None:
        raise InputError("username", data.username, "is already taken")
    if data.role == "assistant":
        prov = db.get(User, data.provider_id) if data.provider_id is not None else None
        if prov is None or prov.role != "provider":
            raise InputError("provider_id", data.provider_id, "an assistant needs the id of an existing provider")
    elif data.provider_id is not None:
        raise InputError("provider_id", data.provider_id, "only assistants have a provider")
    user = User(username=data.username, password_hash=hash_password(data.password, ph), role=data.role,
                provider_id=data.provider_id, active=True)
    db.add(user)
    db.flush()
    audit(db, actor, "create", "user", user.id, username=user.username, role=user.role)
    return user


def create_first_admin(db: Session, password: str, ph) -> User | None:
    """User "admin" with ``password`` if the database has no user yet (else nothing)."""
    if db.scalar(select(User).limit(1)) is not None:
        return None
    return create_user(db, UserIn(username="admin", password=password, role="admin"), ph)


# ---- patients ----------------------------------------------------------------------------------------
def _add_scars(row: PatientRow, data: PatientIn) -> None:
    for zs in data.zones:
        for g in zs.scars:
            row.scars.append(ScarRow(zone=zs.zone.value, type=g.type.value, count=g.count, depth_mm=g.depth_mm,
                                     width_mm=g.width_mm))


def create_patient(db: Session, user: User, data: PatientIn) -> PatientRow:
    row = PatientRow(owner_id=user.id, label=data.label, age_years=data.age_years, sex=data.sex.value,
                     fitzpatrick=data.fitzpatrick.value, history=data.history.model_dump())
    _add_scars(row, data)
    db.add(row)
    db.flush()
    audit(db, user, "create", "patient", row.id, input=data.model_dump(mode="json"))
    return row


def update_patient(db: Session, user: User, row: PatientRow, data: PatientIn) -> PatientRow:
    """Replace a patient's record (history, scars); the audit entry keeps before and after."""
    before = patient_dict(row)
    before.pop("goodman_baron", None)
    row.label, row.age_years, row.sex = data.label, data.age_years, data.sex.value
    row.fitzpatrick, row.history = data.fitzpatrick.value, data.history.model_dump()
    row.scars.clear()
    _add_scars(row, data)
    db.flush()
    audit(db, user, "update", "patient", row.id, before=before, after=data.model_dump(mode="json"))
    return row


def list_patients(db: Session, user: User) -> list[PatientRow]:
    q = select(PatientRow).order_by(PatientRow.id.desc())
    owners = visible_owner_ids(user)
    if owners is not None:
        q = q.where(PatientRow.owner_id.in_(owners or {-1}))
    return list(db.scalars(q))


_PATIENT_WITH_SCARS = (select(PatientRow).options(joinedload(PatientRow.scars))
                       .where(PatientRow.id == bindparam("patient_id")))


def get_patient(db: Session, user: User, patient_id: int) -> PatientRow:
    """The patient ``patient_id`` if ``user`` may see them (else :class:`NotFound`), read with their scar groups
    in one query (the patient model needs them)."""
    row = db.execute(_PATIENT_WITH_SCARS, {"patient_id": patient_id}).unique().scalar_one_or_none()
    if row is None or not can_see(user, row):
        raise NotFound(f"patient {patient_id}")
    return row


def patient_model(row: PatientRow) -> Patient:
    zones: dict[str, list[dict]] = {}
    for s in row.scars:
        zones.setdefault(s.zone, []).append({"type": s.type, "count": s.count, "depth_mm": s.depth_mm,
                                             "width_mm": s.width_mm})
    return Patient(id=row.label, age_years=row.age_years, sex=row.sex, fitzpatrick=row.fitzpatrick,
                   history=row.history, zones=[{"zone": z, "scars": g} for z, g in zones.items()])


def patient_dict(row: PatientRow, patient: Patient | None = None) -> dict:
    """The patient as the API returns it (``patient``: ``patient_model(row)`` if already built)."""
    p = patient or patient_model(row)
    return {"id": row.id, "label": row.label, "owner_id": row.owner_id, "age_years": row.age_years, "sex": row.sex,
            "fitzpatrick": row.fitzpatrick, "history": row.history,
            "zones": [z.model_dump(mode="json") for z in p.zones], "goodman_baron": prediction.goodman_baron(p)}


# ---- candidacy ---------------------------------------------------------------------------------------
def overrides_of(db: Session, row: PatientRow) -> list[candidacy.Override]:
    rows = list(db.scalars(select(OverrideRow).where(OverrideRow.patient_id == row.id)
                          .order_by(*list_order(OverrideRow))))
    if not rows:
        return []
    names = usernames(db, {o.user_id for o in rows})
    return [override_view(o, names.get(o.user_id)) for o in rows]


def override_view(o: OverrideRow, username: str | None) -> candidacy.Override:
    """A recorded override as the candidacy rules take it, naming who recorded it (``?`` for an unknown user)."""
    return candidacy.Override(rule_id=o.rule_id, reason=o.reason, by=username or "?")


def decision(db: Session, row: PatientRow, patient: Patient | None = None,
             overrides: list[candidacy.Override] | None = None) -> candidacy.Decision:
    """The candidacy rules on the patient (``patient``: ``patient_model(row)`` if already built) and the
    overrides recorded for them (``overrides``: those overrides when already read)."""
    return candidacy.decide(candidacy.evaluate(patient or patient_model(row)),
                            overrides_of(db, row) if overrides is None else overrides)


def add_override(db: Session, user: User, row: PatientRow, data: OverrideIn) -> OverrideRow:
    findings = candidacy.evaluate(patient_model(row))
    candidacy.check_override(findings, candidacy.Override(rule_id=data.rule_id, reason=data.reason,
                                                          by=user.username))
    o = OverrideRow(patient_id=row.id, rule_id=data.rule_id, reason=data.reason, user_id=user.id)
    db.add(o)
    db.flush()
    audit(db, user, "override", "candidacy", row.id, rule_id=data.rule_id, reason=data.reason)
    return o


# ---- plans -------------------------------------------------------------------------------------------
def make_plan(db: Session, user: User, row: PatientRow, data: PlanIn) -> PlanRow:
    """Candidacy first (contraindications must have been overridden), then the per-zone plan and prediction
    (baseline: the one given, else the rated week-0 score; scores rated after week 0 update the patient's
    response). The plan's references are what these cite."""
    reset_citations()
    patient = patient_model(row)
    dec = decision(db, row, patient)
    if dec.blocking:
        raise Conflict("contraindications not overridden: " + ", ".join(f.rule_id for f in dec.blocking))
    req = PlanRequest(**data.model_dump(exclude={"name", "baseline_gb_score"}))
    zp = plan_zones(patient, req)
    baseline = data.baseline_gb_score if data.baseline_gb_score is not None else rated_baseline(db, row)
    rated_after = [(f.week, f.gb_score) for f in followups_of(db, row) if f.week > 0 and f.gb_score is not None]
    pred = prediction.predict(patient, zp, baseline, follow_ups=rated_after)
    result = {"zone_plan": zp.as_dict(), "candidacy": dec.as_dict(), "prediction": pred,
              "goodman_baron": prediction.goodman_baron(patient),
              "references": [format_reference(k) for k in citations_used()]}
    plan = PlanRow(patient_id=row.id, name=data.name, request=data.model_dump(mode="json"), result=result,
                   created_by=user.id)
    db.add(plan)
    db.flush()
    audit(db, user, "create", "plan", plan.id, patient_id=row.id, request=data.model_dump(mode="json"))
    return plan


def get_plan(db: Session, user: User, plan_id: int) -> tuple[PlanRow, PatientRow]:
    plan = db.get(PlanRow, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id}")
    return plan, get_patient(db, user, plan.patient_id)


def plans_of(db: Session, row: PatientRow) -> list[PlanRow]:
    return list(db.scalars(select(PlanRow).where(PlanRow.patient_id == row.id).order_by(*list_order(PlanRow))))


def plan_dict(plan: PlanRow) -> dict:
    return {"id": plan.id, "patient_id": plan.patient_id, "name": plan.name, "created_at": plan.created_at.isoformat(),
            "request": plan.request, **plan.result}


# ---- appointments, records, follow-ups (scheduling: planner.scheduling; recording: planner.treatment_records)
def appointments_of(db: Session, owners: set[int] | None, patient_id: int | None = None) -> list[AppointmentRow]:
    q = select(AppointmentRow).join(PatientRow, PatientRow.id == AppointmentRow.patient_id).order_by(
        *list_order(AppointmentRow))
    if patient_id is not None:
        q = q.where(AppointmentRow.patient_id == patient_id)
    if owners is not None:
        q = q.where(PatientRow.owner_id.in_(owners or {-1}))
    return list(db.scalars(q))


def get_appointment(db: Session, user: User, appointment_id: int) -> tuple[AppointmentRow, PatientRow]:
    a = db.get(AppointmentRow, appointment_id)
    if a is None:
        raise NotFound(f"appointment {appointment_id}")
    return a, get_patient(db, user, a.patient_id)


def add_followup(db: Session, user: User, row: PatientRow, data: FollowUpIn) -> FollowUpRow:
    if data.gb_grade is None and data.gb_score is None and not data.photos:
        raise InputError("gb_score", None, "give a Goodman & Baron grade or score, or photo metadata")
    f = FollowUpRow(patient_id=row.id, week=data.week, gb_grade=data.gb_grade, gb_score=data.gb_score,
                    photos=[p.model_dump(mode="json") for p in data.photos], note=data.note, recorded_by=user.id)
    db.add(f)
    db.flush()
    audit(db, user, "create", "followup", f.id, patient_id=row.id, **data.model_dump(mode="json"))
    return f


def followups_of(db: Session, row: PatientRow) -> list[FollowUpRow]:
    return list(db.scalars(select(FollowUpRow).where(FollowUpRow.patient_id == row.id).order_by(
        *list_order(FollowUpRow))))


def observed_scores(db: Session, row: PatientRow,
                    followups: list[FollowUpRow] | None = None) -> list[tuple[float, float]]:
    """(week, Goodman & Baron quantitative score) of each follow-up that has a score (``followups``: the
    patient's follow-ups when already read)."""
    rows = followups_of(db, row) if followups is None else followups
    return [(f.week, f.gb_score) for f in rows if f.gb_score is not None]


def rated_baseline(db: Session, row: PatientRow) -> float | None:
    """The baseline rule: the last non-zero score rated at or before week 0, else None."""
    rated = [f.gb_score for f in followups_of(db, row) if f.week <= 0 and f.gb_score]
    return rated[-1] if rated else None


def suggested_baseline(db: Session, row: PatientRow) -> tuple[float | None, str]:
    """The baseline score to offer on the plan form and where it comes from: the rated week-0 score, else
    the score computed from the scar list (for the provider to confirm or clear), else none."""
    rated = rated_baseline(db, row)
    if rated is not None:
        return rated, "rated at week 0"
    gb = prediction.goodman_baron(patient_model(row))
    if gb.get("available") and gb["score"] > 0:
        return gb["score"], "computed from the scar list (scoring engine); confirm or replace with a rating"
    return None, "none recorded"


def audit_rows(db: Session, limit: int = 200) -> list[AuditRow]:
    return list(db.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)))


def count(db: Session, model) -> int:
    return db.scalar(select(func.count()).select_from(model))
