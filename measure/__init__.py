"""The measurement core that evaluation/ and operations/ share.

Statistics of latencies (``stats``), Markdown reports (``report``), the machine and code version
a figure was measured on (``machine``), and the HTTP client of the REST channel (``client``).
Nothing here is imported by the assistant itself.
"""
