"""`python -m bot.rasa.cli ARGS` is `rasa ARGS` with bot.rasa.speedups applied.

`almere run` (bot.processes.rasa_server) and deploy/docker-compose.yml start the Rasa
server this way; `make train` trains with it, and `make conversations` tests with it: there the
``language`` entity of bot.rasa.components.LanguageDetector is left out of the entities compared
with the test stories' (it is not learnt from annotations but says which language to answer in,
and bot/reply_language.py has its own tests).
"""

from __future__ import annotations

import sys
from typing import Any


def leave_the_language_entity_out_of_tests() -> None:
    """Make `rasa test` compare every predicted entity but the LanguageDetector's."""
    import rasa.core.test

    from bot.rasa.components import LANGUAGE_ENTITY, LanguageDetector

    clean = rasa.core.test._clean_entity_results

    def without_language(text: str, entity_results: list[dict[str, Any]]) -> Any:
        kept = [
            entity
            for entity in entity_results or []
            if not (
                entity.get("entity") == LANGUAGE_ENTITY
                and entity.get("extractor") == LanguageDetector.__name__
            )
        ]
        return clean(text, kept)

    rasa.core.test._clean_entity_results = without_language


def main() -> None:
    from bot.rasa import speedups

    speedups.apply()  # before Rasa's CLI imports TensorFlow
    if sys.argv[1:2] == ["test"]:
        leave_the_language_entity_out_of_tests()

    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
