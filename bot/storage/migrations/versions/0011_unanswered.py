"""Questions the bot could not place (without who asked), and one-time notices shown.

Revision ID: 0011
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_unanswered_asked_at", "unanswered", ["asked_at"])
    op.create_table(
        "shown_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("notice", sa.String(32), nullable=False),
        sa.UniqueConstraint("user_id", "notice", name="uq_shown_notice"),
    )


def downgrade() -> None:
    op.drop_table("shown_notices")
    op.drop_index("ix_unanswered_asked_at", "unanswered")
    op.drop_table("unanswered")
