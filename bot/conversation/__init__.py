"""Reading a message and choosing its answer, in plain Python: the text made safe
(``chat_input``), opening words dropped, a story split into its question (``clauses``), a
follow-up read against the last answer (``follow_ups``), the reply language (``reply_language``),
the project's own spaCy pipeline (``spacy_pipeline``), the answer from the knowledge file
(``answering``) and the quick-reply payloads a person may send (``quick_replies``). Rasa's
components and actions in ``bot.rasa`` and ``actions/`` are thin wrappers over these.
"""
