"""Planner schema: face charts (scar markers per visit) and photos.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "charts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("visit_date", sa.Date, nullable=False),
        sa.Column("markers", sa.JSON, nullable=False),
        sa.Column("gb_quantitative", sa.Float, nullable=False),
        sa.Column("gb_grade", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_charts_patient_id", "charts", ["patient_id"])
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("width_px", sa.Integer, nullable=False),
        sa.Column("height_px", sa.Integer, nullable=False),
        sa.Column("view", sa.String(16), nullable=False),
        sa.Column("taken_on", sa.Date, nullable=False),
        sa.Column("visit_date", sa.Date, nullable=False),
        sa.Column("consent_to_share", sa.Boolean, nullable=False),
        sa.Column("uploaded_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_photos_patient_id", "photos", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_photos_patient_id", table_name="photos")
    op.drop_table("photos")
    op.drop_index("ix_charts_patient_id", table_name="charts")
    op.drop_table("charts")
