"""The adapters that plug the assistant into Rasa 3.6 and rasa_sdk: channels, the chat turn, tracker
and lock stores, NLU components, the speed-ups and the CLI that applies them, the action server.

Only this package imports ``rasa``, ``rasa_sdk`` or ``sanic``; the rest of ``bot/`` is plain Python
(tests/unit/test_layout.py keeps it so). Inside it, ``rasa`` still means Rasa itself: imports are
absolute, so ``from rasa.core... import`` never finds this package.
"""
