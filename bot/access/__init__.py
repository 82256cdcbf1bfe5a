"""What may reach the assistant, and how much of it: the chat widget's signed sessions, the REST
channel's token, the action server's shared secret and where secrets are kept, the length limits
of texts, the per-connection and per-conversation limits, admission of a turn by the wait it
would have, and the administrators' switch that turns the assistant off. The channels in
``bot.rasa`` and the site in ``bot.site`` call these checks; the checks know nothing of either.
"""
