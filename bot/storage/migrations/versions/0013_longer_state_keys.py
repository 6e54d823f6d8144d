"""State keys up to 512 characters: a Matrix key holds the bot's user id (up to 255 bytes),
and PostgreSQL, unlike SQLite, refuses a key longer than the column.

Revision ID: 0013
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("state") as batch:
        batch.alter_column("key", existing_type=sa.String(64), type_=sa.String(512),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("state") as batch:
        batch.alter_column("key", existing_type=sa.String(512), type_=sa.String(64),
                           existing_nullable=False)
