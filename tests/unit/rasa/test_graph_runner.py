"""bot.rasa.graph_runner: the same results as Rasa's DaskGraphRunner, each needed node run once."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from bot.rasa.graph_runner import SequentialGraphRunner, run_order

CALLS: list[str] = []


class Add(GraphComponent):
    """Adds its configured amount; records each call."""

    def __init__(self, config: dict[str, Any], name: str | None) -> None:
        self.amount = config["amount"]
        self.name = name

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> Add:
        return cls(config, execution_context.node_name)

    def add(self, number: int) -> int:
        CALLS.append(self.name)
        if self.amount is None:
            raise ValueError("no amount")
        return number + self.amount


class Pair(GraphComponent):
    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> Pair:
        return cls()

    def pair(self, first: int, second: int) -> tuple[int, int]:
        CALLS.append("pair")
        return first, second


def add(needs: str, amount: int | None) -> SchemaNode:
    return SchemaNode(
        needs={"number": needs}, uses=Add, constructor_name="create", fn="add", config={"amount": amount}
    )


# A diamond (one feeds two and three, which both feed pair), a node nothing needs, and a failing one.
SCHEMA = GraphSchema(
    {
        "one": add("__number__", 1),
        "two": add("one", 10),
        "three": add("one", 100),
        "pair": SchemaNode(
            needs={"first": "two", "second": "three"},
            uses=Pair,
            constructor_name="create",
            fn="pair",
            config={},
        ),
        "unused": add("__number__", 1000),
        "broken": add("one", None),
        "orphan": add("__nothing__", 1),
    }
)


@pytest.fixture(params=[DaskGraphRunner, SequentialGraphRunner], ids=["dask", "sequential"])
def runner(request, tmp_path):
    CALLS.clear()
    return request.param.create(SCHEMA, LocalModelStorage(tmp_path), ExecutionContext(SCHEMA, "test"))


@pytest.mark.parametrize(
    ("targets", "expected", "calls"),
    [
        (["pair"], {"pair": (16, 106)}, ["one", "two", "three", "pair"]),
        (["two", "three"], {"two": 16, "three": 106}, ["one", "two", "three"]),
        (["one"], {"one": 6}, ["one"]),
    ],
)
def test_both_runners_give_the_same_results_running_each_needed_node_once(runner, targets, expected, calls):
    for _ in range(2):  # the second run uses the order found in the first
        CALLS.clear()
        assert runner.run(inputs={"__number__": 5}, targets=targets) == expected
        assert sorted(CALLS) == sorted(calls)


def test_the_order_puts_every_node_after_the_nodes_it_needs():
    order = run_order(SCHEMA, ["pair", "broken"])
    assert sorted(order) == ["broken", "one", "pair", "three", "two"]
    assert order.index("one") < min(order.index("two"), order.index("three"), order.index("broken"))
    assert order.index("pair") > max(order.index("two"), order.index("three"))


def test_a_failing_component_fails_the_same_way(runner):
    with pytest.raises(GraphComponentException, match="node broken"):
        runner.run(inputs={"__number__": 5}, targets=["broken"])


def test_a_missing_input_fails_the_same_way(runner):
    with pytest.raises(GraphRunError, match="Missing input to run node 'orphan'"):
        runner.run(inputs={"__number__": 5}, targets=["orphan"])


def test_an_input_named_like_a_node_is_refused(runner):
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        runner.run(inputs={"__number__": "one"}, targets=["two"])
