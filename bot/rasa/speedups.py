"""Fixes for work that Rasa 3.6 does in vain, found by profiling and measuring.

See reports/profile.md (before) and reports/profile-speedups.md (after). Each fix keeps
Rasa's behaviour. Four do once what Rasa repeats on every message:

- Checking the action server's reply: Rasa calls ``jsonschema.validate(result, schema)``,
  which first checks its large events schema against the JSON Schema meta-schema, on every
  custom action call (59 % of the Rasa server's time for a fact answer), then tries each event
  against all 23 event schemas. Here the validator is built, and the schema checked, once, and
  each event is checked against the schema of its own type (the one that can allow it).
- Running the model's graph: Rasa has dask build, order and schedule the graph anew each time
  it understands a message or chooses an action (three times a turn). Here the order of its
  nodes is found once and they are called in it (bot.rasa.graph_runner).
- Reading a conversation back from the tracker store: for every stored event Rasa walks all
  subclasses of ``Event`` (with ``inspect.isabstract`` on each) to find the class of its
  type name. Here each type name's class is looked up once.
- Putting together the intent classifier's input: for each message, Rasa's
  LogisticRegressionClassifier deep-copies and stacks the sequence features it then drops, and
  stacks the sentence features in two steps (about 6 % of the server's time per turn). Here the
  sentence features are stacked once, into the same matrix.
- Calling the action server: Rasa opens a new HTTP session, and with it a new TCP connection,
  for every call to an endpoint (about 5 % of the server's time per turn). Here each endpoint
  keeps one session per event loop and its connections alive between calls (for less time than
  the server keeps them: Sanic closes an idle connection after 5 s).

The rest are about start-up and memory:

- Rasa's graph has two nodes of the SpacyNLP component (one provides the spaCy pipeline, the
  other runs it on each message, with the pipeline the first provides), and each loads the
  pipeline from disk when the model is loaded: 1.5 s each for the project's pipeline, whose
  entity ruler tokenizes thousands of patterns. Here a pipeline already loaded from a directory
  whose files have not changed since is given again.

- TensorFlow (which Rasa imports, though this assistant's pipeline and policies never run
  it) tries to import JAX, only to offer JAX models to its TFLite converter, and does without
  it when JAX cannot be imported. JAX is not imported here, which saves about 80 MB of the
  Rasa server's memory and a few seconds of start-up (reports/bench.md).
- skops, with which Rasa saves and loads the LogisticRegressionClassifier, builds its list of
  trusted types when first imported, and for each numpy and scipy function it searches every
  module already imported. Imported after TensorFlow (about 5,700 modules) that took 12 s on
  this machine, when the model was loaded and again when it was trained; imported first, 3 s.
  The list is the same (tests/unit/rasa/test_rasa_speedups.py). Even so, finding scikit-learn's
  estimators (which imports every part of scikit-learn) and the module of each numpy and scipy
  ufunc took 0.8 s of every start: here the lists are kept in a file (var/cache) once computed,
  under the versions of Python, skops, scikit-learn, numpy and scipy they were computed with,
  and read from it when those are the versions installed.
- TensorFlow itself (about 520 MB and several seconds) is not imported unless something uses it.
  Rasa imports it on three paths that a model without TensorFlow components never uses when it
  answers: ``rasa.utils.train_utils`` (imported by every entity extractor and policy, used only
  in training), the model's *training* graph (read with the model, which imports the validator
  of Rasa's default recipe and with it DIET, TED and the ResponseSelector) and spaCy's thinc
  (which offers TensorFlow-wrapped layers if it can import TensorFlow). Here
  ``rasa.utils.train_utils`` is loaded on its first use, the training graph when first read,
  and thinc is imported without TensorFlow (the project's spaCy pipeline has no TensorFlow
  layers). A model that uses DIET or TED still imports TensorFlow when it is loaded.

They are applied by `python -m bot.rasa.command` (how `almere run` starts the Rasa server), only
to the Rasa version they were written for.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"

# Where skops' trusted type names are kept once computed (see the module's docstring).
CACHE_DIR = Path(__file__).resolve().parents[2] / "var" / "cache"
SKOPS_TRUSTED_TYPES = "skops.io._trusted_types"
TRUSTED_TYPE_LISTS = (
    "PRIMITIVE_TYPE_NAMES",
    "SKLEARN_ESTIMATOR_TYPE_NAMES",
    "SCIPY_UFUNC_TYPE_NAMES",
    "NUMPY_UFUNC_TYPE_NAMES",
    "NUMPY_DTYPE_TYPE_NAMES",
)

# Imported by modules every Rasa server loads, used only to train: they import TensorFlow.
TRAINING_ONLY_MODULES = ("rasa.utils.train_utils",)
# Imported by the Rasa server for its model-testing endpoints, used only to test: it imports
# matplotlib (0.4 s of start-up).
TESTING_ONLY_MODULES = ("rasa.utils.plotting",)


def apply() -> bool:
    """Apply the fixes if this is the Rasa they were written for; say whether they were.

    Call it before anything imports TensorFlow (``import rasa`` alone does not).
    """
    import rasa

    if rasa.__version__ != RASA_VERSION:
        logger.warning(
            "Rasa %s is installed; the speed-ups in %s were written for %s and are not applied.",
            rasa.__version__,
            __name__,
            RASA_VERSION,
        )
        return False
    do_not_import_jax()
    import_skops_before_tensorflow()
    import_thinc_without_tensorflow()
    load_on_first_use(*TRAINING_ONLY_MODULES, *TESTING_ONLY_MODULES)
    read_the_training_graph_when_needed()
    validate_action_results_with_one_validator()
    look_up_event_types_once()
    run_the_graph_without_dask()
    keep_connections_to_endpoints()
    load_each_spacy_pipeline_once()
    stack_classifier_features_once()
    return True


def do_not_import_jax() -> None:
    """Make ``import jax`` fail with ImportError (TensorFlow then leaves JAX support out)."""
    if "jax" not in sys.modules:
        sys.modules["jax"] = None  # type: ignore[assignment]


def import_skops_before_tensorflow(cache_dir: Path = CACHE_DIR) -> None:
    """Import skops.io while few modules are loaded, with its trusted type names read from
    ``cache_dir`` if they were computed there for the installed versions (computed and kept there
    otherwise; see the module's docstring)."""
    if "skops.io" in sys.modules:
        return
    kept = cache_dir / f"skops-trusted-types-{_trusted_types_key()}.json"
    names = _read_trusted_type_names(kept)
    if names is not None:
        module = ModuleType(SKOPS_TRUSTED_TYPES)
        module.PRIMITIVES_TYPES = [int, float, str, bool]  # type: ignore[attr-defined]
        module.__dict__.update(names)
        sys.modules[SKOPS_TRUSTED_TYPES] = module
    import skops.io  # noqa: F401

    if names is None:
        _keep_trusted_type_names(sys.modules[SKOPS_TRUSTED_TYPES], kept)


def _keep_trusted_type_names(computed: ModuleType, kept: Path) -> None:
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({name: getattr(computed, name) for name in TRUSTED_TYPE_LISTS}))
        os.replace(partial, kept)
    except OSError:
        logger.info("skops' trusted type names could not be kept in %s.", kept.parent, exc_info=True)


