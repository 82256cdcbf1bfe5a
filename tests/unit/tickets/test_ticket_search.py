"""The desk's search over tickets, on SQLite and PostgreSQL: reference, name, e-mail address, phone
number however written, and the words of the question, conversation and notes."""

from __future__ import annotations

import pytest
from support import open_ticket, transcript

from bot.tickets.errors import InvalidTicket
from bot.tickets.service import SEARCH_MAX


@pytest.fixture
def tickets(service):
    """Three tickets: Ana (e-mail), Piet (phone, Dutch), and one whose question holds % and _."""
    ana = open_ticket(service, "conv-ana").reference
    piet = open_ticket(
        service,
        "conv-piet",
        name="Piet de Vries",
        email=None,
        phone="+31 6 1234 5678",
        question="Waar vraag ik een parkeervergunning aan?",
        transcript=transcript("Ik wil een parkeervergunning", "Ik vraag een collega."),
        language="nl",
    ).reference
    odd = open_ticket(
        service,
        "conv-odd",
        name="Zoë_Underscore",
        email="zoe@example.org",
        question="Is the 30% ruling for me?",
    ).reference
    service.add_note(piet, "jan", "Called: he asks about KvK registration")
    return {"ana": ana, "piet": piet, "odd": odd}


def found(service, search: str) -> set[str]:
    return {ticket.reference for ticket in service.queue(search=search)}


def test_search_by_reference_name_address_and_words(service, tickets):
    assert found(service, tickets["piet"]) == {tickets["piet"]}
    assert found(service, tickets["piet"].lower()) == {tickets["piet"]}
    assert found(service, "ana silva") == {tickets["ana"]}
    assert found(service, "SILVA") == {tickets["ana"]}
    assert found(service, "ana@example.org") == {tickets["ana"]}
    assert found(service, "parkeervergunning") == {tickets["piet"]}  # the question and conversation
    assert found(service, "kvk") == {tickets["piet"]}  # a colleague's note
    assert found(service, "vries parkeervergunning") == {tickets["piet"]}  # every word
    assert found(service, "vries ruling") == set()


@pytest.mark.parametrize(
    "written", ["0612345678", "06-1234 5678", "+31 6 1234 5678", "1234 5678", "(06) 12345678"]
)
def test_search_by_phone_number_however_written(service, tickets, written):
    assert found(service, written) == {tickets["piet"]}


def test_like_wildcards_are_plain_characters(service, tickets):
    assert found(service, "%") == {tickets["odd"]}
    assert found(service, "_") == {tickets["odd"]}
    assert found(service, "30%") == {tickets["odd"]}
    assert found(service, "a%a") == set()
    assert found(service, "\\") == set()


def test_blank_search_finds_all_and_too_long_a_search_is_refused(service, tickets):
    assert found(service, "  ") == set(tickets.values())
    with pytest.raises(InvalidTicket):
        service.queue(search="x" * (SEARCH_MAX + 1))
    with pytest.raises(InvalidTicket):
        service.queue(search=" ".join("word" for _ in range(20)))


def test_search_keeps_the_other_filters(service, tickets):
    service.claim(tickets["ana"], "jan")
    assert {ticket.reference for ticket in service.queue(status="open", search="example.org")} == {
        tickets["odd"]
    }
