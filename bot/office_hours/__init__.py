"""The desk's opening times: ``schedule`` holds whether the desk is open, when it opens again and
when a reply is due, the bilingual wording of days and moments, and the answers to questions about
the opening times.
"""
