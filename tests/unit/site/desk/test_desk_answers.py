"""The desk's answers: writing one from a ticket or a question, approval by a second
colleague only, edits back to draft, withdrawal, the history; bad input is a 4xx with a message."""

from __future__ import annotations

import re

import pytest
from desk_helpers import PASSWORD, csrf_token, make_ticket, sign_in

from bot.desk_answers.service import DeskAnswerService

QUESTIONS = "How do I get a BSN?\nWhere can I get a citizen service number?"
ANSWER = "You get your BSN when you register at the city hall."


@pytest.fixture
def answers(services) -> DeskAnswerService:
    return services.desk_answers


@pytest.fixture
def colleague(app, services):
    """A second colleague (piet), signed in in a browser of their own."""
    services.accounts.add("piet", PASSWORD)
    client = app.test_client()
    assert sign_in(client, username="piet").status_code == 302
    return client


def write(client, questions: str = QUESTIONS, answer: str = ANSWER, **extra):
    token = csrf_token(client, "/desk/answers/new")
    return client.post(
        "/desk/answers/new", data={"questions": questions, "answer": answer, "csrf_token": token, **extra}
    )


def answer_id(response) -> int:
    return int(re.fullmatch(r"/desk/answers/(\d+)", response.headers["Location"]).group(1))


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def post(client, path: str, page_path: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, page_path), **data})


def test_a_written_answer_is_a_draft_a_colleague_approves(signed_in, colleague, answers):
    response = write(signed_in)
    assert response.status_code == 302
    number = answer_id(response)
    mine = page(signed_in, f"/desk/answers/{number}")
    assert "A colleague must approve it" in mine and "draft" in mine
    assert "Approve this answer" not in mine and "You wrote or last edited this text" in mine

    theirs = page(colleague, f"/desk/answers/{number}")
    version = re.search(r'name="version" value="(\d+)"', theirs).group(1)
    approved = post(colleague, f"/desk/answers/{number}/approve", f"/desk/answers/{number}", version=version)
    assert approved.status_code == 302
    shown = page(colleague, f"/desk/answers/{number}")
    assert "The assistant gives this answer" in shown and "approved by piet" in shown
    assert "Approved</strong> by piet" in shown and "Created</strong> by jan" in shown
    assert [a.id for a in answers.approved("en")] == [number]
    listed = page(signed_in, "/desk/answers/?status=approved")
    assert f"Answer {number}" in listed and "How do I get a BSN?" in listed and "(+1 more)" in listed


def test_the_author_cannot_approve_even_by_posting_directly(signed_in, answers):
    number = answer_id(write(signed_in))
    version = answers.get(number).version
    refused = post(
        signed_in, f"/desk/answers/{number}/approve", f"/desk/answers/{number}", version=str(version)
    )
    assert refused.status_code == 409
    assert "A colleague other than its author (jan) must approve answer" in refused.get_data(as_text=True)
    assert answers.get(number).status == "draft"


def test_an_edit_of_an_approved_answer_takes_it_back_to_draft(signed_in, colleague, answers):
    number = answer_id(write(signed_in))
    answers.approve(number, "piet")
    form = page(colleague, f"/desk/answers/{number}/edit")
    assert "Saving a change takes it back to draft" in form and "How do I get a BSN?" in form
    saved = post(colleague, f"/desk/answers/{number}/edit", f"/desk/answers/{number}/edit",
                 questions=QUESTIONS, answer=ANSWER + " Bring your passport.")  # fmt: skip
    assert saved.status_code == 302
    assert "no longer gives this answer" in page(colleague, f"/desk/answers/{number}")
    record = answers.get(number)
    assert (record.status, record.last_editor) == ("draft", "piet")
    # Neither its author nor its last editor may approve it now: a third colleague must.
    for client in (signed_in, colleague):
        shown = page(client, f"/desk/answers/{number}")
        assert (
            "Approve this answer" not in shown and "a colleague other than jan and piet approves it" in shown
        )


