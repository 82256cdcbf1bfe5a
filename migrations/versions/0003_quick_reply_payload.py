"""Transcript messages keep the payload of a clicked quick reply beside its title.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_messages") as batch:
        batch.add_column(sa.Column("quick_reply", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket_messages") as batch:
        batch.drop_column("quick_reply")
