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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, render_template, render_template_string
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from werkzeug.wrappers import Response

from bot.knowledge import Fact, Knowledge
from bot.site.extension import services
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


def page_common(knowledge: Knowledge) -> dict[str, Any]:
    """What every public page shows: the footer's contact line (and the chat's snippet)."""
    return {
        "contact": knowledge.contact,
        "source_title": knowledge.source_title,
        "source_publisher": knowledge.source_publisher,
    }


def _html(page: str) -> Response:
    """A public page with its policy (the other security headers: add_security_headers, for the whole app)."""
    csp = content_security_policy(services().settings.rasa_public_url.rstrip("/"))
    return Response(page, mimetype="text/html", headers={"Content-Security-Policy": csp})


bp = Blueprint(
    "web", __name__, static_folder="static", static_url_path="/static", template_folder="templates"
)


@bp.get("/")
def index() -> Response:
    knowledge = services().knowledge
    intro = knowledge.topics.get("about_almere")
    language = current_language()
    return _html(
        render_template(
            "web/index.html",
            intro=knowledge.render(intro.wording(language).answer, language) if intro else "",
            sections=page_sections(knowledge, language),
            figures=key_figures(knowledge),
            **page_common(knowledge),
        )
    )


def _statement_view(filename: str, title: LazyString) -> Callable[[], Response]:
    def view() -> Response:
        site = services()
        knowledge = site.knowledge
        language = current_language()
        folder = STATEMENTS / "nl" if language == "nl" else STATEMENTS
        body = render_template_string(
            (folder / filename).read_text(encoding="utf-8"),
            settings=site.settings,
            contact=knowledge.contact,
            # The desk's name in the statement's language (the knowledge file's phrase).
            department=knowledge.phrases[language].get("department", knowledge.contact.department),
        )
        return _html(
            render_template(
                "web/statement.html", title=str(title), body=Markup(body), **page_common(knowledge)
            )
        )

    return view


for _name, (_filename, _title) in STATEMENT_PAGES.items():
    bp.add_url_rule(
        f"/{_name}", endpoint=_name, view_func=_statement_view(_filename, _title), methods=["GET"]
    )
add_widget_routes(bp)
