"""The assistant's switch: whether it answers, and every switch off or on with who and why.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _switch_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answering", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("switched_by", sa.String(length=64), nullable=False),
        sa.Column("switched_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "assistant_switch",
        *_switch_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_switch")),
    )
    op.create_table(
        "assistant_switch_events",
        *_switch_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_switch_events")),
    )
    op.create_index(
        op.f("ix_assistant_switch_events_switched_at"),
        "assistant_switch_events",
        ["switched_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_assistant_switch_events_switched_at"), table_name="assistant_switch_events")
    op.drop_table("assistant_switch_events")
    op.drop_table("assistant_switch")
