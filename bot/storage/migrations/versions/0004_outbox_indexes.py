"""Outbox indexes for large broadcasts: what is due per platform, what is left of one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_announcement_status", "outbox", ["announcement_id", "status"])
    op.create_index("ix_outbox_due", "outbox", ["platform", "status", "not_before"])


def downgrade() -> None:
    op.drop_index("ix_outbox_due", "outbox")
    op.drop_index("ix_outbox_announcement_status", "outbox")
