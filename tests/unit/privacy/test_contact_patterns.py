"""The one module of contact patterns, measured on a table of e-mail addresses and phone numbers
(contact_cases.tsv, Dutch and international formats): what a field accepts, and that what it accepts
is found whole inside a sentence; and the identifiers (IBAN, BSN, card numbers) and the names given
after "my name is"."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.conversation.chat_input import mask_identifiers
from bot.privacy.contact_patterns import (
    DIGIT_GROUP_SEPARATOR,
    EMAIL_IN_TEXT,
    PHONE_IN_TEXT,
    PHONE_SEARCH,
    PREFIXED_PHONE_IN_TEXT,
    SPELLED_OUT_EMAIL_IN_TEXT,
    given_name_spans,
    is_bsn,
    is_card_number,
    is_email,
    is_iban,
    is_phone,
    is_prefixed_phone,
    is_spelled_out_email,
)

CASES_FILE = Path(__file__).with_name("contact_cases.tsv")
FIELD_CHECKS = {"email": is_email, "phone": is_phone}
FINDERS = {"email": EMAIL_IN_TEXT, "phone": PHONE_IN_TEXT}


def read_cases() -> list[tuple[str, str, bool]]:
    lines = [line for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert all(row["field"] in ("valid", "invalid") for row in rows)
    return [(row["kind"], row["value"], row["field"] == "valid") for row in rows]


CASES = read_cases()
VALID = [(kind, value) for kind, value, valid in CASES if valid]


def test_the_table_holds_both_kinds_valid_and_invalid_dutch_and_international():
    kinds = {(kind, valid) for kind, _, valid in CASES}
    assert kinds == {("email", True), ("email", False), ("phone", True), ("phone", False)}
    phones = [value for kind, value in VALID if kind == "phone"]
    assert sum(value.startswith("0") for value in phones) >= 5
    assert {value.split()[0] for value in phones if value.startswith("+")} >= {"+31", "+44", "+1", "+49"}


@pytest.mark.parametrize(("kind", "value", "valid"), CASES, ids=[f"{k}:{v}" for k, v, _ in CASES])
def test_a_field_accepts_an_address_or_a_number_and_nothing_else(kind, value, valid):
    assert FIELD_CHECKS[kind](value) is valid


@pytest.mark.parametrize(("kind", "value"), VALID, ids=[f"{k}:{v}" for k, v in VALID])
def test_what_a_field_accepts_is_found_whole_inside_a_sentence(kind, value):
    sentence = f"You can reach me at {value}, thanks."
    assert not FIELD_CHECKS[kind](sentence)
    found = FINDERS[kind].search(sentence)
    assert found is not None and found.group(0) == value


@pytest.mark.parametrize("value", [v for k, v in VALID if k == "phone"])
def test_the_insights_masking_finds_every_valid_number_written_from_its_plus_or_0(value):
    found = PREFIXED_PHONE_IN_TEXT.search(f"bel me op {value} na 5 uur")
    assert found is not None and found.group(0) == value
    assert is_prefixed_phone(value)


@pytest.mark.parametrize("text", ["231,904", "1.5", "(036) 12", "1976", "12 34"])
def test_figures_and_short_numbers_are_no_phone_numbers_to_the_masking(text):
    found = PREFIXED_PHONE_IN_TEXT.search(text)
    assert found is None or not is_prefixed_phone(found.group(0))


def test_a_quote_before_an_address_is_no_part_of_it_an_apostrophe_inside_is():
    assert EMAIL_IN_TEXT.search("mail 'jan@example.nl' please").group(0) == "jan@example.nl"
    assert EMAIL_IN_TEXT.search("it's o'brien@example.ie.").group(0) == "o'brien@example.ie."
    assert EMAIL_IN_TEXT.search("write to <jan@example.nl>").group(0) == "jan@example.nl"
    assert EMAIL_IN_TEXT.search("a@b@c.nl") is None


def test_a_phone_number_in_text_keeps_its_opening_bracket_and_its_lines():
    assert PHONE_IN_TEXT.search("ring (036) 539 99 11 please").group(0) == "(036) 539 99 11"
    assert PHONE_IN_TEXT.search("06\n12345678").group(0) == "06\n12345678"
    assert PHONE_IN_TEXT.search("١٢٣٤٥٦٧٨") is None


@pytest.mark.parametrize(
    ("text", "address"),
    [("jan at example dot com", True), ("jan[at]example.nl", True), ("look at almere.nl", False)],
)
def test_a_spelled_out_address_needs_its_dot_spelled_out_when_its_at_is(text, address):
    found = SPELLED_OUT_EMAIL_IN_TEXT.search(text)
    assert found is not None and is_spelled_out_email(found) is address


@pytest.mark.parametrize(
    ("search", "phone"),
    [("06 1234 5678", True), ("+31 (0)6-12345678", True), ("jan 0612", False), ("ALM-000123", False)],
)
def test_a_desk_search_of_phone_characters_only(search, phone):
    assert (PHONE_SEARCH.fullmatch(search) is not None) is phone


def test_identifiers_pass_their_checksums():
    assert is_iban("NL91ABNA0417164300") and not is_iban("NL91ABNA0417164301")
    assert is_iban("de89370400440532013000")
    assert is_bsn("111222333") and not is_bsn("111222334") and not is_bsn("11122233")
    assert is_card_number(DIGIT_GROUP_SEPARATOR.split("4111 1111 1111 1111"))
    assert is_card_number(DIGIT_GROUP_SEPARATOR.split("3782 822463 10005"))
    assert not is_card_number(DIGIT_GROUP_SEPARATOR.split("4111 1111 1111 1112"))
    assert not is_card_number(DIGIT_GROUP_SEPARATOR.split("41111 11111 11111 1"))


def test_a_letter_that_matches_a_to_z_only_ignoring_case_is_no_iban_and_no_error():
    kelvin = "\u212a"  # the Kelvin sign: [A-Z] matches it ignoring case, but it has no value in base 36
    assert not is_iban(f"{kelvin}{kelvin}12ABNA0417164300")
    assert mask_identifiers(f"{kelvin}{kelvin}12ABNA0417164300") == f"{kelvin}{kelvin}12ABNA0417164300"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("my name is Jan de Vries and I live here", ["Jan de Vries"]),
        ("Hallo, ik heet Fatima. Waar is het stadhuis?", ["Fatima"]),
        ("my name is not important", []),
        ("naam: Piet, mijn naam is Jan", ["Piet", "Jan"]),
    ],
)
def test_a_name_given_after_its_cue(text, names):
    assert [text[start:end] for start, end in given_name_spans(text)] == names
