"""The patients list: search by patient code (case-insensitive substring) and paging, among the patients
the user may see (newest first)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microneedling.planner.models import PatientRow, User
from microneedling.planner.security import visible_owner_ids

PER_PAGE = 25


@dataclass(frozen=True)
class PatientPage:
    rows: list[PatientRow]
    total: int  # matching patients, all pages
    page: int  # 1-based
    pages: int
    query: str


def search_patients(db: Session, user: User, query: str = "", page: int = 1, per_page: int = PER_PAGE) -> PatientPage:
    """Page ``page`` of the patients ``user`` may see whose code contains ``query`` (ignoring case); a page past
    the last gives the last page."""
    where = []
    owners = visible_owner_ids(user)
    if owners is not None:
        where.append(PatientRow.owner_id.in_(owners or {-1}))
    query = query.strip()
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(func.lower(PatientRow.label).like(f"%{escaped}%", escape="\\"))
    total = db.scalar(select(func.count()).select_from(PatientRow).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(db.scalars(select(PatientRow).where(*where).order_by(PatientRow.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)))
    return PatientPage(rows, total, page, pages, query)
