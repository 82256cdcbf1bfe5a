"""bot.rasa.speedups: the same answers as Rasa's own code, with the repeated work done once."""

from __future__ import annotations

import copy
import logging
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import rasa
import scipy.sparse
from aiohttp import web
from jsonschema import ValidationError
from rasa.core import processor, run
from rasa.core.actions.action import RemoteAction
from rasa.engine.graph import GraphSchema
from rasa.engine.storage.storage import ModelMetadata
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core import events
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot.config import REPO_ROOT
from bot.launcher import processes
from bot.rasa import speedups as rasa_speedups
from bot.rasa.graph_runner import SequentialGraphRunner

ORIGINAL_RESOLVE = events.Event.resolve_by_type
ORIGINAL_CREATE_X = LogisticRegressionClassifier._create_X


@pytest.fixture
def speedups(monkeypatch):
    """Apply the speed-ups; the originals come back after the test."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setattr(events.Event, "resolve_by_type", events.Event.__dict__["resolve_by_type"])
    monkeypatch.setitem(sys.modules, "jax", sys.modules.get("jax"))
    monkeypatch.setattr(ModelMetadata, "from_dict", ModelMetadata.__dict__["from_dict"])
    monkeypatch.setattr(processor, "DaskGraphRunner", processor.DaskGraphRunner)
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    monkeypatch.setattr(run, "close_resources", run.close_resources)
    monkeypatch.setattr(SpacyNLP, "load_model", SpacyNLP.__dict__["load_model"])
    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", LogisticRegressionClassifier._create_X)
    rasa_speedups.action_result_validator.cache_clear()
    assert rasa_speedups.apply()


def validate(result):
    return RemoteAction._validate_action_result(None, result)  # the method does not use self


def test_a_valid_action_result_passes_and_the_schema_is_checked_once(speedups):
    result = {
        "events": [{"event": "slot", "name": "desk", "value": "business"}],
        "responses": [{"text": "Almere lies in Flevoland."}],
    }
    assert validate(result) is True
    assert validate({"events": [], "responses": []}) is True
    assert rasa_speedups.action_result_validator.cache_info().misses == 1


@pytest.mark.parametrize(
    "result",
    [
        {"events": [{"event": "no_such_event"}]},
        {"events": "not a list"},
        {"events": [{"event": "slot", "timestamp": "yesterday"}]},
        ["not", "an", "object"],
    ],
)
def test_an_invalid_action_result_is_refused_as_rasa_refuses_it(speedups, result):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate(result)


def sample_events() -> list[dict]:
    """For each event schema of Rasa's reply format, an event of that type with every property
    present, and variants with each property of a wrong type: allowed or refused by the schema."""
    schema = RemoteAction.action_response_format_spec()
    samples = [{"event": "no_such_event"}, {"event": 3}, {"name": "x"}]
    fillers = {
        "string": "x",
        "number": 1.5,
        "integer": 2,
        "boolean": True,
        "object": {},
        "array": [],
        "null": None,
    }
    for event_schema in schema["properties"]["events"]["items"]["oneOf"]:
        name = event_schema["properties"]["event"]["const"]
        event = {"event": name, "timestamp": 1.0}
        for key, spec in event_schema["properties"].items():
            if key != "event":
                kinds = spec.get("type", "string")
                event[key] = fillers[kinds[0] if isinstance(kinds, list) else kinds]
        samples.append(event)
        samples.append({"event": name})
        samples += [{**event, key: {"wrong": [1]}} for key in event if key != "event"]
        samples += [{**event, key: "wrong"} for key in event if key != "event"]
    return samples


def test_each_event_is_allowed_or_refused_as_rasas_whole_schema_does(speedups):
    """The check of each event against the schema of its own type decides as jsonschema does
    with Rasa's whole schema, for every event type and wrong types of each property."""
    import jsonschema

    schema = RemoteAction.action_response_format_spec()
    decisions = {True: 0, False: 0}
    for event in sample_events():
        result = {"events": [{"event": "slot", "name": "desk", "value": None}, event], "responses": []}
        try:
            jsonschema.validate(result, schema)
            allowed = True
        except ValidationError:
            allowed = False
        try:
            validate(result)
            assert allowed, f"allowed here but not by Rasa: {event}"
        except ValidationError:
            assert not allowed, f"refused here but allowed by Rasa: {event}"
        decisions[allowed] += 1
    assert decisions[True] > 40 and decisions[False] > 40, decisions


