"""The Rasa server as `almere run` starts it answers without loading TensorFlow."""

from __future__ import annotations

import uuid
from pathlib import Path

from support import figure


def mapped_files(pid: int) -> set[str]:
    """The files a process has mapped into its memory (its code and shared libraries)."""
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split()[-1] for line in lines if len(line.split()) >= 6}


def test_the_rasa_server_answers_without_loading_tensorflow(assistant):
    replies = assistant.ask(f"e2e-{uuid.uuid4()}", "How many people live in Almere?")
    assert figure("inhabitants") in " ".join(r.get("text", "") for r in replies)

    files = mapped_files(assistant.rasa.process.pid)
    assert any("/spacy/" in name for name in files)  # the check sees the libraries it looks for
    assert not [name for name in files if "/tensorflow/" in name]
