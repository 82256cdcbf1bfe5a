"""The figures' labels in Dutch (``label_nl`` in the knowledge file, ``Fact.label_in``)."""

from __future__ import annotations

from bot.config import REPO_ROOT
from bot.knowledge import Fact, load_knowledge


def test_a_fact_has_its_label_in_each_language():
    fact = Fact(key="jobs", value=1, label="jobs", source="s", label_nl="banen")
    assert (fact.label_in("en"), fact.label_in("nl"), fact.label_in()) == ("jobs", "banen", "jobs")
    assert Fact(key="x", value=1, label="things", source="s").label_in("nl") == "things"


def test_every_fact_of_the_knowledge_file_has_a_dutch_label():
    facts = load_knowledge(REPO_ROOT / "bot" / "knowledge.yml").facts
    assert all(fact.label_nl for fact in facts.values())
    assert facts["inhabitants"].label_in("nl") == "inwoners"