def test_an_approval_of_an_old_version_is_refused(signed_in, colleague, answers):
    number = answer_id(write(signed_in))
    stale = answers.get(number).version
    answers.edit(number, questions=QUESTIONS, answer="Changed meanwhile.", editor="jan")
    refused = post(
        colleague, f"/desk/answers/{number}/approve", f"/desk/answers/{number}", version=str(stale)
    )
    assert refused.status_code == 409 and "read it again" in refused.get_data(as_text=True)
    missing = post(colleague, f"/desk/answers/{number}/approve", f"/desk/answers/{number}")
    assert missing.status_code == 400 and "which version" in missing.get_data(as_text=True)


def test_withdraw(signed_in, colleague, answers):
    number = answer_id(write(signed_in))
    answers.approve(number, "piet")
    response = post(signed_in, f"/desk/answers/{number}/withdraw", f"/desk/answers/{number}")
    assert response.status_code == 302
    shown = page(signed_in, f"/desk/answers/{number}")
    assert "Withdrawn: the assistant does not give it" in shown and "Withdraw this answer" not in shown
    assert answers.approved("en") == []
    again = post(signed_in, f"/desk/answers/{number}/withdraw", f"/desk/answers/{number}")
    assert again.status_code == 409


def test_writing_from_a_ticket_prefills_its_question_and_links_back(signed_in, services, answers):
    reference = make_ticket(services.tickets, question="Can I get the 30% ruling as a freelancer?")
    ticket_page = page(signed_in, f"/desk/tickets/{reference}")
    assert f'href="/desk/answers/new?ticket={reference}"' in ticket_page
    form = page(signed_in, f"/desk/answers/new?ticket={reference}")
    assert "Can I get the 30% ruling as a freelancer?</textarea>" in form
    assert f'value="{reference}"' in form
    number = answer_id(
        write(signed_in, "Can I get the 30% ruling as a freelancer?", "Ask the tax office.", ticket=reference)
    )
    assert answers.get(number).source_ticket == reference
    assert f'href="/desk/tickets/{reference}"' in page(signed_in, f"/desk/answers/{number}")
    assert signed_in.get("/desk/answers/new?ticket=ALM-999999").status_code == 404


def test_the_insights_link_prefills_the_question_as_text(signed_in):
    form = page(signed_in, "/desk/answers/new?question=<b>Where do I park?</b>")
    assert "&lt;b&gt;Where do I park?&lt;/b&gt;</textarea>" in form and "<b>" not in form


@pytest.mark.parametrize(
    ("questions", "answer", "message"),
    [
        ("", ANSWER, "Write at least one example question."),
        (QUESTIONS, "", "Write the answer."),
        ("x" * 301, ANSWER, "at most 300 characters"),
        (QUESTIONS, "a" * 2001, "at most 2000 characters"),
        (QUESTIONS, "bell \x07 rings", "control characters"),
    ],
)
def test_bad_input_is_shown_beside_the_field(signed_in, answers, questions, answer, message):
    response = write(signed_in, questions, answer)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert answers.list() == []


def test_unknown_answers_and_filters(signed_in):
    missing = signed_in.get("/desk/answers/42")
    assert missing.status_code == 404 and "There is no desk answer 42." in missing.get_data(as_text=True)
    assert signed_in.get("/desk/answers/42/edit").status_code == 404
    assert post(signed_in, "/desk/answers/42/withdraw", "/desk/answers/").status_code == 404
    bad_filter = signed_in.get("/desk/answers/?status=published")
    assert bad_filter.status_code == 400 and "The status is one of" in bad_filter.get_data(as_text=True)


def test_forms_need_their_csrf_token(signed_in, answers):
    assert (
        signed_in.post("/desk/answers/new", data={"questions": QUESTIONS, "answer": ANSWER}).status_code
        == 400
    )
    number = answers.create(questions=QUESTIONS, answer=ANSWER, author="jan").id
    assert signed_in.post(f"/desk/answers/{number}/withdraw").status_code == 400
    assert answers.get(number).status == "draft"


def test_the_nav_links_to_the_answers(signed_in):
    assert '<a href="/desk/answers/">Answers</a>' in page(signed_in, "/desk/")
