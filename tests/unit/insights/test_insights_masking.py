"""The insights page's masking measured on a table of formats (masking_cases.tsv): what must become a
marker, and what people ask about that must stay as typed."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from bot.insights.masking import mask_personal_data

CASES_FILE = Path(__file__).with_name("masking_cases.tsv")


def read_cases() -> list[tuple[str, str, str]]:
    lines = [line for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(row["kind"], row["text"], row["shown"]) for row in rows]


CASES = read_cases()


def test_the_table_has_at_least_60_formats_of_every_kind():
    kinds = Counter(kind for kind, _, _ in CASES)
    assert len(CASES) >= 60
    assert {"date", "address", "postcode", "email", "phone", "name", "keep"} <= set(kinds)
    assert kinds["keep"] >= 15
    assert all(text == shown for kind, text, shown in CASES if kind == "keep")
    assert all(text != shown for kind, text, shown in CASES if kind != "keep")


@pytest.mark.parametrize(("kind", "text", "shown"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_masking(kind, text, shown):
    assert mask_personal_data(text) == shown
