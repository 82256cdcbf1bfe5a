"""``GET /metrics`` of the desk: its process's metrics and the ticket database's gauges
(bot/observability/metrics.py), in the Prometheus text format. The proxy does not pass it on from the Internet
(deploy/haproxy.cfg)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from bot.observability.metrics import TicketCollector, exposition
from bot.site.desk.extension import EXTENSION_KEY as DESK_KEY
from bot.site.desk.live_chats import EXTENSION_KEY as LIVE_KEY


def init_app(app: Flask) -> None:
    """Serve ``GET /metrics`` from the app's ticket and live chat services (registered before)."""
    collector = TicketCollector(
        app.extensions[DESK_KEY].tickets.counts, app.extensions[LIVE_KEY].live_chats.waiting
    )
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def serve() -> Response:
        body, content_type = exposition(collector)
        return Response(body, content_type=content_type)

    app.register_blueprint(bp)