def _trusted_types_key() -> str:
    packages = ("skops", "scikit-learn", "numpy", "scipy")
    versions = [sys.version, *(importlib.metadata.version(package) for package in packages)]
    return hashlib.sha256("\n".join(versions).encode()).hexdigest()[:16]


def _read_trusted_type_names(path: Path) -> dict[str, list[str]] | None:
    """The lists kept in ``path``, or None if there are none (or not all of them)."""
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(names, dict) or set(names) != set(TRUSTED_TYPE_LISTS):
        return None
    if not all(isinstance(v, list) and all(isinstance(n, str) for n in v) for v in names.values()):
        return None
    return names


def import_thinc_without_tensorflow() -> None:
    """Import thinc (spaCy's layers) while ``import tensorflow`` fails, so that it leaves TensorFlow
    out; TensorFlow itself can still be imported afterwards."""
    if "thinc.compat" in sys.modules:
        return
    hidden = "tensorflow" not in sys.modules
    if hidden:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]
    try:
        import thinc.compat  # noqa: F401
    finally:
        if hidden:
            del sys.modules["tensorflow"]


def load_on_first_use(*names: str) -> None:
    """Put each module not yet imported in ``sys.modules`` unexecuted; its code runs, in the same
    module object, when one of its attributes is first asked for (``from m import x`` included).

    Call it after importing skops, which reads an attribute of every module loaded when it is
    imported. (importlib's LazyLoader does not do here: Python 3.10's import statement reads
    ``__spec__`` of a module already in ``sys.modules``, and that runs a lazy module's code.)
    """
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        module.__getattr__ = _loader_on_first_use(module)  # type: ignore[method-assign]
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, module)


