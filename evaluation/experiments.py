"""Candidate speed-ups, measured without changing the project's code or config.

`python -m evaluation.experiments NAMES -- MODULE [ARGS...]` applies the named patches
(comma-separated), then runs ``python -m MODULE ARGS`` in the same process. Used by
`python -m evaluation.bench --experiment NAMES` to measure a change before anyone makes it.
"""

from __future__ import annotations

import runpy
import sys
from typing import Callable, Dict, List, Optional


def cached_action_validation() -> None:
    """Check the action server's response schema once, not on every custom action call.

    Rasa 3.6's RemoteAction calls ``jsonschema.validate(result, schema)``, which first checks
    the whole (large) events schema against the JSON Schema 2020-12 meta-schema, every call.
    This keeps the same validation of each result with a validator built once.
    """
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    validators: Dict[str, object] = {}

    def validate_action_result(self: RemoteAction, result: Dict) -> bool:
        validator = validators.get("response")
        if validator is None:
            schema = self.action_response_format_spec()
            cls = validator_for(schema)
            cls.check_schema(schema)
            validator = validators["response"] = cls(schema)
        try:
            validator.validate(result)  # type: ignore[attr-defined]
            return True
        except ValidationError as error:
            error.message += ". Failed to validate Action server response from API."
            raise

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def sqlite_wal() -> None:
    """SQLite in WAL mode with synchronous=NORMAL: no fsync on every commit (still crash-safe)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def pragmas(connection: object, _record: object) -> None:
        if type(connection).__module__ == "sqlite3":
            cursor = connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


PATCHES: Dict[str, Callable[[], None]] = {
    "cached-validation": cached_action_validation,
    "sqlite-wal": sqlite_wal,
}


def main(argv: Optional[List[str]] = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) < 3 or arguments[1] != "--":
        raise SystemExit(f"usage: python -m evaluation.experiments {','.join(PATCHES)} -- MODULE [ARGS...]")
    for name in arguments[0].split(","):
        PATCHES[name]()
    sys.argv = [arguments[2], *arguments[3:]]
    runpy.run_module(arguments[2], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
