"""``GET /metrics`` of the desk: its process's metrics and the ticket database's gauges
(bot/observability/metrics.py), in the Prometheus text format. The proxy does not pass it on from the Internet
(deploy/haproxy.cfg)."""

from __future__ import annotations

from flask import Blueprint, Response

from bot.observability.metrics import exposition
from bot.site.extension import services

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def serve() -> Response:
    body, content_type = exposition(services().metrics)
    return Response(body, content_type=content_type)
