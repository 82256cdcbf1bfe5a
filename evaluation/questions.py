"""The fact questions used to measure speed: written for the benchmark, one per answering topic.

Each is answered by the custom action `action_answer_topic` from the knowledge file, so a
message goes through NLU, the policies, the action server and the SQL tracker store.
(Not taken from the evaluation sets, and not training data.)
"""

from __future__ import annotations

FACT_QUESTIONS: tuple[str, ...] = (
    "How many people live in Almere?",
    "How long does the train from Almere to Schiphol take?",
    "How many jobs are there in Almere?",
    "How many companies are based in Almere?",
    "How many expats live in Almere?",
    "When was Almere built?",
    "How big will Almere be in 2050?",
    "Are there international schools in Almere?",
    "What is the business climate in Almere like?",
    "Where is Almere?",
    "Is it easy to find housing in Almere?",
    "How can I reach the International Affairs Department?",
)
