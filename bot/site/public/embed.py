"""The chat on any web page of an allowed origin: the snippet's server side.

A page adds ``<script src="https://chat.example/widget.js" data-language="nl" async></script>``
(static/widget.js). That loader asks ``GET /widget/config?language=nl`` for the widget's texts,
markup and settings, with every URL absolute, so that the widget on another site talks to this
server (the rating and the answer votes) and to the Rasa server, never to the page's own.

CORS: ``/widget/config``, ``/static/widget.css``, ``POST /feedback``, ``POST /answer-feedback`` and
``POST /widget/history`` (``history``: the log of a conversation continued on another subdomain)
answer a page of an origin in ``Settings.chat_origins`` with ``Access-Control-Allow-Origin`` set to
that origin (the preflight of a JSON POST included); any other origin gets no CORS header, so its
browser keeps the answer from it. No credentials: the widget sends no cookie to this server, and
needs none. The widget's scripts are plain ``<script src>`` loads, which need no CORS; they, and
the stylesheet, may be embedded cross-origin (``Cross-Origin-Resource-Policy``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, jsonify, render_template, request, send_from_directory, url_for
from flask_babel import force_locale
from werkzeug.wrappers import Response

from bot.conversation.reply_language import DUTCH_WORDS, ENGLISH_WORDS
from bot.site.extension import services
from bot.site.i18n import LANGUAGES
from bot.site.public.history import PATH as HISTORY_PATH
from bot.site.public.widget_texts import welcome_message, widget_texts

# Paths a page of an allowed origin may read (or post to) from its scripts; widget.js fetches the
# stylesheet to construct it in its shadow root.
CORS_PATHS = ("/widget/config", "/feedback", "/answer-feedback", "/static/widget.css", HISTORY_PATH)
# The public page's files (its blueprint's static folder), the loader among them.
STATIC_FOLDER = Path(__file__).parent / "static"
# Paths a page of any origin may load as a script or stylesheet.
EMBEDDABLE_PATHS = ("/widget.js", "/static/")
# Seconds a browser may keep the loader, the settings, and a preflight's answer.
LOADER_MAX_AGE = 300
PREFLIGHT_MAX_AGE = 600


def add_widget_routes(bp: Blueprint) -> None:
    """``/widget.js`` and ``/widget/config`` on the public page's blueprint ``bp``, and CORS for the
    allowed origins (``Settings.chat_origins``) on the whole app."""

    @bp.get("/widget.js", endpoint="widget_loader")
    def loader() -> Response:
        response = send_from_directory(STATIC_FOLDER, "widget.js", max_age=LOADER_MAX_AGE)
        response.headers["Content-Type"] = "text/javascript; charset=utf-8"
        return response

    @bp.get("/widget/config", endpoint="widget_config")
    def config() -> Response:
        asked = request.args.get("language")
        language = asked if asked in LANGUAGES else LANGUAGES[0]
        site = services()
        with force_locale(language):
            body = widget_config(
                language,
                site.settings.rasa_public_url.rstrip("/"),
                site.settings.max_message_chars,
                welcome_message(),
                int(site.session_lifetime.total_seconds()),
            )
        response = jsonify(body)
        response.headers["Cache-Control"] = f"public, max-age={LOADER_MAX_AGE}"
        return response

    def allow_chat_origins(response: Response) -> Response:
        path = request.path
        if path.startswith(EMBEDDABLE_PATHS):
            response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        if path not in CORS_PATHS:
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin not in services().settings.chat_origins:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
            response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return response

    bp.after_app_request(allow_chat_origins)


def widget_config(
    language: str, rasa_url: str, max_message_chars: int, welcome: dict[str, Any], session_seconds: int
) -> dict[str, Any]:
    """What the loader and chat.js need, in ``language`` (the request's locale is forced to it).
    ``session_seconds``: how long a chat session lasts after its last event (the cookie's lifetime)."""
    here = request.host_url  # this server as the page's browser reaches it
    return {
        "language": language,
        "rasa_url": rasa_url,
        "privacy_url": url_for("web.privacy", _external=True),
        "feedback_url": here + CORS_PATHS[1].lstrip("/"),
        "answer_feedback_url": here + CORS_PATHS[2].lstrip("/"),
        "history_url": here + HISTORY_PATH.lstrip("/"),
        "session_seconds": session_seconds,
        "scripts": {
            "socket_io": url_for("web.static", filename="vendor/socket.io.min.js", _external=True),
            "chat": url_for("web.static", filename="chat.js", _external=True),
        },
        "texts": widget_texts(),
        "welcome": welcome,
        "language_words": language_words(),
        # The widget's markup; every text in it escaped by the template.
        "markup": render_template("web/chat.html", locale=language, max_message_chars=max_message_chars),
    }


def language_words() -> dict[str, list[str]]:
    """The function words bot/conversation/reply_language.py votes with, for the widget's ``lang`` of
    each message."""
    return {"nl": sorted(DUTCH_WORDS), "en": sorted(ENGLISH_WORDS)}
