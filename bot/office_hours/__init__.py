"""The desk's opening times: ``schedule`` holds when the desk is open (office days, hours and public
holidays), when it opens again and when a reply is due; ``wording`` holds the days, dates and moments
in English and Dutch words (``Friday 25 December``, ``tomorrow``, ``Amsterdam time``); ``questions``
reads which days a message asks about and composes the answer about the opening times.
"""
