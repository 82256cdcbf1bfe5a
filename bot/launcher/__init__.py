"""Starting things, above the domain: the ``almere`` command (``cli``) and the one place that
starts, watches and stops the servers for ``almere run``, the tests, the evaluation and the load
runs (``processes``). Nothing in the rest of ``bot/`` imports this package.
"""
