"""The web site: one Flask app (``create_app``) with two blueprints, the public page with the chat
widget at ``/`` (``bot.site.public``) and the staff desk under ``/desk/`` (``bot.site.desk``).
``bot.site.server`` serves it with gunicorn.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, abort, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.access.secret_files import load_or_create_secret_key
from bot.config import REPO_ROOT, Settings, load_settings
from bot.handoff.live_chat import SECRET_FILE as LIVE_CHAT_SECRET_FILE
from bot.handoff.live_chat import live_chat_secret
from bot.office_hours.wording import local_time, zone_label
from bot.site import i18n
from bot.site import metrics as site_metrics
from bot.site.desk import answers as desk_answers
from bot.site.desk import assistant_switch, auth, insights, language, personal_data, views
from bot.site.desk import live_chats as live
from bot.site.desk.accounts import StaffAccounts
from bot.site.desk.errors import register_error_handlers
from bot.site.desk.extension import EXTENSION_KEY, DeskServices
from bot.site.desk.rasa_link import RasaLink
from bot.site.desk.rate_limit import create_limiter
from bot.site.public import add_security_headers, welcome_message
from bot.site.public import answer_votes as answer_feedback
from bot.site.public import create_blueprint as public_page_blueprint
from bot.site.public import history as widget_history
from bot.site.public import ratings as feedback
from bot.tickets import TicketService
from bot.tickets.database import create_engine_for, create_session_factory
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.mail import Mailer
from bot.tickets.ratings import RatingService
from bot.tickets.replies import ReplyService

LOGIN_WINDOW_SECONDS = 60


def refuse_unreadable_json() -> None:
    """A JSON body that cannot be read (malformed, or nested too deeply to parse) is a 400."""
    if request.is_json and request.content_length:
        try:
            request.get_json(cache=True)
        except RecursionError:
            abort(400, "The request body is not valid JSON.")


def create_app(settings: Settings | None = None, test_config: Mapping[str, Any] | None = None) -> Flask:
    """The site (public page and desk) for ``settings`` (default: from the environment).

    ``test_config`` overrides Flask config keys, e.g. ``PASSWORD_HASHER`` (a cheaper
    argon2 ``PasswordHasher`` for tests) or ``SECRET_KEY_FILE``.
    """
    settings = settings or load_settings()
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        SECRET_KEY_FILE=REPO_ROOT / "var" / "desk_secret_key",
        LIVE_CHAT_SECRET_FILE=LIVE_CHAT_SECRET_FILE,
        SESSION_COOKIE_NAME="almere_desk_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=64 * 1024,
        PASSWORD_HASHER=None,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret_key(Path(app.config["SECRET_KEY_FILE"]))

    session_factory = create_session_factory(create_engine_for(settings.database_url))
    zone = ZoneInfo(settings.office_timezone)
    ratings = RatingService(session_factory, app.config["SECRET_KEY"])
    app.extensions[EXTENSION_KEY] = DeskServices(
        tickets=TicketService(session_factory),
        accounts=StaffAccounts(session_factory, app.config["PASSWORD_HASHER"]),
        login_limiter=create_limiter(
            settings.rate_limit_redis_url, "login", settings.login_attempts_per_minute, LOGIN_WINDOW_SECONDS
        ),
        address_limiter=create_limiter(
            settings.rate_limit_redis_url,
            "login-address",
            settings.login_attempts_per_minute_per_address,
            LOGIN_WINDOW_SECONDS,
        ),
        replies=ReplyService(session_factory, Mailer(settings), ratings, settings.site_url),
        ratings=ratings,
    )
    app.extensions[live.EXTENSION_KEY] = live.LiveDesk(
        live_chats=LiveChatService(session_factory, settings.staff_presence_seconds),
        link=RasaLink(
            settings.rasa_internal_url, live_chat_secret(settings, Path(app.config["LIVE_CHAT_SECRET_FILE"]))
        ),
        settings=settings,
    )
    app.add_template_filter(partial(local_time, zone=zone), "local_time")
    label = zone_label(settings.office_timezone)
    app.context_processor(lambda: {"staff": auth.current_staff(), "zone_label": label})

    i18n.init_app(app)
    app.before_request(refuse_unreadable_json)  # before CSRFProtect's check, which may read it
    app.after_request(add_security_headers)
    csrf = CSRFProtect(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(live.bp)
    desk_answers.init_app(app, session_factory)
    language.init_app(app, session_factory)
    insights.init_app(app, settings)
    personal_data.init_app(app, settings, session_factory)
    assistant_switch.init_app(app, session_factory)
    app.register_blueprint(public_page_blueprint(settings))
    feedback.init_app(app, settings, ratings, csrf)
    answer_feedback.init_app(app, settings, csrf)
    widget_history.init_app(app, settings, csrf, welcome_message)
    site_metrics.init_app(app)
    register_error_handlers(app)
    if settings.proxy_hops:
        # Behind the proxy every request comes from the proxy's address: the client's is the one
        # the last proxy_hops proxies added (anything a client wrote before them is not trusted).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    return app
