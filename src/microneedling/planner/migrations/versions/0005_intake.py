"""Planner schema: public consultation requests and patient link tokens.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("contact", sa.JSON, nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="SET NULL"), nullable=True),
        sa.Column("accepted_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("accepted_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_intake_requests_created_at", "intake_requests", ["created_at"])
    op.create_table(
        "patient_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("appointment_id", sa.Integer, sa.ForeignKey("appointments.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_patient_links_patient_id", "patient_links", ["patient_id"])
    op.create_index("ix_patient_links_expires_at", "patient_links", ["expires_at"])
    op.create_table(
        "patient_link_uses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("link_id", sa.Integer, sa.ForeignKey("patient_links.id", ondelete="CASCADE"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("link_id", "action", name="uq_patient_link_uses_link_action"),
    )
    op.create_table(
        "public_hits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_public_hits_key", "public_hits", ["key"])
    op.create_index("ix_public_hits_at", "public_hits", ["at"])


def downgrade() -> None:
    op.drop_table("public_hits")
    op.drop_table("patient_link_uses")
    op.drop_table("patient_links")
    op.drop_table("intake_requests")
