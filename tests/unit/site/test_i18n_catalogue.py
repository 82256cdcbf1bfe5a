"""The site's message catalogue (bot/site/translations/): every message of the templates and the
code has a Dutch translation, keeps its placeholders, and the committed .mo is the .po compiled."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from bot.config import REPO_ROOT

SITE = REPO_ROOT / "bot" / "site"
CATALOGUE = SITE / "translations" / "nl" / "LC_MESSAGES"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def extracted(tmp_path: Path) -> Catalog:
    """The site's messages as `pybabel extract -F babel.cfg -k lazy_gettext` finds them, through a
    temporary .pot (as a translator would get it)."""
    with open(REPO_ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        SITE, method_map, options_map, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    pot = tmp_path / "messages.pot"
    with open(pot, "wb") as handle:
        write_po(handle, template)
    with open(pot, "rb") as handle:
        return read_po(handle)


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's text, or its plural forms."""
    return tuple(text) if isinstance(text, (tuple, list)) else (text,)


def dutch() -> Catalog:
    with open(CATALOGUE / "messages.po", "rb") as handle:
        return read_po(handle, locale="nl")


def test_every_message_of_the_site_has_a_dutch_translation(tmp_path):
    translations = dutch()
    missing = [
        message.id
        for message in extracted(tmp_path)
        if message.id
        and (
            message.id not in translations
            or not all(_forms(translations[message.id].string))
            or translations[message.id].fuzzy
        )
    ]
    assert not missing, f"no Dutch translation in {CATALOGUE / 'messages.po'} for: {missing}"


def test_the_catalogue_has_no_messages_the_site_no_longer_uses(tmp_path):
    used = {message.id for message in extracted(tmp_path)}
    unused = [message.id for message in dutch() if message.id and message.id not in used]
    assert not unused, unused


def test_translations_keep_every_placeholder_and_tag():
    for message in dutch():
        if not message.id:
            continue
        for original, translation in zip(_forms(message.id), _forms(message.string), strict=True):
            assert sorted(PLACEHOLDER.findall(original)) == sorted(PLACEHOLDER.findall(translation)), (
                message.id
            )
            assert sorted(re.findall(r"</?\w+", original)) == sorted(re.findall(r"</?\w+", translation)), (
                message.id
            )


def test_the_committed_mo_is_the_po_compiled():
    """The .mo is committed (so a fresh clone's page is Dutch without a build step): it must be
    what `pybabel compile -d bot/site/translations -l nl` makes of the .po."""
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        committed = read_mo(handle)
    compiled = BytesIO()
    write_mo(compiled, dutch())
    compiled.seek(0)
    expected = read_mo(compiled)

    def pairs(catalog: Catalog) -> dict:
        return {str(message.id): str(message.string) for message in catalog if message.id}

    assert pairs(committed) == pairs(expected), (
        "run: .venv/bin/pybabel compile -d bot/site/translations -l nl"
    )
