"""Rasa's predict graph run node by node in a fixed order, without dask.

Rasa 3.6 runs the model's graph with dask three times a turn (to understand the message, then
to choose each action), and each run builds a dask graph and has dask order and schedule it
anew: about a tenth of the Rasa server's time per turn (reports/profile.md). The graph does
not change while the model is loaded, so here the order in which the nodes of each set of
targets run is worked out once, and each run calls the same nodes with the same inputs as
``DaskGraphRunner`` does, and returns the same results.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner


def run_order(schema: GraphSchema, targets: list[str]) -> list[str]:
    """The nodes that ``targets`` need, each after the nodes it needs (depth first)."""
    order: list[str] = []
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in path:
            raise GraphRunError(f"The graph has a cycle through '{name}'.")
        for needed in schema.nodes[name].needs.values():
            if needed in schema.nodes:
                visit(needed, (*path, name))
        done.add(name)
        order.append(name)

    for target in targets:
        visit(target, ())
    return order


class SequentialGraphRunner(DaskGraphRunner):
    """A ``DaskGraphRunner`` whose ``run`` calls the nodes itself, in an order found once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orders: dict[tuple[str, ...], list[str]] = {}

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        """Runs the graph (see ``GraphRunner.run``): the same results as ``DaskGraphRunner``."""
        run_targets = targets if targets else self._graph_schema.target_names
        key = tuple(run_targets)
        if key not in self._orders:
            self._orders[key] = run_order(self._graph_schema, run_targets)
        order = self._orders[key]
        # Each node is called with, and returns, (node name, output) pairs, as under dask.
        results: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in order:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of the "
                    "input names passed to the `run` method are the same as node names in the "
                    "graph schema."
                )
            results[name] = (name, value)
        try:
            for name in order:
                needs = self._graph_schema.nodes[name].needs.values()
                results[name] = self._instantiated_nodes[name](*(results.get(n, n) for n in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)
