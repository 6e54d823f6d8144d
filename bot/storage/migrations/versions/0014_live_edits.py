"""Organisers' live edits of the programme, laid over data/.

Revision ID: 0014
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_edits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("aspect", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "aspect", name="uq_live_edits_aspect"),
    )
    op.create_index("ix_live_edits_session_id", "live_edits", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_live_edits_session_id", "live_edits")
    op.drop_table("live_edits")
