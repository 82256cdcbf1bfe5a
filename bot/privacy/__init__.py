"""Personal data: forgetting what a person typed when nothing may be kept (``redaction``), deleting
tickets and conversations after their retention period (``retention``), and finding, exporting
and erasing everything kept about one person on request (``subject_data``, ``almere personal-data``).
"""
