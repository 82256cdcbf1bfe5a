"""A live chat notes when the person last typed, so that the desk can show "The person is typing…".

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status IN ('open', 'claimed')")


def upgrade() -> None:
    op.add_column("tickets", sa.Column("person_typing_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite copies the table to drop a column and would copy this index without its WHERE.
    op.drop_index("uq_tickets_active_conversation", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("person_typing_at")
    op.create_index(
        "uq_tickets_active_conversation",
        "tickets",
        ["conversation_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
