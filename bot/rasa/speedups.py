"""Fixes for work that Rasa 3.6 does in vain, found by profiling and measuring.

See reports/profile.md (before) and reports/profile-speedups.md (after). Each fix keeps
Rasa's behaviour. Two do once what Rasa repeats on every message:

- Checking the action server's reply: Rasa calls ``jsonschema.validate(result, schema)``,
  which first checks its large events schema against the JSON Schema meta-schema, on every
  custom action call (59 % of the Rasa server's time for a fact answer). Here the validator
  is built, and the schema checked, once.
- Reading a conversation back from the tracker store: for every stored event Rasa walks all
  subclasses of ``Event`` (with ``inspect.isabstract`` on each) to find the class of its
  type name. Here each type name's class is looked up once.

Two are about start-up and memory:

- TensorFlow (which Rasa imports, though this assistant's pipeline and policies never run
  it) tries to import JAX, only to offer JAX models to its TFLite converter, and does without
  it when JAX cannot be imported. JAX is not imported here, which saves about 80 MB of the
  Rasa server's memory and a few seconds of start-up (reports/bench.md).
- skops, with which Rasa saves and loads the LogisticRegressionClassifier, builds its list of
  trusted types when first imported, and for each numpy and scipy function it searches every
  module already imported. Imported after TensorFlow (about 5,700 modules) that took 12 s on
  this machine, when the model was loaded and again when it was trained; imported first, 3 s.
  The list is the same (tests/unit/test_rasa_speedups.py).

They are applied by `python -m bot.rasa.cli` (how `almere run` starts the Rasa server), only
to the Rasa version they were written for.
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"


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
    validate_action_results_with_one_validator()
    look_up_event_types_once()
    return True


def do_not_import_jax() -> None:
    """Make ``import jax`` fail with ImportError (TensorFlow then leaves JAX support out)."""
    if "jax" not in sys.modules:
        sys.modules["jax"] = None  # type: ignore[assignment]


def import_skops_before_tensorflow() -> None:
    """Import skops.io while few modules are loaded (see the module's docstring)."""
    import skops.io  # noqa: F401


@functools.lru_cache(maxsize=1)
def action_result_validator() -> Any:
    """The validator of Rasa's action server response format, with the schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


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

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


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

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
