"""The Matrix end-to-end key store lives in the database (issue 10).

Revision ID: 0010
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matrix_keys",
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("owner", "kind", "name"),
    )


def downgrade() -> None:
    op.drop_table("matrix_keys")
