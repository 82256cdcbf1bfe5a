"""Desk answers: written, edited, approved by a second colleague only, withdrawn, and
every change kept in their history; on a real (temporary SQLite) ticket database."""

from __future__ import annotations

import pytest
from support import open_ticket

from bot.desk_answers.service import (
    ApprovalRefused,
    ChangedMeanwhile,
    DeskAnswerNotFound,
    DeskAnswerService,
)
from bot.tickets import TicketService
from bot.tickets.database import create_engine_for, create_session_factory, upgrade_database
from bot.tickets.errors import InvalidTicket, InvalidTransition, TicketNotFound
from bot.tickets.models import StaffUser

QUESTIONS = "How do I get a BSN?\nWhere can I get a citizen service number?"
ANSWER = "You get your BSN when you register at the city hall."


@pytest.fixture
def session_factory(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    engine = create_engine_for(url)
    factory = create_session_factory(engine)
    with factory() as session, session.begin():
        for name in ("anna", "ben", "carla"):
            session.add(StaffUser(username=name, password_hash="not used"))
    yield factory
    engine.dispose()


@pytest.fixture
def answers(session_factory) -> DeskAnswerService:
    return DeskAnswerService(session_factory)


def draft(answers: DeskAnswerService, author: str = "anna", **overrides):
    return answers.create(
        questions=overrides.pop("questions", QUESTIONS), answer=ANSWER, author=author, **overrides
    )


def test_a_new_answer_is_a_draft_with_its_history(answers):
    record = draft(answers, questions="  How do I get a BSN? \r\n\r\nhow do I get a   BSN?\r\nBSN where?  ")
    assert record.status == "draft" and record.author == "anna" and record.approver is None
    assert record.questions == ("How do I get a BSN?", "BSN where?")  # blank lines and repeats dropped
    assert record.language == "en" and record.source_ticket is None
    [created] = record.history
    assert (created.action, created.actor, created.answer) == ("created", "anna", ANSWER)
    assert answers.approved("en") == []


def test_a_colleague_approves_and_the_assistant_may_give_it(answers):
    record = draft(answers)
    with pytest.raises(ApprovalRefused, match="other than its author"):
        answers.approve(record.id, "anna")
    approved = answers.approve(record.id, "ben", version=record.version)
    assert (approved.status, approved.approver) == ("approved", "ben")
    assert approved.approved_at is not None
    assert [e.action for e in approved.history] == ["created", "approved"]
    [live] = answers.approved("en")
    assert (live.id, live.questions, live.answer) == (record.id, tuple(QUESTIONS.splitlines()), ANSWER)
    assert answers.approved("nl") == []  # the language is part of matching
    with pytest.raises(ApprovalRefused, match="approved already"):
        answers.approve(record.id, "carla")


def test_an_edit_takes_it_back_to_draft_and_the_last_editor_may_not_approve(answers):
    record = answers.approve(draft(answers).id, "ben")
    edited = answers.edit(
        record.id, questions=QUESTIONS, answer=ANSWER + " Bring your passport.", editor="ben"
    )
    assert (edited.status, edited.approver, edited.approved_at) == ("draft", None, None)
    assert edited.last_editor == "ben"
    assert answers.approved("en") == []
    for colleague in ("anna", "ben"):  # the author and the last editor
        with pytest.raises(ApprovalRefused, match=r"author \(anna\) and its last editor \(ben\)"):
            answers.approve(record.id, colleague)
    final = answers.approve(record.id, "carla", version=edited.version)
    assert final.status == "approved" and final.approver == "carla"
    assert [(e.action, e.actor) for e in final.history] == [
        ("created", "anna"), ("approved", "ben"), ("edited", "ben"), ("approved", "carla"),
    ]  # fmt: skip
    assert final.history[1].answer == ANSWER and final.history[2].answer.endswith("Bring your passport.")


def test_saving_the_same_text_changes_nothing(answers):
    record = answers.approve(draft(answers).id, "ben")
    same = answers.edit(record.id, questions=QUESTIONS + "\n", answer=f" {ANSWER} ", editor="carla")
    assert same.status == "approved" and same.version == record.version


def test_an_approval_of_a_text_changed_since_it_was_read_is_refused(answers):
    record = draft(answers)
    answers.edit(record.id, questions=QUESTIONS, answer="Something else.", editor="anna")
    with pytest.raises(ChangedMeanwhile, match="read it again"):
        answers.approve(record.id, "ben", version=record.version)
    assert answers.get(record.id).status == "draft"


def test_withdrawn_answers_are_not_given_and_come_back_only_as_drafts(answers):
    record = answers.approve(draft(answers).id, "ben")
    withdrawn = answers.withdraw(record.id, "anna")
    assert withdrawn.status == "withdrawn" and answers.approved("en") == []
    with pytest.raises(InvalidTransition, match="withdrawn already"):
        answers.withdraw(record.id, "ben")
    with pytest.raises(ApprovalRefused, match="edit it to make it a draft"):
        answers.approve(record.id, "carla")
    again = answers.edit(record.id, questions=QUESTIONS, answer="Corrected.", editor="carla")
    assert again.status == "draft"
    assert [e.action for e in again.history] == ["created", "approved", "withdrawn", "edited"]


def test_only_desk_accounts_write_and_approve(answers):
    with pytest.raises(InvalidTicket, match="no desk account 'zoe'"):
        draft(answers, author="zoe")
    record = draft(answers)
    with pytest.raises(InvalidTicket, match="no desk account"):
        answers.approve(record.id, "zoe")
    with pytest.raises(InvalidTicket, match="username"):
        answers.withdraw(record.id, "not a name!")


@pytest.mark.parametrize(
    ("questions", "answer", "message"),
    [
        ("", ANSWER, "example questions cannot be empty"),
        (" \n \n", ANSWER, "example questions cannot be empty"),
        (QUESTIONS, "   ", "answer cannot be empty"),
        ("x" * 301, ANSWER, "at most 300 characters"),
        ("\n".join(f"question {n}" for n in range(21)), ANSWER, "at most 20 example questions"),
        (QUESTIONS, "a" * 2001, "longer than 2000"),
        (QUESTIONS, "bell \x07", "control characters"),
        (None, ANSWER, "must be text"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(answers, questions, answer, message):
    with pytest.raises(InvalidTicket, match=message):
        answers.create(questions=questions, answer=answer, author="anna")
    assert answers.list() == []


def test_unknown_ids_statuses_and_languages(answers):
    with pytest.raises(DeskAnswerNotFound, match="no desk answer 42"):
        answers.get(42)
    for call in (lambda: answers.approve(42, "ben"), lambda: answers.withdraw(42, "ben")):
        with pytest.raises(DeskAnswerNotFound):
            call()
    with pytest.raises(InvalidTicket, match="status is one of"):
        answers.list(status="published")
    with pytest.raises(InvalidTicket, match="language"):
        draft(answers, language="de")


def test_an_answer_written_from_a_ticket_names_it(answers, session_factory):
    reference = open_ticket(TicketService(session_factory), "conv-1").reference
    record = draft(answers, source_ticket=reference.lower())
    assert record.source_ticket == reference
    assert answers.list()[0].source_ticket == reference
    with pytest.raises(TicketNotFound):
        draft(answers, source_ticket="ALM-999999")


def test_the_list_shows_drafts_first_and_filters_by_status(answers):
    first = answers.approve(draft(answers).id, "ben")
    second = draft(answers, questions="How do I get a DigiD?")
    third = answers.withdraw(draft(answers, questions="Where is the city hall?").id, "anna")
    assert [r.id for r in answers.list()] == [second.id, first.id, third.id]
    assert [r.id for r in answers.list(status="approved")] == [first.id]
    assert answers.list(status="") == answers.list()