def test_every_event_type_resolves_to_the_class_rasa_finds(speedups):
    type_names = {cls.type_name for cls in all_subclasses(events.Event)}
    assert len(type_names) > 20
    for _ in range(2):  # the second round comes from the remembered classes
        for name in type_names:
            assert events.Event.resolve_by_type(name) is ORIGINAL_RESOLVE(name)


def test_unknown_event_types_behave_as_in_rasa(speedups):
    assert events.Event.resolve_by_type("topic") is None
    assert events.Event.resolve_by_type("no_such_event", events.UserUttered) is events.UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        events.Event.resolve_by_type("no_such_event")
    stored = events.Event.from_parameters({"event": "action", "name": "utter_greet", "timestamp": 1.0})
    assert isinstance(stored, events.ActionExecuted) and stored.action_name == "utter_greet"


def test_models_loaded_to_answer_run_their_graph_without_dask(speedups):
    assert processor.DaskGraphRunner is SequentialGraphRunner


@pytest.fixture
async def echo_server():
    """A local HTTP server that answers with the client's port and the headers it sent."""

    async def echo(request: web.Request) -> web.Response:
        _host, port = request.transport.get_extra_info("peername")[:2]
        return web.json_response(
            {"port": port, "headers": dict(request.headers), "body": await request.json()}
        )

    app = web.Application()
    app.router.add_post("/webhook", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    await runner.cleanup()


async def test_calls_to_an_endpoint_reuse_its_connection_with_the_same_requests(speedups, echo_server):
    endpoint = EndpointConfig(
        url=echo_server, headers={"X-Check": "kept"}, basic_auth={"username": "rasa", "password": "secret"}
    )
    first = await endpoint.request(json={"turn": 1}, method="post", subpath="webhook")
    second = await endpoint.request(json={"turn": 2}, method="post", subpath="webhook")
    assert [first["body"], second["body"]] == [{"turn": 1}, {"turn": 2}]
    assert first["port"] == second["port"]  # one TCP connection for both calls
    for reply in (first, second):
        assert reply["headers"]["X-Check"] == "kept"
        assert reply["headers"]["Authorization"] == "Basic cmFzYTpzZWNyZXQ="
    other = await EndpointConfig(url=echo_server).request(json={}, method="post", subpath="webhook")
    assert other["port"] != first["port"]  # each endpoint has its own session
    async with endpoint.session() as session:
        await session.close()
    again = await endpoint.request(json={}, method="post", subpath="webhook")
    assert again["port"] != first["port"]  # a closed session is replaced
    async with endpoint.session() as kept:
        await run.close_resources(SimpleNamespace(ctx=SimpleNamespace()), None)  # as the Rasa server stops
    assert kept.closed


def test_each_event_loop_gets_its_own_session_of_an_endpoint(speedups):
    import asyncio

    endpoint = EndpointConfig(url="http://127.0.0.1:9")

    async def session_of_this_loop():
        async with endpoint.session() as session:
            async with endpoint.session() as same:
                assert same is session
        await rasa_speedups.close_kept_sessions()
        assert session.closed
        return session

    sessions = [asyncio.run(session_of_this_loop()) for _ in range(2)]
    assert sessions[0] is not sessions[1]


def test_another_rasa_version_is_left_alone(monkeypatch, caplog):
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    before = RemoteAction._validate_action_result
    with caplog.at_level(logging.WARNING):
        assert rasa_speedups.apply() is False
    assert RemoteAction._validate_action_result is before
    assert "not applied" in caplog.text


def test_the_rasa_server_runs_with_the_speedups_unless_asked_not_to():
    assert processes.rasa_server().command[1:3] == ["-m", "bot.rasa.command"]
    assert processes.rasa_server(speedups=False).command[1:3] == ["-m", "rasa"]


def run_after_apply(code: str, timeout: float = 240) -> None:
    """Run ``code`` in a fresh Python (with ``sys`` imported) after apply()."""
    prelude = "import sys\nfrom bot.rasa import speedups\nassert speedups.apply()\n"
    completed = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert completed.returncode == 0, completed.stderr[-2000:]


def run_with_speedups_applied(code: str, timeout: float = 240) -> None:
    """Run ``code`` in a fresh Python after apply() and Rasa's imports (TensorFlow included)."""
    run_after_apply("from rasa.core.agent import Agent\nimport tensorflow\n" + code, timeout)


def test_a_rasa_server_answering_with_the_projects_pipeline_never_imports_tensorflow():
    run_after_apply(
        "import rasa.core.run, rasa.core.agent, rasa.core.processor, rasa.server\n"
        "from rasa.core.policies.rule_policy import RulePolicy\n"
        "from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier\n"
        "from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor\n"
        "import bot.rasa.components, bot.rasa.tracker_store, bot.rasa.rest_channel\n"
        "import spacy\n"
        "spacy.load('models/spacy/almere_en')\n"
        "assert 'tensorflow' not in sys.modules, 'TensorFlow was imported'\n"
        "from rasa.utils.train_utils import update_similarity_type as update\n"  # loaded when used
        "assert 'tensorflow' in sys.modules\n"
        "config = {'similarity_type': 'auto', 'loss_type': 'cross_entropy'}\n"
        "assert update(config)['similarity_type'] == 'inner'\n"
        "import rasa.utils.train_utils as again\n"
        "assert again is sys.modules['rasa.utils.train_utils']\n"
        "assert again.update_similarity_type is update\n"
        "assert again.RasaBatchDataGenerator.__module__ == 'rasa.utils.tensorflow.data_generator'\n"
    )


def test_matplotlib_is_imported_when_a_test_plots_not_when_the_server_starts():
    run_after_apply(
        "import rasa.core.run, rasa.server, rasa.core.test, rasa.nlu.test\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
        "from rasa.utils.plotting import plot_confusion_matrix\n"
        "assert 'matplotlib' in sys.modules and callable(plot_confusion_matrix)\n"
        "assert rasa.nlu.test.plot_utils.plot_paired_histogram.__module__ == 'rasa.utils.plotting'\n"
    )


def test_a_spacy_pipeline_is_loaded_once_until_its_files_change(speedups, tmp_path):
    import os

    import spacy

    directory = tmp_path / "pipeline"
    spacy.blank("en").to_disk(directory)
    first = SpacyNLP.load_model(str(directory))
    assert SpacyNLP.load_model(str(directory)).model is first.model  # both SpacyNLP nodes share it
    config = directory / "config.cfg"
    later = config.stat().st_mtime_ns + 10**9
    os.utime(config, ns=(later, later))  # the pipeline was built again
    reloaded = SpacyNLP.load_model(str(directory))
    assert reloaded.model is not first.model
    assert SpacyNLP.load_model(str(directory)).model is reloaded.model


def featurized(seed: int, dense: bool) -> Message:
    """A message with the features that the pipeline's featurizers give it (random values)."""
    generator = np.random.default_rng(seed)
    message = Message(data={"text": "how big is almere"})
    for origin, width in (("words", 7), ("characters", 11)):
        tokens = scipy.sparse.random(4, width, density=0.4, random_state=seed, format="coo")
        sentence = scipy.sparse.random(1, width, density=0.5, random_state=seed + 1, format="coo")
        message.add_features(Features(tokens, FEATURE_TYPE_SEQUENCE, "text", origin))
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, "text", origin))
    if dense:
        for width in (3, 2):
            message.add_features(
                Features(generator.random((1, width)), FEATURE_TYPE_SENTENCE, "text", "dense")
            )
    message.add_features(
        Features(scipy.sparse.coo_matrix(np.ones((1, 5))), FEATURE_TYPE_SENTENCE, "intent", "other")
    )
    return message


