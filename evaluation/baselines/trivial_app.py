"""Baseline (a): a Sanic app that answers the REST channel's POST with a fixed reply.

The same web stack as the Rasa server (Sanic 21.12, one worker) with no work behind it,
so its figures are the floor of what this stack can do on the machine.
Run: `python -m evaluation.baselines.trivial_app --port 5099`.
"""

from __future__ import annotations

import argparse

FIXED_REPLY = "This is a fixed reply."


def create_app():  # -> sanic.Sanic (imported lazily: no import-time side effects)
    from sanic import Sanic, response
    from sanic.request import Request

    app = Sanic("trivial_baseline")

    @app.get("/")
    async def health(_request: Request) -> response.HTTPResponse:
        return response.text("ok")

    @app.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> response.HTTPResponse:
        sender = (request.json or {}).get("sender", "default")
        return response.json([{"recipient_id": sender, "text": FIXED_REPLY}])

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5099)
    arguments = parser.parse_args()
    create_app().run(host=arguments.host, port=arguments.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
