"""Two processes on one database: outbox claims with a lease, and Telegram update ids seen
(webhook deliveries are retried; any process may receive one).

Revision ID: 0016
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        outbox.add_column(sa.Column("claim_token", sa.String(32), nullable=True))
    op.create_table(
        "seen_updates",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("seen_updates")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("claim_token")
        outbox.drop_column("claimed_until")