@pytest.mark.parametrize("dense", [False, True])
def test_the_classifier_gets_the_same_input_as_from_rasas_own_code(speedups, dense):
    messages = [featurized(seed, dense) for seed in range(3)]
    rasas = ORIGINAL_CREATE_X(None, copy.deepcopy(messages))
    ours = LogisticRegressionClassifier._create_X(None, messages)
    assert ours is not None and type(ours) is type(rasas) and ours.dtype == rasas.dtype
    assert ours.shape == rasas.shape == (3, 7 + 11 + (5 if dense else 0))
    assert (ours != rasas).nnz == 0


VALIDATOR = "rasa.graph_components.validators.default_recipe_validator.DefaultV1RecipeValidator"


def test_a_models_training_graph_is_read_when_first_used(speedups):
    serialized = {
        "trained_at": "2026-12-01T10:00:00",
        "rasa_open_source_version": rasa.__version__,
        "model_id": "model",
        "assistant_id": "almere",
        "domain": {},
        "train_schema": {
            "nodes": {
                "validator": {
                    "needs": {},
                    "uses": VALIDATOR,
                    "constructor_name": "create",
                    "fn": "validate",
                    "config": {},
                    "eager": False,
                    "is_target": False,
                    "is_input": False,
                    "resource": None,
                }
            }
        },
        "predict_schema": {"nodes": {}},
        "training_type": 3,  # TrainingType.BOTH
        "project_fingerprint": "x",
        "core_target": None,
        "nlu_target": "run_RegexMessageHandler",
        "language": "en",
        "spaces": None,
    }
    expected = GraphSchema.from_dict(copy.deepcopy(serialized["train_schema"]))  # it changes its input
    metadata = ModelMetadata.from_dict(serialized)
    assert metadata.train_schema._nodes is None  # not read yet
    assert metadata.train_schema.nodes == expected.nodes
    assert metadata.as_dict()["train_schema"] == expected.as_dict()
    assert metadata.predict_schema == GraphSchema({})


