"""The public page: the municipality's "About Almere" information and the chat widget.

The page's text is rendered from the knowledge file (the project's own words and the
single source of facts), so the page and the assistant never disagree. The widget is
added as any site adds it (``embed``: static/widget.js, which loads static/chat.js when opened); it
talks to Rasa's socket.io channel at ``Settings.rasa_public_url``, and everything it loads is served
from here.

The page is in English or Dutch (bot/site/i18n.py picks the language per request): the texts of
the templates and of this module from the site's catalogue, the knowledge file's content in the
topic's own wording of that language.

The privacy and accessibility statements (``/privacy``, ``/accessibility``) are HTML fragments
in ``statements/`` (the Dutch ones in ``statements/nl/``), filled in with the settings and contact
details they quote, so that what they say about retention and whom to call is what this
deployment does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, render_template, render_template_string
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from werkzeug.wrappers import Response

from bot.config import Settings
from bot.knowledge import Fact, Knowledge, load_knowledge
from bot.site.i18n import current_language
from bot.site.public.embed import add_widget_routes

# The page's sections: a heading and the knowledge topics whose answers make its text.
SECTIONS: tuple[tuple[str, LazyString, tuple[str, ...]], ...] = (
    ("history", lazy_gettext("A young, planned city"), ("history",)),
    ("growth", lazy_gettext("Room to grow"), ("population", "growth")),
    ("sustainability", lazy_gettext("A sustainable city"), ("sustainability",)),
    ("community", lazy_gettext("An international community"), ("international_community", "schiphol")),
    (
        "business",
        lazy_gettext("Doing business in Almere"),
        ("business_climate", "business_location", "foreign_companies"),
    ),
    ("contact", lazy_gettext("Contact"), ("contact", "business_desk")),
)
# The figures listed under "Almere in figures", in this order.
KEY_FIGURES = (
    "inhabitants", "population_2050", "train_to_schiphol_min", "jobs",
    "international_jobs", "companies", "expats", "cultures",
)  # fmt: skip
# What the widget says when it opens on an empty conversation, and the topics it suggests:
# (title, payload); a payload of None sends the title as typed text (in Dutch: "Ik wil een
# medewerker spreken"). Payloads must be quick replies the chat accepts (bot/conversation/quick_replies.py),
# which a unit test checks; they are the same in both languages.
WELCOME = lazy_gettext(
    "Hello! I'm the virtual assistant of the International Desk. Ask me about living, working "
    "or doing business in Almere, or choose a topic."
)
SUGGESTIONS: tuple[tuple[LazyString, str | None], ...] = (
    (lazy_gettext("Where is Almere?"), "/ask_about_almere"),
    (lazy_gettext("Jobs in Almere"), "/ask_jobs"),
    (lazy_gettext("International community"), "/ask_international_community"),
    (lazy_gettext("Doing business"), "/ask_business_climate"),
    (lazy_gettext("Talk to a person"), None),
)
STATEMENTS = Path(__file__).parent / "statements"
# The statement pages: route name, file in STATEMENTS (the Dutch one in STATEMENTS / "nl") and title.
STATEMENT_PAGES = {
    "privacy": ("privacy.html", lazy_gettext("Privacy statement")),
    "accessibility": ("accessibility.html", lazy_gettext("Accessibility statement")),
}


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    paragraphs: Sequence[str]


def page_sections(knowledge: Knowledge, language: str = "en") -> list[Section]:
    """The sections of the page in ``language``, skipping topics the knowledge file does not have."""
    sections = []
    for section_id, heading, topics in SECTIONS:
        paragraphs = [
            knowledge.render(knowledge.topics[t].wording(language).answer, language)
            for t in topics
            if t in knowledge.topics
        ]
        if paragraphs:
            sections.append(Section(section_id, str(heading), paragraphs))
    return sections


def key_figures(knowledge: Knowledge) -> list[Fact]:
    return [knowledge.facts[key] for key in KEY_FIGURES if key in knowledge.facts]


def welcome_message() -> dict[str, Any]:
    """The widget's opening message in the page's language, as the widget stores bot messages."""
    return {
        "text": str(WELCOME),
        "buttons": [
            {"title": str(title), "payload": payload or str(title)} for title, payload in SUGGESTIONS
        ],
    }


def content_security_policy(rasa_public_url: str) -> str:
    """Only this server's files, and connections to the Rasa server (HTTP and WebSocket)."""
    parts = urlsplit(rasa_public_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    connect = f"'self' {parts.scheme}://{parts.netloc} {socket_scheme}://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


# Pages without a policy of their own (the desk, its API, errors): this server's files only, and
# requests to this server (the desk's live chats ask it for news).
DEFAULT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    """Every response of the Flask app (``app.after_request``): the security headers, unless set."""
    response.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def create_blueprint(settings: Settings) -> Blueprint:
    """The public page at ``/`` and its files at ``/static/`` for ``settings``."""
    bp = Blueprint(
        "web", __name__, static_folder="static", static_url_path="/static", template_folder="templates"
    )
    knowledge = load_knowledge(settings.knowledge_file)
    rasa_url = settings.rasa_public_url.rstrip("/")
    csp = content_security_policy(rasa_url)
    # What every page shows: the footer's contact line (and the chat's snippet).
    common = {
        "contact": knowledge.contact,
        "source_title": knowledge.source_title,
        "source_publisher": knowledge.source_publisher,
    }

    def html(page: str) -> Response:
        # The other security headers: add_security_headers, for the whole app.
        return Response(page, mimetype="text/html", headers={"Content-Security-Policy": csp})

    @bp.get("/")
    def index() -> Response:
        intro = knowledge.topics.get("about_almere")
        language = current_language()
        return html(
            render_template(
                "web/index.html",
                intro=knowledge.render(intro.wording(language).answer, language) if intro else "",
                sections=page_sections(knowledge, language),
                figures=key_figures(knowledge),
                **common,
            )
        )

    def statement_view(name: str, filename: str, title: LazyString) -> None:
        def view() -> Response:
            language = current_language()
            folder = STATEMENTS / "nl" if language == "nl" else STATEMENTS
            body = render_template_string(
                (folder / filename).read_text(encoding="utf-8"),
                settings=settings,
                contact=knowledge.contact,
                # The desk's name in the statement's language (the knowledge file's phrase).
                department=knowledge.phrases[language].get("department", knowledge.contact.department),
            )
            return html(render_template("web/statement.html", title=str(title), body=Markup(body), **common))

        bp.add_url_rule(f"/{name}", endpoint=name, view_func=view, methods=["GET"])

    for name, (filename, title) in STATEMENT_PAGES.items():
        statement_view(name, filename, title)
    add_widget_routes(bp, settings, welcome_message)

    return bp
