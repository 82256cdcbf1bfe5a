"""The Almere International Desk assistant.

Where a message goes: a channel in ``bot.rasa`` (socket.io for the widget, REST) checks it with
``bot.access``, Rasa classifies it with the components in ``bot.rasa.components`` over
``bot.conversation``, and an action in ``actions/`` answers from ``bot.knowledge`` (facts in
``bot/knowledge.yml``) or from ``bot.desk_answers``. Where a ticket goes: the handoff action
(``bot.handoff``) stores it with ``bot.tickets``; the desk (``bot.site.desk``) shows it to staff,
who answer by e-mail or live chat. ``bot.site.public`` serves the page and the widget,
``bot.insights`` the desk's figures, ``bot.privacy`` the personal data's lifetime,
``bot.observability`` metrics and logs, ``bot.office_hours`` the desk's hours. ``bot.config``
reads every setting; ``bot.services`` holds what a process loads once; ``bot.launcher`` starts
the servers. Each package's ``cli`` module holds its ``almere`` subcommands.
"""
