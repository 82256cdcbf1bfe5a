"""The Kubernetes readiness probe of deploy/kubernetes/ on real Rasa servers: GET
/webhooks/rest/ready answers once the model is loaded and the PostgreSQL tracker store can be
written, and its write probe leaves nothing behind."""

from __future__ import annotations

import requests
import sqlalchemy as sa

from bot.rasa.tracker_store import PROBE_SENDER


def test_every_rasa_server_is_ready_and_the_probe_stores_nothing(scaled_out):
    for url in scaled_out.urls:
        assert url.endswith("/webhooks/rest/webhook")
        for _ in range(3):
            response = requests.get(url.removesuffix("/webhook") + "/ready", timeout=10)
            assert (response.status_code, response.json()) == (200, {"status": "ready"})
    engine = sa.create_engine(scaled_out.tracker_url)
    try:
        with engine.connect() as connection:
            probes = connection.execute(
                sa.text("SELECT count(*) FROM events WHERE sender_id = :sender"), {"sender": PROBE_SENDER}
            ).scalar()
    finally:
        engine.dispose()
    assert probes == 0
