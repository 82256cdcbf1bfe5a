"""Operating the assistant at scale: load client and report, local scaled-out stack, checks.

Nothing here is imported by the assistant itself; the tests in ``tests/e2e/operations`` and
``python -m operations.load`` use it.
"""
