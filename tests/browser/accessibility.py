"""WCAG 2.1 A/AA checks with axe-core, run inside the page under test.

axe-core is vendored from npm (tests/browser/vendor/, with its licence; no CDN). It is evaluated
through Playwright, so the page's Content-Security-Policy (which allows no inline script) stays
on while it is checked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# WCAG 2.1 level A and AA rules (axe's tags); best practices are not part of the law.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def wcag_violations(page: Page, selector: str | None = None) -> list[str]:
    """Every WCAG 2.1 A/AA violation axe finds in ``page`` (or in ``selector``), one line each:
    rule, impact, the offending elements and axe's advice."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """([context, tags]) => axe.run(context || document,
               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [selector, WCAG_21_AA],
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
    ]


def assert_accessible(page: Page, state: str, selector: str | None = None) -> None:
    """Fail with axe's findings if ``page`` in ``state`` (e.g. "widget open") violates WCAG 2.1 AA."""
    violations = wcag_violations(page, selector)
    assert not violations, f"WCAG 2.1 A/AA violations ({state}):\n" + "\n".join(violations)


# The rules about ids and labels: a label must lead to its one field, and an id name one element.
ID_AND_LABEL_RULES = [
    "duplicate-id", "duplicate-id-active", "duplicate-id-aria", "label", "form-field-multiple-labels",
    "label-title-only", "aria-input-field-name",
]  # fmt: skip


def id_and_label_findings(page: Page) -> list[str]:
    """axe's violations and "needs review" items of the id and label rules, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """(rules) => axe.run(document, {runOnly: {type: 'rule', values: rules},
               resultTypes: ['violations', 'incomplete']})""",
        ID_AND_LABEL_RULES,
    )
    return [
        f"{kind} {finding['id']}: {finding['help']} — "
        + "; ".join(" ".join(n["target"]) for n in finding["nodes"][:5])
        for kind in ("violations", "incomplete")
        for finding in results[kind]
    ]