def _loader_on_first_use(module: ModuleType) -> Any:
    def __getattr__(attribute: str) -> Any:
        del module.__dict__["__getattr__"]
        module.__spec__.loader.exec_module(module)  # type: ignore[union-attr]
        return getattr(module, attribute)

    return __getattr__


def read_the_training_graph_when_needed() -> None:
    """Make a loaded model's training graph (``ModelMetadata.train_schema``) be read from the
    model's metadata when first used; answering never uses it."""
    from rasa.engine.graph import GraphSchema
    from rasa.engine.storage.storage import ModelMetadata

    read = ModelMetadata.from_dict

    def from_dict(serialized: dict[str, Any]) -> ModelMetadata:
        metadata = read({**serialized, "train_schema": {"nodes": {}}})
        object.__setattr__(metadata, "train_schema", GraphSchemaReadWhenUsed(serialized["train_schema"]))
        return metadata

    class GraphSchemaReadWhenUsed(GraphSchema):
        """A GraphSchema whose nodes are read from its serialised form when first asked for."""

        def __init__(self, serialized: dict[str, Any]) -> None:
            self._serialized = serialized
            self._nodes: dict[str, Any] | None = None

        @property
        def nodes(self) -> dict[str, Any]:
            if self._nodes is None:
                self._nodes = GraphSchema.from_dict(self._serialized).nodes
            return self._nodes

    ModelMetadata.from_dict = staticmethod(from_dict)


class ActionResultValidator:
    """Rasa's check of an action server's reply, with each event checked against the schema of its
    own type only.

    Rasa's schema allows an event if exactly one of its 23 event schemas ("oneOf") does; each of
    them requires its own ``event`` name, so the one that can allow an event is the one of its name.
    jsonschema tries all 23 for every event (0.5 ms for an answer's two slots, most of the check);
    here the reply is checked without the event schemas, then each event against the schema of its
    name, or against them all (as Rasa does, for its error) when no schema has that name.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema.validators import validator_for

        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        items = schema["properties"]["events"]["items"]
        self._any_event = validator_class(items)
        self._event_of_type = {
            event_schema["properties"]["event"]["const"]: validator_class({**items, "oneOf": [event_schema]})
            for event_schema in items["oneOf"]
        }
        if len(self._event_of_type) != len(items["oneOf"]):
            raise ValueError("two event schemas have one name: each event must be checked against them all")
        without_event_schemas = copy.deepcopy(schema)
        del without_event_schemas["properties"]["events"]["items"]["oneOf"]
        self._reply = validator_class(without_event_schemas)

    def validate(self, result: Any) -> None:
        """Raise jsonschema's ValidationError where Rasa's check would."""
        self._reply.validate(result)
        for event in result.get("events") or ():
            self._event_of_type.get(event["event"], self._any_event).validate(event)


@functools.lru_cache(maxsize=1)
def action_result_validator() -> ActionResultValidator:
    """The validator of Rasa's action server response format, with the schema checked once."""
    from rasa.core.actions.action import RemoteAction

    return ActionResultValidator(RemoteAction.action_response_format_spec())


def validate_action_results_with_one_validator() -> None:
    """Make ``RemoteAction._validate_action_result`` use :func:`action_result_validator`."""
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            action_result_validator().validate(result)
            return True
        except ValidationError as error:  # the message Rasa gives
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about the "
                f"format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise

    RemoteAction._validate_action_result = validate_action_result


def look_up_event_types_once() -> None:
    """Make ``Event.resolve_by_type`` remember the class found for each type name."""
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        if type_name in found:
            return found[type_name]
        resolved = original(type_name, default)
        if resolved is not None and resolved is not default:
            found[type_name] = resolved
        return resolved

    Event.resolve_by_type = staticmethod(resolve_by_type)


def run_the_graph_without_dask() -> None:
    """Make the models that Rasa loads to answer run on :class:`SequentialGraphRunner`."""
    from rasa.core import processor

    from bot.rasa.graph_runner import SequentialGraphRunner

    processor.DaskGraphRunner = SequentialGraphRunner


# Seconds an idle connection to an endpoint is kept: less than the servers' own keep-alive
# (Sanic's default, 5 s), so that a connection is never reused just as the server closes it.
ENDPOINT_KEEPALIVE_S = 2.0


