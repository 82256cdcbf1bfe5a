"""The Almere International Desk assistant: knowledge, language pipeline, tickets and desk."""
