"""Handing a conversation to a colleague: reading the handoff form's answers from Rasa's events
(``contact_answers``) and when a live chat with a colleague is offered and how the desk proves
itself to the Rasa servers (``live_chat``). The tickets that result live in ``bot.tickets``.
"""