# The sessions kept open and their event loops, closed when the server stops (close_kept_sessions).
KEPT_SESSIONS: list[tuple[Any, Any]] = []


class KeptSession:
    """What ``async with endpoint.session()`` enters: the endpoint's session of the running event
    loop, made on first use and left open on exit, so that its connections are reused."""

    def __init__(self, endpoint: Any) -> None:
        self.endpoint = endpoint

    async def __aenter__(self) -> Any:
        import asyncio

        import aiohttp
        from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

        loop = asyncio.get_running_loop()
        kept = self.endpoint.__dict__.get("_kept_session")
        if kept is None or kept[0] is not loop or kept[1].closed:
            credentials = self.endpoint.basic_auth
            session = aiohttp.ClientSession(  # as Rasa's EndpointConfig.session makes it
                headers=self.endpoint.headers,
                auth=aiohttp.BasicAuth(credentials["username"], credentials["password"])
                if credentials
                else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=ENDPOINT_KEEPALIVE_S),
            )
            kept = self.endpoint.__dict__["_kept_session"] = (loop, session)
            KEPT_SESSIONS.append(kept)
        return kept[1]

    async def __aexit__(self, *exc_info: object) -> None:
        return None


async def close_kept_sessions() -> None:
    """Close the kept sessions of the running event loop."""
    import asyncio

    loop = asyncio.get_running_loop()
    closing = [session for session_loop, session in KEPT_SESSIONS if session_loop is loop]
    KEPT_SESSIONS[:] = [(other, session) for other, session in KEPT_SESSIONS if other is not loop]
    for session in closing:
        await session.close()


def keep_connections_to_endpoints() -> None:
    """Make Rasa's calls to an endpoint (the action server) reuse the endpoint's session, and
    close the sessions when the Rasa server stops, after its own resources."""
    from rasa.core import run
    from rasa.utils.endpoints import EndpointConfig

    close_resources = run.close_resources

    async def close_resources_and_sessions(app: Any, loop: Any) -> None:
        try:
            await close_resources(app, loop)
        finally:
            await close_kept_sessions()

    run.close_resources = close_resources_and_sessions

    def session(endpoint: EndpointConfig) -> KeptSession:
        return KeptSession(endpoint)

    EndpointConfig.session = session


def spacy_pipeline_version(name: str) -> tuple[int, ...] | None:
    """When the files of the spaCy pipeline directory ``name`` last changed (None for a package)."""
    import os

    if not os.path.isdir(name):
        return None
    return tuple(
        sorted(
            os.stat(os.path.join(root, file)).st_mtime_ns
            for root, _dirs, files in os.walk(name)
            for file in files
        )
    )


def load_each_spacy_pipeline_once() -> None:
    """Make SpacyNLP give a pipeline it has loaded from an unchanged directory again."""
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    load_model = SpacyNLP.load_model
    loaded: dict[str, tuple[tuple[int, ...], Any]] = {}  # the latest version of each directory

    def load_once(spacy_model_name: str) -> Any:
        version = spacy_pipeline_version(spacy_model_name) if spacy_model_name else None
        if version is None:
            return load_model(spacy_model_name)
        if spacy_model_name not in loaded or loaded[spacy_model_name][0] != version:
            loaded[spacy_model_name] = (version, load_model(spacy_model_name))
        return loaded[spacy_model_name][1]

    SpacyNLP.load_model = staticmethod(load_once)


def stack_classifier_features_once() -> None:
    """Make LogisticRegressionClassifier build its input from the sentence features alone, with
    one stack per message (the same matrix as Rasa's ``_create_X``)."""
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from scipy.sparse import csr_matrix, hstack, vstack

    create_x = LogisticRegressionClassifier._create_X

    def _create_X(self: LogisticRegressionClassifier, messages: list[Any]) -> Any:
        rows = []
        for message in messages:
            sentence = [
                f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
            ]
            sparse = [csr_matrix(f.features) for f in sentence if f.is_sparse()]
            dense = [f.features for f in sentence if f.is_dense()]
            if not sparse:  # Rasa's own code has its way with a message without them
                return create_x(self, messages)
            if dense:
                sparse.append(csr_matrix(np.concatenate(dense, axis=-1)))
            rows.append(hstack(sparse))
        return vstack(rows)

    LogisticRegressionClassifier._create_X = _create_X
