"""Organiser announcements; outbox rows remember their language and announcement.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("author_platform", sa.String(16), nullable=False),
        sa.Column("author_chat", sa.String(255), nullable=True),
        sa.Column("author_user_id", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("texts", sa.Text(), nullable=False),
        sa.Column("source_language", sa.String(8), nullable=False),
        sa.Column("audience", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lang", sa.String(8), nullable=True))
        batch.add_column(sa.Column("announcement_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_outbox_announcement", "announcements",
                                 ["announcement_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_outbox_announcement_id", ["announcement_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_announcement_id")
        batch.drop_constraint("fk_outbox_announcement", type_="foreignkey")
        batch.drop_column("announcement_id")
        batch.drop_column("lang")
    op.drop_table("announcements")