def test_tensorflow_works_without_jax_and_leaves_it_out():
    run_with_speedups_applied(
        "import tensorflow as tf\n"
        "from tensorflow.lite.python import util\n"
        "assert int(tf.constant(2) + 1) == 3\n"
        "assert util._xla_computation is None and sys.modules['jax'] is None\n"
        "assert not any(name.startswith(('jax.', 'jaxlib')) for name in sys.modules)\n"
    )


def test_skops_imported_first_trusts_the_types_it_trusts_when_imported_after_tensorflow():
    # skops computes its trusted type names at import; compute them again with TensorFlow loaded.
    run_with_speedups_applied(
        "imported = list(sys.modules)\n"
        "assert imported.index('skops.io') < imported.index('tensorflow')\n"
        "import numpy as np, scipy.special\n"
        "from sklearn.utils import all_estimators\n"
        "from skops.io import _trusted_types as trusted\n"
        "from skops.io._utils import get_public_type_names, get_type_name\n"
        "assert trusted.SCIPY_UFUNC_TYPE_NAMES == get_public_type_names(scipy.special, np.ufunc)\n"
        "assert trusted.NUMPY_UFUNC_TYPE_NAMES == get_public_type_names(np, np.ufunc)\n"
        "names = [get_type_name(c) for _, c in all_estimators()]\n"
        "assert trusted.SKLEARN_ESTIMATOR_TYPE_NAMES == [n for n in names if n.startswith('sklearn.')]\n"
    )


