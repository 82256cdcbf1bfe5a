"""Baselines the assistant is measured against (see evaluation.bench)."""
