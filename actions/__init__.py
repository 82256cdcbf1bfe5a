"""Rasa custom actions: thin adapters from the conversation to the services in `bot`."""
