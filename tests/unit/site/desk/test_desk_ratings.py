"""The person's say: POST /feedback (JSON, for the chat widget), the page behind the
e-mailed link, and the ratings in the desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from desk_helpers import make_ticket

from bot.tickets.models import utc_now
from bot.tickets.validation import RATING_COMMENT_MAX


@pytest.fixture
def token(services) -> str:
    return services.ratings.ask(make_ticket(services.tickets), "chat")


def send(client, body, **kwargs):
    return client.post("/feedback", json=body, **kwargs)


def test_the_widget_answers_once_without_a_csrf_token_or_sign_in(client, services, token):
    response = send(client, {"token": token, "score": 4, "comment": "Friendly and quick."})
    assert (response.status_code, response.get_json()) == (200, {"ok": True})
    assert "Set-Cookie" not in response.headers  # nothing is kept about the person's browser
    rating = services.tickets.list()[0].rating
    assert (rating.score, rating.comment, rating.channel) == (4, "Friendly and quick.", "chat")

    again = send(client, {"token": token, "score": 1})
    assert again.status_code == 409
    assert again.get_json() == {"error": "You have already answered this question. Thank you!"}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"token": None, "score": 4, "ignored": "no token"}, "not valid"),
        ({"token": "forged.token", "score": 4}, "not valid"),
        ({"token": None, "score": 4}, "not valid"),
        ({"score": 0}, "from 1"),
        ({"score": 6}, "from 1"),
        ({"score": True}, "from 1"),
        ({"score": "great"}, "from 1"),
        ({}, "from 1"),
        ({"score": 3, "comment": "x" * (RATING_COMMENT_MAX + 1)}, "longer than"),
        ({"score": 3, "comment": "bell\x07"}, "control characters"),
        ({"score": 3, "comment": ["a list"]}, "must be text"),
    ],
    ids=str,
)
def test_bad_answers_are_a_400_with_a_message(client, services, token, body, field):
    response = send(client, {"token": token, **body} if "token" not in body else body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]
    assert services.tickets.list()[0].rating.score is None


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"a string"', "{"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, raw):
    response = client.post("/feedback", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_a_form_post_to_the_json_endpoint_is_a_400(client, token):
    response = client.post("/feedback", data={"token": token, "score": "4"})
    assert response.status_code == 400 and response.is_json


def test_a_large_body_is_a_413(client, token):
    response = send(client, {"token": token, "score": 4, "comment": "x" * 20_000})
    assert response.status_code == 413
    assert response.get_json() == {"error": "That is too much text for an answer."}


def test_a_purged_question_is_a_404(client, services, token):
    [ticket] = services.tickets.list()
    services.tickets.resolve(ticket.reference, "jan")
    services.tickets.purge_resolved(utc_now() + timedelta(seconds=1))
    response = send(client, {"token": token, "score": 5})
    assert response.status_code == 404 and "no longer available" in response.get_json()["error"]


def test_the_page_asks_accessibly_and_thanks(client, services, token):
    page = client.get(f"/feedback/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<fieldset" in html and "<legend>How helpful was it?" in html
    assert html.count('type="radio"') == 5 and 'for="score-5"' in html and 'for="comment"' in html
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in page.headers

    answered = client.post(f"/feedback/{token}", data={"score": "5", "comment": "<script>x()</script>"})
    assert answered.status_code == 200 and "Thank you!" in answered.get_data(as_text=True)
    assert services.tickets.list()[0].rating.score == 5

    html = client.get(f"/feedback/{token}").get_data(as_text=True)
    assert "You already answered this question. Thank you!" in html and "<form method" not in html
    twice = client.post(f"/feedback/{token}", data={"score": "1"})
    assert twice.status_code == 409 and "already answered" in twice.get_data(as_text=True)
    assert services.tickets.list()[0].rating.score == 5


def test_the_page_keeps_what_was_typed_and_says_what_to_correct(client, token):
    response = client.post(f"/feedback/{token}", data={"comment": "Nice <b>people</b>"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please check your answer" in html and 'role="alert"' in html
    assert "Nice &lt;b&gt;people&lt;/b&gt;</textarea>" in html

    kept = client.post(f"/feedback/{token}", data={"score": "4", "comment": "x" * (RATING_COMMENT_MAX + 1)})
    assert kept.status_code == 400
    assert 'value="4" required checked' in kept.get_data(as_text=True)
    assert 'aria-invalid="true"' in kept.get_data(as_text=True)


@pytest.mark.parametrize("token", ["garbage", "WzEsImFiYyJd.Zm9yZ2Vk"])
def test_a_forged_link_shows_a_clear_page(client, token):
    response = client.get(f"/feedback/{token}")
    assert response.status_code == 400
    assert "This rating link is not valid" in response.get_data(as_text=True)
    assert client.post(f"/feedback/{token}", data={"score": "4"}).status_code == 400


def test_the_desk_shows_each_rating_escaped_and_the_average(signed_in, services):
    first = make_ticket(services.tickets, "conv-1")
    second = make_ticket(services.tickets, "conv-2")
    unasked = make_ticket(services.tickets, "conv-3")
    services.ratings.answer(services.ratings.ask(first, "chat"), 5, "<script>alert('hi')</script>")
    services.ratings.answer(services.ratings.ask(second, "email"), 2)

    page = signed_in.get(f"/desk/tickets/{first}").get_data(as_text=True)
    assert "<strong>5 of 5</strong> (by chat" in page
    assert "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Not asked" in signed_in.get(f"/desk/tickets/{unasked}").get_data(as_text=True)
    queue = signed_in.get("/desk/").get_data(as_text=True)
    assert "<strong>3.5 of 5</strong> on average (2 ratings)" in queue


def test_a_question_not_answered_yet_shows_as_asked(signed_in, services):
    reference = make_ticket(services.tickets)
    services.ratings.ask(reference, "email")
    page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert "Asked by e-mail" in page and "no answer yet" in page
    assert "no ratings yet" in signed_in.get("/desk/").get_data(as_text=True)