def run_fresh(code: str, timeout: float = 240) -> None:
    """Run ``code`` in a fresh Python (with ``sys`` and ``Path`` imported), no speed-up applied."""
    completed = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\n" + code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_skops_trusted_type_names_are_computed_once_kept_and_read_back_the_same(tmp_path):
    cache = tmp_path / "cache"
    compute = (
        "from bot.rasa.speedups import import_skops_before_tensorflow\n"
        f"import_skops_before_tensorflow(Path({str(cache)!r}))\n"
        "assert 'sklearn.ensemble' in sys.modules  # all_estimators() imported every estimator\n"
        "from skops.io import _trusted_types as t\n"
        "import json\n"
        "[kept] = Path(%r).glob('skops-trusted-types-*.json')\n"
        "names = {n: getattr(t, n) for n in ('PRIMITIVE_TYPE_NAMES', 'SKLEARN_ESTIMATOR_TYPE_NAMES',\n"
        "    'SCIPY_UFUNC_TYPE_NAMES', 'NUMPY_UFUNC_TYPE_NAMES', 'NUMPY_DTYPE_TYPE_NAMES')}\n"
        "assert json.loads(kept.read_text()) == names\n"
        "assert any(n.endswith('.LogisticRegression') for n in names['SKLEARN_ESTIMATOR_TYPE_NAMES'])\n"
        "assert any(n.endswith('.add') for n in names['NUMPY_UFUNC_TYPE_NAMES'])\n"
    ) % str(cache)
    run_fresh(compute)
    [kept] = cache.glob("skops-trusted-types-*.json")
    computed = kept.read_text()
    run_fresh(
        "from bot.rasa.speedups import import_skops_before_tensorflow\n"
        f"import_skops_before_tensorflow(Path({str(cache)!r}))\n"
        "assert 'sklearn.ensemble' not in sys.modules  # read back: nothing computed\n"
        "import json\n"
        "from skops.io import _general, get_untrusted_types\n"
        f"kept = json.loads(Path({str(kept)!r}).read_text())\n"
        "assert _general.SKLEARN_ESTIMATOR_TYPE_NAMES == kept['SKLEARN_ESTIMATOR_TYPE_NAMES']\n"
        "assert _general.NUMPY_UFUNC_TYPE_NAMES == kept['NUMPY_UFUNC_TYPE_NAMES']\n"
        # A classifier as Rasa saves it has no untrusted types and loads back.
        "import skops.io as sio, numpy as np\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "clf = LogisticRegression().fit(np.array([[0.0], [1.0]]), ['a', 'b'])\n"
        f"path = Path({str(tmp_path / 'clf.skops')!r})\n"
        "sio.dump(clf, path)\n"
        "assert get_untrusted_types(file=path) == []\n"
        "assert list(sio.load(path, trusted=[]).predict(np.array([[1.0]]))) == ['b']\n"
    )
    assert kept.read_text() == computed


def test_kept_skops_names_that_are_damaged_are_computed_again(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    run_fresh(
        "from bot.rasa import speedups\n"
        f"damaged = Path({str(cache)!r}) / f'skops-trusted-types-{{speedups._trusted_types_key()}}.json'\n"
        'damaged.write_text(\'{"PRIMITIVE_TYPE_NAMES": ["builtins.int"]}\')\n'
        "speedups.import_skops_before_tensorflow(damaged.parent)\n"
        "from skops.io import _trusted_types as t\n"
        "assert any(n.endswith('.add') for n in t.NUMPY_UFUNC_TYPE_NAMES)\n"
        "import json\n"
        "assert json.loads(damaged.read_text())['NUMPY_UFUNC_TYPE_NAMES'] == t.NUMPY_UFUNC_TYPE_NAMES\n"
    )


def test_skops_is_imported_when_its_names_cannot_be_kept(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    run_fresh(
        "from bot.rasa.speedups import import_skops_before_tensorflow\n"
        f"import_skops_before_tensorflow(Path({str(blocked / 'cache')!r}))\n"
        "from skops.io import _trusted_types as t\n"
        "assert any(n.endswith('.add') for n in t.NUMPY_UFUNC_TYPE_NAMES)\n"
    )


def test_the_patched_cli_is_rasas_cli():
    completed = subprocess.run(
        [sys.executable, "-m", "bot.rasa.command", "--version"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"Rasa Version      :         {rasa_speedups.RASA_VERSION}" in completed.stdout
