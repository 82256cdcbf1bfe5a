"""The last message of a handoff delivered twice (a retry, a double click) makes one ticket."""

from __future__ import annotations

import uuid

import pytest
from ops_support import production_lock_store_type

from operations import checks
from operations.handoff_script import HANDOFF, REFERENCE, TROUBLE, reference_in

*BEFORE_CONSENT, CONSENT = HANDOFF


def references(text: str) -> set:
    return set(REFERENCE.findall(text))


def test_consent_sent_twice_in_a_row_makes_one_ticket(scaled_out):
    sender = f"ops-dup-seq-{uuid.uuid4()}"
    scaled_out.follow(sender, BEFORE_CONSENT)
    first = scaled_out.say(sender, CONSENT.message, server=0)
    second = scaled_out.say(sender, CONSENT.message, server=1)
    reference = reference_in(first)
    assert reference, first
    assert TROUBLE not in second and references(second) <= {reference}, second

    [ticket] = scaled_out.tickets(sender)
    assert ticket["reference"] == reference
    events = scaled_out.events(sender)
    assert checks.user_texts(events)[-2:] == [CONSENT.message, CONSENT.message]
    assert checks.turn_problems(events) == []


@pytest.mark.parametrize("servers", [(0, 1), (0, 0)], ids=["both servers", "one server"])
def test_consent_sent_twice_at_once_makes_one_ticket(scaled_out, servers):
    sender = f"ops-dup-par-{uuid.uuid4()}"
    scaled_out.follow(sender, BEFORE_CONSENT)
    replies = scaled_out.at_once(sender, [CONSENT.message, CONSENT.message], servers=list(servers))
    for reply in replies:
        assert TROUBLE not in reply, reply
    given = set().union(*(references(reply) for reply in replies))
    assert len(given) == 1, replies

    [ticket] = scaled_out.tickets(sender)
    assert {ticket["reference"]} == given
    events = scaled_out.events(sender)
    assert checks.turn_problems(events) == []
    consents = checks.user_texts(events)[len(BEFORE_CONSENT) :]
    if servers[0] != servers[1] and production_lock_store_type() == "redis":
        # Rasa's own Redis lock store may let both run at once and keep one turn only (see
        # test_scale_out's burst test): the ticket is still single, which is what this checks.
        assert consents in ([CONSENT.message], [CONSENT.message, CONSENT.message])
    else:
        assert consents == [CONSENT.message, CONSENT.message]
