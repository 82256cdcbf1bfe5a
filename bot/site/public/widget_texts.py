"""Every text the chat widget (static/chat.js) shows or announces, in the page's language.

They reach the widget in ``GET /widget/config`` (``embed``), so the site's one catalogue
translates the widget too. ``{name}``, ``{reference}`` and ``{count}``
and ``{link}`` are filled in by the widget.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString

# What the widget says when it opens on an empty conversation, and the topics it suggests:
# (title, payload); a payload of None sends the title as typed text (in Dutch: "Ik wil een
# medewerker spreken"). Payloads must be quick replies the chat accepts (bot/conversation/quick_replies.py),
# which a unit test checks; they are the same in both languages.
WELCOME = lazy_gettext(
    "Hello! I'm the virtual assistant of the International Desk. Ask me about living, working "
    "or doing business in Almere, or choose a topic."
)
SUGGESTIONS: tuple[tuple[LazyString, str | None], ...] = (
    (lazy_gettext("Where is Almere?"), "/ask_about_almere"),
    (lazy_gettext("Jobs in Almere"), "/ask_jobs"),
    (lazy_gettext("International community"), "/ask_international_community"),
    (lazy_gettext("Doing business"), "/ask_business_climate"),
    (lazy_gettext("Talk to a person"), None),
)


def welcome_message() -> dict[str, Any]:
    """The widget's opening message in the page's language, as the widget stores bot messages."""
    return {
        "text": str(WELCOME),
        "buttons": [
            {"title": str(title), "payload": payload or str(title)} for title, payload in SUGGESTIONS
        ],
    }


def widget_texts() -> dict[str, str]:
    """The widget's texts by key, translated for this request."""
    return {
        "you": gettext("You"),
        "assistant": gettext("Assistant"),
        "staff_name": gettext("{name} (municipality)"),
        "not_sent": gettext("Not sent."),
        "retry": gettext("Retry"),
        "not_sent_suffix": gettext("(not sent)"),
        "privacy_note": gettext("Read what is kept and for how long in the {link}."),
        "privacy_link": gettext("privacy statement"),
        "copy_reference": gettext("Copy reference {reference}"),
        "copied": gettext("Reference {reference} copied."),
        "copy_refused": gettext("Copying is not allowed here: please select the reference and copy it."),
        "suggested_replies": gettext("Suggested replies"),
        "new_reply": gettext("new reply"),
        "new_replies": gettext("new replies"),
        "assistant_replied": gettext("The assistant replied. Open the chat to read the reply."),
        "staff_replied": gettext("{name} replied. Open the chat to read the reply."),
        "placeholder_question": gettext("Type your question"),
        "placeholder_name": gettext("Your name"),
        "placeholder_email": gettext("Your e-mail address"),
        "placeholder_phone": gettext("Your phone number"),
        "placeholder_desk_question": gettext("Your question for the desk"),
        "placeholder_choice": gettext("Choose a reply above, or type one"),
        "live_waiting": gettext("Waiting for a colleague to join…"),
        "live_active": gettext("You are chatting with {name} of the municipality."),
        "live_returned": gettext("You are chatting with the digital assistant again."),
        "live_closed": gettext("The chat with a colleague has ended."),
        "live_missed": gettext("No colleague could join just now."),
        "a_colleague": gettext("a colleague"),
        "staff_typing": gettext("{name} is typing…"),
        "colleague_typing": gettext("A colleague is typing…"),
        "copy_offer": gettext("E-mail me a copy of this chat"),
        "copy_email": gettext("Your e-mail address"),
        "copy_send": gettext("Send the copy"),
        "copy_no_connection": gettext(
            "There is no connection: the copy could not be asked for. Try again in a moment."
        ),
        "live_no_connection": gettext(
            "There is no connection: the chat with a colleague could not be asked for. Try again in a moment."
        ),
        "rating_lowest": gettext("1 (not helpful)"),
        "rating_highest": gettext("5 (very helpful)"),
        "rating_comment": gettext("Comment (optional)"),
        "rating_send": gettext("Send rating"),
        "rating_skip": gettext("No, thanks"),
        "rating_skipped": gettext("No problem. Thank you for chatting with us."),
        "rating_choose": gettext("Please choose a number from 1 to 5 first."),
        "sending": gettext("Sending…"),
        "rating_not_sent": gettext("Your rating could not be sent."),
        "try_again": gettext("Please try again."),
        "rating_thanks": gettext("Thank you for your rating!"),
        "votes_label": gettext("Was this answer helpful?"),
        "vote_helpful": gettext("Helpful"),
        "vote_not_helpful": gettext("Not helpful"),
        "vote_thanks": gettext("Thank you for your feedback."),
        "vote_not_sent": gettext("Your feedback could not be sent. Please try again later."),
        "connecting": gettext("Connecting to the assistant…"),
        "connected_retry": gettext("Connected again. Use Retry to send the message that was not sent."),
        "connection_lost": gettext("The connection was lost. Reconnecting…"),
        "unreachable": gettext("The assistant cannot be reached right now. Trying again…"),
        "refused": gettext("Sorry, the chat is not available on this page."),
        "offline_not_sent": gettext(
            "Your message was not sent: there is no connection. Use Retry when it is back."
        ),
        "still_offline": gettext("Still no connection: your message was not sent. Try again in a moment."),
        "sending_again": gettext("Sending your message again."),
        "new_conversation": gettext("A new conversation has started."),
        "file_header": gettext("Conversation with the International Desk assistant, Municipality of Almere"),
        "file_saved": gettext("A copy of the conversation was saved as a text file."),
    }
