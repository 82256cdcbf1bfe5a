"""evaluation.language_models: the examples' languages and both set-ups on the same folds."""

from __future__ import annotations

from evaluation.language_models import Example, cross_validate, examples, table


def test_the_dutch_examples_are_those_under_nlu_nl():
    found = examples()
    dutch = [e for e in found if e.language == "nl"]
    assert dutch and len(dutch) < len(found)
    assert any(e.text.lower().startswith("hoeveel") for e in dutch)
    assert Example("how many people live in Almere?", "ask_population", "en") in found


def test_both_set_ups_are_scored_per_language():
    data = [
        Example(text, intent, language)
        for language, texts in (
            (
                "en",
                {
                    "jobs": ["how many jobs", "jobs there", "work in the city"],
                    "greet": ["hello", "hi there", "hey"],
                },
            ),
            (
                "nl",
                {
                    "jobs": ["hoeveel banen", "banen daar", "werk in de stad"],
                    "greet": ["hallo", "hoi daar", "hoi"],
                },
            ),
        )
        for intent, lines in texts.items()
        for text in lines
    ]
    scores = cross_validate(data, folds=3)
    assert {(s.setup, s.language) for s in scores} == {
        (setup, language) for setup in ("one model", "one per language") for language in ("en", "nl")
    }
    assert all(s.examples == 6 and 0 <= s.accuracy <= 1 for s in scores)
    assert "| one model | nl | 6 |" in table(scores)
