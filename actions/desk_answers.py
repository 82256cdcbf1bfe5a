"""An answer from the desk instead of a decline: shared by the decline and the topic actions."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_prompts as prompts
from bot import services

logger = logging.getLogger(__name__)

# After a desk answer the person may still want a colleague: the offer stands, worded for it.
FOLLOW_UP = prompts.Prompt(
    "Was this not what you needed? I can pass your question on to a colleague at the desk.",
    prompts.OFFER.buttons,
    nl=prompts.Dutch(
        "Was dit niet wat je zocht? Dan geef ik je vraag door aan een medewerker van de balie.",
        prompts.OFFER.nl.buttons if prompts.OFFER.nl else (),
    ),
)


def give_desk_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Say the approved desk answer that matches the person's question, if any, with its date,
    the payload under which the widget asks whether it helped, and the offer of a colleague.
    False (nothing said) when none matches: the caller declines as before."""
    language = prompts.language_of(tracker)
    reply = services.desk_answers().reply(tracker.latest_message.get("text") or "", language)
    if reply is None:
        return False
    logger.info("Desk answer %d given (similarity %.2f).", reply.answer_id, reply.score)
    dispatcher.utter_message(text=reply.text)
    dispatcher.utter_message(json_message=reply.feedback_payload)
    FOLLOW_UP.send(dispatcher, language)
    return True
