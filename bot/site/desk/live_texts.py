"""Every text the desk's live chat pages (static/live.js) and its alerts for waiting chats
(static/alerts.js, on every desk page) show from JavaScript, in the colleague's desk language.

The templates put them into the ``data-texts`` attribute of the list (live.html) and of the chat
(live_chat.html), as the public page does for the widget (bot/site/public/widget_texts.py), so the
site's one catalogue translates them. ``{time}``, ``{minutes}``, ``{hours}`` and ``{name}`` are
filled in by live.js; the wait units are the same messages as the server's (formatting.py).
The state and desk names are also what the templates show, so page and script say the same.
"""

from __future__ import annotations

from flask_babel import gettext


def live_chat_states() -> dict[str, str]:
    """A live chat's state as the desk shows it."""
    return {
        "waiting": gettext("waiting"),
        "active": gettext("active"),
        "returned": gettext("returned"),
        "closed": gettext("closed"),
        "missed": gettext("missed"),
    }


def desk_names() -> dict[str, str]:
    """The desks' names in running text ("international", in Dutch "internationaal")."""
    return {"international": gettext("International").lower(), "business": gettext("Business").lower()}


def live_texts() -> dict[str, str | list[str] | dict[str, str]]:
    """live.js's texts by key, translated for this request."""
    return {
        "updated_at": gettext("Updated at %(time)s.", time="{time}"),
        "not_updated": gettext("Could not update the list; trying again."),
        "nobody_waiting": gettext("Nobody is waiting for a chat."),
        "caption": gettext("Longest waiting first."),
        # A list, not an object: JSON objects come out with their keys sorted, the columns in order.
        "columns": [
            gettext("Reference"),
            gettext("State"),
            gettext("Desk"),
            gettext("Waiting"),
            gettext("Colleague"),
        ],
        "less_than_a_minute": gettext("less than 1 min"),
        "minutes": gettext("%(minutes)s min", minutes="{minutes}"),
        "hours_minutes": gettext("%(hours)s h %(minutes)s min", hours="{hours}", minutes="{minutes}"),
        "states": live_chat_states(),
        "desks": desk_names(),
        "person": gettext("Person"),
        "assistant": gettext("Assistant"),
        "staff": gettext("%(name)s (staff)", name="{name}"),
        "sending": gettext("Sending…"),
        "sent": gettext("Sent."),
        "not_delivered": gettext("Your message was NOT delivered."),
        "person_typing": gettext("The person is typing…"),
    }


def alert_texts() -> dict[str, str]:
    """alerts.js's texts by key: the waiting chats' count on every desk page ({count} filled in)."""
    return {
        "badge": gettext("%(count)s waiting", count="{count}"),
        "title_one": gettext("Waiting chat"),
        "title_many": gettext("Waiting chats"),
        "announce_one": gettext("%(count)s person is waiting for a live chat.", count="{count}"),
        "announce_many": gettext("%(count)s people are waiting for a live chat.", count="{count}"),
        "notification_title": gettext("Almere International Desk"),
    }
