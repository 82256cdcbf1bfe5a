"""``GET /metrics`` of the Rasa and action servers: this process's metrics
(bot/observability/metrics.py) in the Prometheus text format. The proxy does not pass it on from
the Internet (deploy/haproxy.cfg)."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from bot.observability.metrics import exposition

PATH = "/metrics"


async def serve_metrics(request: Request) -> HTTPResponse:
    body, content_type = exposition()
    return raw(body, content_type=content_type)


def add_metrics_route(app: Sanic) -> None:
    app.add_route(serve_metrics, PATH, methods=["GET"], name="metrics")


class MetricsBlueprint(Blueprint):
    """A channel's blueprint that also serves ``GET /metrics`` at the server's root (a channel's own
    routes are under its ``/webhooks/<channel>`` prefix), as Rasa's socket.io blueprint attaches
    ``/socket.io`` when it is registered."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        add_metrics_route(app)
        super().register(app, options)
