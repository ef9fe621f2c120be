"""Planner schema: consent templates and signatures, per-zone treatment records, scheduling.

* ``consent_templates``: versioned consent text (Markdown) with its SHA-256; ``consents``: signatures (PNG,
  typed name, UTC time, client address, template version and hash, the user who took it).
* ``treatments`` gains the consent it relied on, cartridge lot and expiry, anaesthetic (product, concentration
  %, minutes), endpoint and note; ``treatment_zones`` holds needle length (mm) and passes per zone with the
  plan's length, the zone cap and the reason for a deeper needle.
* Appointments need no new column: times are stored in UTC as before and ``no_show`` is a new status value.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, unique=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("body_md", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("template_id", sa.Integer, sa.ForeignKey("consent_templates.id"), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("template_sha256", sa.String(64), nullable=False),
        sa.Column("typed_name", sa.String(120), nullable=False),
        sa.Column("signature_png", sa.LargeBinary, nullable=False),
        sa.Column("signed_at", sa.DateTime, nullable=False),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("collected_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_index("ix_consents_patient_id", "consents", ["patient_id"])
    with op.batch_alter_table("treatments") as batch:
        batch.add_column(sa.Column("consent_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("cartridge_lot", sa.String(64), nullable=True))
        batch.add_column(sa.Column("cartridge_expiry", sa.Date, nullable=True))
        batch.add_column(sa.Column("anaesthetic_product", sa.String(80), nullable=False, server_default=""))
        batch.add_column(sa.Column("anaesthetic_concentration_pct", sa.Float, nullable=True))
        batch.add_column(sa.Column("anaesthetic_minutes", sa.Integer, nullable=True))
        batch.add_column(sa.Column("endpoint", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("note", sa.Text, nullable=False, server_default=""))
        batch.create_foreign_key("fk_treatments_consent_id", "consents", ["consent_id"], ["id"])
        batch.create_index("ix_treatments_cartridge_lot", ["cartridge_lot"])
    op.create_table(
        "treatment_zones",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("treatment_id", sa.Integer, sa.ForeignKey("treatments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("zone", sa.String(16), nullable=False),
        sa.Column("needle_length_mm", sa.Float, nullable=False),
        sa.Column("passes", sa.Integer, nullable=False),
        sa.Column("plan_depth_mm", sa.Float, nullable=True),
        sa.Column("cap_mm", sa.Float, nullable=False),
        sa.Column("over_depth_reason", sa.Text, nullable=False),
    )
    op.create_index("ix_treatment_zones_treatment_id", "treatment_zones", ["treatment_id"])


def downgrade() -> None:
    op.drop_table("treatment_zones")
    with op.batch_alter_table("treatments") as batch:
        batch.drop_index("ix_treatments_cartridge_lot")
        batch.drop_constraint("fk_treatments_consent_id", type_="foreignkey")
        for column in ("note", "endpoint", "anaesthetic_minutes", "anaesthetic_concentration_pct",
                       "anaesthetic_product", "cartridge_expiry", "cartridge_lot", "consent_id"):
            batch.drop_column(column)
    op.drop_table("consents")
    op.drop_table("consent_templates")
