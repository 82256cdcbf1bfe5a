"""The ticket page as a colleague works it: every field has its own id and label, so a note can
never be typed into the e-mail to the person; the conversation comes before the reply box."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

from desk_helpers import csrf_token, make_ticket


class _Fields(HTMLParser):
    """Every id, every label's ``for`` and every form field with its form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.fields: dict[str, str] = {}  # field id -> action of its form
        self._action = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "form":
            self._action = attributes.get("action", "")
        if tag == "label" and attributes.get("for"):
            self.label_for.append(attributes["for"])
        if tag in ("textarea", "input", "select") and "id" in attributes:
            self.fields[attributes["id"]] = self._action


def fields_of(page: str) -> _Fields:
    parser = _Fields()
    parser.feed(page)
    return parser


def test_every_id_on_the_ticket_page_is_unique_and_each_label_names_one_field(
    signed_in, services, monkeypatch
):
    monkeypatch.setattr(type(services.replies), "email_configured", property(lambda self: True))
    reference = make_ticket(services.tickets, phone="+31 6 1234 5678")
    parsed = fields_of(signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True))
    duplicates = [name for name, count in Counter(parsed.ids).items() if count > 1]
    assert duplicates == []
    assert all(target in parsed.fields for target in parsed.label_for)
    assert len(parsed.label_for) == len(set(parsed.label_for))


def test_the_internal_note_label_leads_to_the_note_box_of_the_note_form(signed_in, services, monkeypatch):
    monkeypatch.setattr(type(services.replies), "email_configured", property(lambda self: True))
    reference = make_ticket(services.tickets)
    page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    parsed = fields_of(page)
    assert '<label for="note-text">Internal note</label>' in page
    assert parsed.fields["note-text"].endswith(f"/tickets/{reference}/notes")
    assert '<label for="reply-text">Your e-mail to the person</label>' in page
    assert parsed.fields["reply-text"].endswith(f"/tickets/{reference}/replies")


def test_a_refused_note_keeps_its_own_box(signed_in, services):
    reference = make_ticket(services.tickets)
    page = f"/desk/tickets/{reference}"
    refused = signed_in.post(f"{page}/notes", data={"text": " ", "csrf_token": csrf_token(signed_in, page)})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert 'id="note-text-errors"' in body and 'aria-describedby="note-text-hint note-text-errors"' in body


def test_the_conversation_comes_before_the_reply_and_note_boxes(signed_in, services, monkeypatch):
    monkeypatch.setattr(type(services.replies), "email_configured", property(lambda self: True))
    reference = make_ticket(services.tickets, phone="+31 6 1234 5678")
    page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    conversation = page.index('<h2 id="transcript-heading">Conversation</h2>')
    assert conversation < page.index('id="reply-text"') < page.index('id="note-text"')
    assert conversation < page.index('id="call-note"')


def test_a_desk_without_email_says_so_as_information_not_as_an_error(signed_in, services):
    reference = make_ticket(services.tickets)
    page = signed_in.get(f"/desk/tickets/{reference}").get_data(as_text=True)
    assert '<p class="notice">E-mail is not set up on this desk' in page
    assert 'class="error"' not in page
