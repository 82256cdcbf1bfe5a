"""Languages, per-answer feedback and answers written by the desk.

The person's language is kept with their ticket and a colleague's desk language with their
account; answer feedback keeps only the topic and the thumb; desk answers keep their history.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status IN ('open', 'claimed')")


def _active_index(create: bool) -> None:
    # SQLite copies a table to change its constraints and would copy this index without its WHERE.
    if create:
        op.create_index(
            "uq_tickets_active_conversation",
            "tickets",
            ["conversation_id"],
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        )
    else:
        op.drop_index("uq_tickets_active_conversation", table_name="tickets")


def upgrade() -> None:
    _active_index(create=False)
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), server_default="en", nullable=False))
        batch.create_check_constraint("language", "language IN ('en', 'nl')")
    _active_index(create=True)
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("desk_language", sa.String(length=2), server_default="en", nullable=False))
    op.create_table(
        "desk_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), server_default="en", nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("approver", sa.String(length=64), nullable=True),
        sa.Column("source_ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'withdrawn')", name=op.f("ck_desk_answers_status")
        ),
        sa.ForeignKeyConstraint(
            ["source_ticket_id"],
            ["tickets.id"],
            name=op.f("fk_desk_answers_source_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_answers")),
    )
    op.create_table(
        "desk_answer_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk_answer_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('created', 'edited', 'approved', 'withdrawn')",
            name=op.f("ck_desk_answer_events_action"),
        ),
        sa.ForeignKeyConstraint(
            ["desk_answer_id"],
            ["desk_answers.id"],
            name=op.f("fk_desk_answer_events_desk_answer_id_desk_answers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_answer_events")),
    )
    op.create_index(op.f("ix_desk_answer_events_desk_answer_id"), "desk_answer_events", ["desk_answer_id"])
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("desk_answer_id", sa.Integer(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["desk_answer_id"],
            ["desk_answers.id"],
            name=op.f("fk_answer_feedback_desk_answer_id_desk_answers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
    )
    op.create_index(op.f("ix_answer_feedback_topic"), "answer_feedback", ["topic"])
    op.create_index(op.f("ix_answer_feedback_created_at"), "answer_feedback", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_feedback_created_at"), table_name="answer_feedback")
    op.drop_index(op.f("ix_answer_feedback_topic"), table_name="answer_feedback")
    op.drop_table("answer_feedback")
    op.drop_index(op.f("ix_desk_answer_events_desk_answer_id"), table_name="desk_answer_events")
    op.drop_table("desk_answer_events")
    op.drop_table("desk_answers")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("desk_language")
    _active_index(create=False)
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(op.f("ck_tickets_language"), type_="check")
        batch.drop_column("language")
    _active_index(create=True)
