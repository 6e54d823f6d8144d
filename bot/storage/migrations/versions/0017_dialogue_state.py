"""What the last answers of a conversation were about (issue 19: follow-up questions).

Revision ID: 0017
Revises: 0016 (0016_two_processes)
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialogue_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("chat_id", sa.String(255), nullable=False),
        sa.Column("sessions", sa.String(255), nullable=False),
        sa.Column("people", sa.String(255), nullable=False),
        sa.Column("places", sa.String(255), nullable=False),
        sa.Column("moment", sa.DateTime(timezone=True), nullable=True),
        sa.Column("asked", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.UniqueConstraint("user_id", "chat_id", name="uq_dialogue_state"),
    )


def downgrade() -> None:
    op.drop_table("dialogue_state")
