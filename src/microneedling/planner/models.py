"""Planner database tables (SQLAlchemy 2 declarative). The schema itself is created by the Alembic
migrations in ``planner/migrations``; these classes must match the latest revision (tested)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # admin | provider | assistant
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # assistant's provider
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LoginSession(Base):
    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # idle timeout (None: created)


class LoginThrottleRow(Base):
    """Failed logins per (user name, client address): the lockout state, shared by all workers."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("username", "client", name="uq_login_throttle_username_client"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PatientRow(Base):
    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(64))
    age_years: Mapped[float] = mapped_column(Float)
    sex: Mapped[str] = mapped_column(String(1))
    fitzpatrick: Mapped[str] = mapped_column(String(3))
    history: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    scars: Mapped[list[ScarRow]] = relationship(back_populates="patient", cascade="all, delete-orphan",
                                                order_by="ScarRow.id")


class ScarRow(Base):
    __tablename__ = "scar_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    zone: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)
    depth_mm: Mapped[float] = mapped_column(Float)
    width_mm: Mapped[float] = mapped_column(Float)
    patient: Mapped[PatientRow] = relationship(back_populates="scars")


class OverrideRow(Base):
    __tablename__ = "candidacy_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    request: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AppointmentRow(Base):
    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    duration_min: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled|done|cancelled|no_show
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TreatmentRow(Base):
    __tablename__ = "treatments"
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(16))
    needle_length_mm: Mapped[float] = mapped_column(Float)
    endpoint_reached: Mapped[bool] = mapped_column(Boolean)
    adverse_events: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # revision 0003: the consent it relied on, cartridge lot, anaesthesia, endpoint, note; zones in TreatmentZoneRow
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"), nullable=True)
    cartridge_lot: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    cartridge_expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    anaesthetic_product: Mapped[str] = mapped_column(String(80), default="", server_default="")
    anaesthetic_concentration_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    anaesthetic_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    endpoint: Mapped[str] = mapped_column(String(32), default="", server_default="")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    zones: Mapped[list[TreatmentZoneRow]] = relationship(cascade="all, delete-orphan",
                                                         order_by=lambda: list_order(TreatmentZoneRow))


class TreatmentZoneRow(Base):
    """One zone of a recorded session: needle length (mm) and passes as done, the plan's length and the zone cap
    at the time (mm), and the reason given when the length was above either."""

    __tablename__ = "treatment_zones"
    id: Mapped[int] = mapped_column(primary_key=True)
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id", ondelete="CASCADE"), index=True)
    zone: Mapped[str] = mapped_column(String(16))
    needle_length_mm: Mapped[float] = mapped_column(Float)
    passes: Mapped[int] = mapped_column(Integer)
    plan_depth_mm: Mapped[float | None] = mapped_column(Float, nullable=True)
    cap_mm: Mapped[float] = mapped_column(Float)
    over_depth_reason: Mapped[str] = mapped_column(Text, default="")


class ConsentTemplateRow(Base):
    """A version of the consent text (Markdown); a new version per edit, with the SHA-256 of its text."""

    __tablename__ = "consent_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(120))
    body_md: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # None: built in
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ConsentRow(Base):
    """A signed consent: signature image (PNG), typed name, UTC time, client address, the template version and
    its hash as signed, and the user who took the signature."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("consent_templates.id"))
    template_version: Mapped[int] = mapped_column(Integer)
    template_sha256: Mapped[str] = mapped_column(String(64))
    typed_name: Mapped[str] = mapped_column(String(120))
    signature_png: Mapped[bytes] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    client_address: Mapped[str] = mapped_column(String(64))
    collected_by: Mapped[int] = mapped_column(ForeignKey("users.id"))



class FollowUpRow(Base):
    __tablename__ = "followups"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    week: Mapped[float] = mapped_column(Float)  # weeks after the first session
    gb_grade: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gb_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    photos: Mapped[list] = mapped_column(JSON)  # metadata only: [{"view": ..., "file": ..., "note": ...}]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict] = mapped_column(JSON)


class ChartRow(Base):
    """One visit's face chart: scar markers at image-relative positions and the score computed from them."""

    __tablename__ = "charts"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    visit_date: Mapped[date] = mapped_column(Date)
    markers: Mapped[list] = mapped_column(JSON)  # [{"zone", "x", "y", "type", "size", "depth_mm", "width_mm"}]
    gb_quantitative: Mapped[float] = mapped_column(Float)
    gb_grade: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PhotoRow(Base):
    """A clinical photo: the re-encoded image (no metadata) stored in the media folder under its SHA-256."""

    __tablename__ = "photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))  # image/jpeg | image/png
    width_px: Mapped[int] = mapped_column(Integer)
    height_px: Mapped[int] = mapped_column(Integer)
    view: Mapped[str] = mapped_column(String(16))  # front | left | right | oblique_left | oblique_right
    taken_on: Mapped[date] = mapped_column(Date)
    visit_date: Mapped[date] = mapped_column(Date)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# ---- revision 0005: public consultation requests, patient links, public request counts -------------------
class IntakeRequestRow(Base):
    """A pre-consultation questionnaire sent from the public form: its unguessable ``request_id``, the answers
    (age, sex, skin type, history, scars), the contact given, the candidacy findings shown, and, once a provider
    accepted it, the patient created from it."""

    __tablename__ = "intake_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | accepted
    answers: Mapped[dict] = mapped_column(JSON)
    contact: Mapped[dict] = mapped_column(JSON)
    findings: Mapped[list] = mapped_column(JSON)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="SET NULL"), nullable=True)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PatientLinkRow(Base):
    """A link sent to a patient: only the SHA-256 of its token is stored; it expires, and each action it
    allows (signing the consent, sending a photo) can be done once (``PatientLinkUseRow``)."""

    __tablename__ = "patient_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"),
                                                       nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class PatientLinkUseRow(Base):
    """An action done through a patient link (one row per link and action: a second attempt is refused)."""

    __tablename__ = "patient_link_uses"
    __table_args__ = (UniqueConstraint("link_id", "action", name="uq_patient_link_uses_link_action"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("patient_links.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PublicHitRow(Base):
    """One request to a rate-limited public endpoint: the limit's key (a hash of the client address, or the
    global key) and when; shared by every worker through the database, purged after the window."""

    __tablename__ = "public_hits"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


#: The order a patient's rows of each table are listed in (attribute names): by the per-table readers, in SQL,
#: and by the patient page's one-statement record (``planner.patient_record``), in Python.
LIST_ORDER: dict[type, tuple[str, ...]] = {
    PlanRow: ("id",), FollowUpRow: ("week", "id"), AppointmentRow: ("starts_at", "id"), TreatmentRow: ("id",),
    TreatmentZoneRow: ("id",), ConsentRow: ("id",), ChartRow: ("visit_date", "id"), OverrideRow: ("id",)}


def list_order(model: type) -> list:
    """The columns ``model``'s rows are listed by (:data:`LIST_ORDER`), for ``order_by``."""
    return [getattr(model, name) for name in LIST_ORDER[model]]
