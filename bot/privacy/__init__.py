"""Personal data: what a person's contact details and identifiers look like, for every part that
checks, finds or masks them (``contact_patterns``: e-mail addresses, phone numbers, names given
after "my name is", IBANs, BSNs, card numbers); forgetting what a person typed when nothing may be
kept (``redaction``), deleting tickets and conversations after their retention period
(``retention``), and finding, exporting and erasing everything kept about one person on request
(``subject_data``, ``almere personal-data``).
"""
