"""Measurement tooling: answer quality (`make eval`) and speed and memory (`make bench`).

Nothing here is imported by the assistant itself. The evaluation sets are read at run
time from ``../shared/eval/`` (next to the repository) and never copied into it.
"""
