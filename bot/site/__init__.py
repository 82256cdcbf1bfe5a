"""The web site: one Flask app (``create_app``) with the public page and the chat widget's
endpoints at ``/`` (``bot.site.public``) and the staff desk under ``/desk/`` (``bot.site.desk``).
``bot.site.server`` serves it with gunicorn.

One way to wire it: each module of views has a blueprint ``bp``, registered here; everything the
views use is made here once per app, one :class:`~bot.site.extension.SiteServices` at
``app.extensions["almere"]`` that views reach through :func:`bot.site.extension.services`; the
libraries (Flask-Babel, Flask-WTF's CSRF protection) are set up here too. The ticket database has
one engine per process (:func:`bot.tickets.database.sessions_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, abort, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.access.assistant_switch import AssistantSwitch
from bot.access.chat_sessions import session_tokens
from bot.access.secret_files import load_or_create_secret_key
from bot.config import REPO_ROOT, Settings, load_settings
from bot.desk_answers.service import DeskAnswerService
from bot.handoff.live_chat import SECRET_FILE as LIVE_CHAT_SECRET_FILE
from bot.handoff.live_chat import live_chat_secret
from bot.insights import insights_service
from bot.insights.answer_votes import AnswerFeedbackService
from bot.knowledge import load_knowledge
from bot.observability.metrics import TicketCollector
from bot.office_hours.wording import local_time, zone_label
from bot.privacy.subject_data import SubjectDataService
from bot.site import i18n, metrics_route
from bot.site.desk import (
    answers,
    assistant_switch,
    auth,
    insights,
    language,
    live_chats,
    personal_data,
    views,
)
from bot.site.desk.accounts import StaffAccounts
from bot.site.desk.errors import register_error_handlers
from bot.site.desk.rasa_link import RasaLink
from bot.site.desk.rate_limit import create_limiter
from bot.site.extension import EXTENSION_KEY, SiteServices
from bot.site.public import add_security_headers, answer_votes, history, ratings
from bot.site.public import bp as public_page
from bot.site.public.conversation_log import ConversationLog, session_lifetime
from bot.tickets import TicketService
from bot.tickets.database import sessions_for
from bot.tickets.live_chat_tickets import LiveChatService
from bot.tickets.mail import Mailer
from bot.tickets.ratings import RatingService
from bot.tickets.replies import ReplyService

LOGIN_WINDOW_SECONDS = 60
# Every blueprint of the site, in the order they are registered.
BLUEPRINTS = (
    i18n.bp,
    auth.bp,
    views.bp,
    live_chats.bp,
    answers.bp,
    language.bp,
    insights.bp,
    personal_data.bp,
    assistant_switch.bp,
    public_page,
    ratings.bp,
    answer_votes.bp,
    history.bp,
    metrics_route.bp,
)
# The public JSON and pages that take no CSRF token: a signed token authorises them, or a forged
# request could reach nothing (the thumbs); their modules say why.
CSRF_EXEMPT = (ratings.bp, answer_votes.bp, history.bp)


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

    site = app.extensions[EXTENSION_KEY] = site_services(settings, app.config)
    app.add_template_filter(partial(local_time, zone=site.zone), "local_time")
    label = zone_label(settings.office_timezone)
    app.context_processor(lambda: {"staff": auth.current_staff(), "zone_label": label})

    Babel(
        app,
        locale_selector=partial(i18n.select_locale, language.signed_in_desk_language),
        default_domain="messages",
    )
    app.before_request(refuse_unreadable_json)  # before CSRFProtect's check, which may read it
    app.after_request(add_security_headers)
    csrf = CSRFProtect(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in CSRF_EXEMPT:
        csrf.exempt(blueprint)
    register_error_handlers(app)
    if settings.proxy_hops:
        # Behind the proxy every request comes from the proxy's address: the client's is the one
        # the last proxy_hops proxies added (anything a client wrote before them is not trusted).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops
        )
    return app


def site_services(settings: Settings, config: Mapping[str, Any]) -> SiteServices:
    """What the views of an app with Flask ``config`` use, on ``settings``' databases (the ticket
    database through this process's one engine for it)."""
    sessions = sessions_for(settings.database_url)
    redis_url = settings.rate_limit_redis_url
    tickets = TicketService(sessions)
    live = LiveChatService(sessions, settings.staff_presence_seconds)
    rating_service = RatingService(sessions, config["SECRET_KEY"])
    lifetime = session_lifetime()
    return SiteServices(
        settings=settings,
        knowledge=load_knowledge(settings.knowledge_file),
        zone=ZoneInfo(settings.office_timezone),
        tickets=tickets,
        accounts=StaffAccounts(sessions, config["PASSWORD_HASHER"]),
        login_limiter=create_limiter(
            redis_url, "login", settings.login_attempts_per_minute, LOGIN_WINDOW_SECONDS
        ),
        address_limiter=create_limiter(
            redis_url, "login-address", settings.login_attempts_per_minute_per_address, LOGIN_WINDOW_SECONDS
        ),
        replies=ReplyService(sessions, Mailer(settings), rating_service, settings.site_url),
        ratings=rating_service,
        live_chats=live,
        rasa_link=RasaLink(
            settings.rasa_internal_url, live_chat_secret(settings, Path(config["LIVE_CHAT_SECRET_FILE"]))
        ),
        desk_answers=DeskAnswerService(sessions),
        desk_languages=language.DeskLanguages(sessions),
        insights=insights_service(settings.tracker_url, settings.database_url),
        subject_data=SubjectDataService(sessions, settings.tracker_url),
        assistant_switch=AssistantSwitch(sessions, cache_seconds=0),
        metrics=TicketCollector(tickets.counts, live.waiting),
        answer_votes=AnswerFeedbackService(sessions),
        vote_limiter=create_limiter(redis_url, "answer-votes", answer_votes.VOTES_PER_MINUTE, 60),
        session_lifetime=lifetime,
        session_tokens=session_tokens(settings),
        conversation_log=ConversationLog(settings.tracker_url, lifetime),
        history_limiter=create_limiter(redis_url, "widget-history", history.REQUESTS_PER_MINUTE, 60),
    )
