"""Candidate speed-ups, measured without changing the project's code or config.

`python -m evaluation.experiments NAMES -- MODULE [ARGS...]` applies the named patches
(comma-separated), then runs ``python -m MODULE ARGS`` in the same process. Used by
`python -m evaluation.bench --experiment NAMES` to measure a change before anyone makes it.
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Callable


def _sqlite_pragmas(synchronous: str) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def pragmas(connection: object, _record: object) -> None:
        if type(connection).__module__ == "sqlite3":
            cursor = connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.close()


def sqlite_wal() -> None:
    """SQLite in WAL mode with synchronous=NORMAL: no fsync on every commit (a power cut may
    lose the last turns, an application crash loses none)."""
    _sqlite_pragmas("NORMAL")


def sqlite_wal_full() -> None:
    """SQLite in WAL mode with synchronous=FULL: one fsync per commit (of the WAL), every commit
    durable."""
    _sqlite_pragmas("FULL")


PATCHES: dict[str, Callable[[], None]] = {
    "sqlite-wal": sqlite_wal,
    "sqlite-wal-full": sqlite_wal_full,
}


def main(argv: list[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) < 3 or arguments[1] != "--":
        raise SystemExit(f"usage: python -m evaluation.experiments {','.join(PATCHES)} -- MODULE [ARGS...]")
    for name in arguments[0].split(","):
        PATCHES[name]()
    sys.argv = [arguments[2], *arguments[3:]]
    runpy.run_module(arguments[2], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
