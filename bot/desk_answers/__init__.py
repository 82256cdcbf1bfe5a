"""Answers from the desk: answers staff write for questions the assistant could not
answer, approved by a second colleague, and given by the assistant when a new question matches
one closely enough.

``service`` writes them (the desk and ``almere answers`` use it), ``matcher`` decides whether a
question matches, ``reply`` gives the assistant the approved ones (read at most every 20 seconds).
"""
