"""The ticket database goes away just before the person consents, and comes back.

The action server reaches PostgreSQL through a TcpProxy; stopping the proxy cuts every
connection, like a database outage or a network partition. No server is restarted.
"""

from __future__ import annotations

import time
import uuid

import pytest
from support import desk_phone

from operations import checks
from operations.handoff_script import HANDOFF, HANDOFF_AGAIN, NOT_PASSED_ON, REFERENCE, reference_in


def restart(proxy, within: float = 5.0) -> None:
    """Start the stopped proxy on its port again; the closed listener may take a moment to go."""
    deadline = time.monotonic() + within
    while True:
        try:
            proxy.start()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def proxy(scaled_out):
    yield scaled_out.proxy
    scaled_out.proxy.stop()  # whatever the test did, leave the database reachable
    restart(scaled_out.proxy)


def test_a_handoff_during_a_database_outage_is_not_confirmed_and_the_next_one_is(scaled_out, proxy):
    pids = scaled_out.server_pids()
    sender = f"ops-db-down-{uuid.uuid4()}"
    *before_consent, consent = HANDOFF
    scaled_out.follow(sender, before_consent)

    proxy.stop()
    try:
        refused = scaled_out.say(sender, consent.message, server=len(before_consent))
        tickets_during_outage = scaled_out.tickets(sender)  # the CLI reaches PostgreSQL directly
    finally:
        restart(proxy)

    assert NOT_PASSED_ON in refused, refused
    assert not REFERENCE.search(refused), refused
    assert desk_phone() in refused, "the person should get the desk's phone number instead"
    assert tickets_during_outage == []

    replies = scaled_out.follow(sender, HANDOFF_AGAIN, first_server=1)
    reference = reference_in(replies[-1])
    assert reference, replies[-1]
    assert scaled_out.server_pids() == pids, "a server was restarted"

    [ticket] = scaled_out.tickets(sender)
    assert ticket["reference"] == reference
    sent = [step.message for step in (*HANDOFF, *HANDOFF_AGAIN)]
    assert checks.transcript_user_lines(ticket) == list(sent)
    assert any(NOT_PASSED_ON in line for line in checks.transcript_bot_lines(ticket)), (
        "the transcript should show staff that the first attempt failed"
    )
