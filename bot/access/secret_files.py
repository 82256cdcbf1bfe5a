"""Secret keys kept in files under var/ when none is configured (the desk's session key, the action
server's secret, the chat session key): made once, atomically, then read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return ""


def load_or_create_secret_key(path: Path) -> str:
    """The key stored at ``path``; a new random one (file mode 0600) if there is none."""
    key = _read(path)
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    try:
        os.link(draft, path)  # atomic: when processes start together, the first one wins
    except FileExistsError:
        if not _read(path):
            os.replace(draft, path)  # an empty file is no key
    finally:
        draft.unlink(missing_ok=True)
    return _read(path)
