"""The desk answers the person: replies and calls, live chats, ratings, staff availability.

A live-chat ticket needs no contact details, and transcripts get a ``staff`` role with its author.
On SQLite a CHECK constraint can only change by copying the table (Alembic's batch mode); the
partial unique index of active tickets is dropped first and made again afterwards, because SQLite's
reflection would copy it without its ``WHERE`` and so forbid a second ticket of a conversation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE = sa.text("status IN ('open', 'claimed')")
LIVE_CHAT = "live_chat IN ('waiting', 'active', 'returned', 'closed', 'missed')"


def _active_index(create: bool) -> None:
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
        batch.add_column(sa.Column("live_chat", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint(op.f("ck_tickets_contact"), type_="check")
        batch.create_check_constraint(
            "contact", "email IS NOT NULL OR phone IS NOT NULL OR live_chat IS NOT NULL"
        )
        batch.create_check_constraint("live_chat", LIVE_CHAT)
    _active_index(create=True)
    with op.batch_alter_table("ticket_messages") as batch:
        batch.add_column(sa.Column("author", sa.String(length=64), nullable=True))
        batch.drop_constraint(op.f("ck_ticket_messages_role"), type_="check")
        batch.create_check_constraint("role", "role IN ('user', 'bot', 'staff')")
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("first_name", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("available", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
        batch.add_column(sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "ticket_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('email', 'call')", name=op.f("ck_ticket_replies_kind")),
        sa.CheckConstraint(
            "outcome IN ('sent', 'failed', 'answered', 'no_answer')", name=op.f("ck_ticket_replies_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_replies_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_replies")),
    )
    op.create_index(op.f("ix_ticket_replies_ticket_id"), "ticket_replies", ["ticket_id"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name=op.f("ck_ratings_score")),
        sa.CheckConstraint("channel IN ('chat', 'email')", name=op.f("ck_ratings_channel")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ratings_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_ratings_conversation_id")),
    )
    op.create_index(op.f("ix_ratings_ticket_id"), "ratings", ["ticket_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ratings_ticket_id"), table_name="ratings")
    op.drop_table("ratings")
    op.drop_index(op.f("ix_ticket_replies_ticket_id"), table_name="ticket_replies")
    op.drop_table("ticket_replies")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("seen_at")
        batch.drop_column("available")
        batch.drop_column("first_name")
    op.execute("DELETE FROM ticket_messages WHERE role = 'staff'")
    with op.batch_alter_table("ticket_messages") as batch:
        batch.drop_constraint(op.f("ck_ticket_messages_role"), type_="check")
        batch.create_check_constraint("role", "role IN ('user', 'bot')")
        batch.drop_column("author")
    op.execute("DELETE FROM tickets WHERE email IS NULL AND phone IS NULL")
    _active_index(create=False)
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(op.f("ck_tickets_live_chat"), type_="check")
        batch.drop_constraint(op.f("ck_tickets_contact"), type_="check")
        batch.create_check_constraint("contact", "email IS NOT NULL OR phone IS NOT NULL")
        batch.drop_column("first_reply_at")
        batch.drop_column("live_chat")
    _active_index(create=True)
