"""The longest texts the assistant and the ticket store accept, declared once.

What the handoff form accepts (``actions/handoff.py``) is what the ticket store accepts
(``bot/tickets/validation.py``): both read these numbers. A question arrives in one chat
message, so it is never longer than the chat's limit (``ALMERE_MAX_MESSAGE_CHARS``, whose
default is :data:`MESSAGE_CHARS`). The ticket table's column widths (``bot/tickets/models.py``)
are the same numbers; a unit test keeps them equal.
"""

# Longest chat message handled: the default of Settings.max_message_chars.
MESSAGE_CHARS = 2000
# The question handed over to a colleague: one chat message.
QUESTION_CHARS = MESSAGE_CHARS
# The person's name, e-mail address and phone number on a ticket.
NAME_CHARS = 200
EMAIL_CHARS = 254
PHONE_CHARS = 40
# The topic a ticket is filed under.
TOPIC_CHARS = 100
# A note staff add to a ticket in the desk.
NOTE_CHARS = 5000
# An answer staff e-mail to the person from the desk (a reply is longer than a chat message).
REPLY_CHARS = 10000
# What staff note about a phone call they made (shown beside the call in the ticket's history).
CALL_NOTE_CHARS = NOTE_CHARS
# The person's optional comment with their rating ("how helpful was this?"): one chat message.
RATING_COMMENT_CHARS = MESSAGE_CHARS
# Largest request that answers the rating question (the comment and the token, with room to spare).
RATING_REQUEST_BYTES = 16 * 1024
