"""What the servers tell their operators: Prometheus metrics of turns, handoffs, mail and the
ticket queue (``metrics``) and the log format, text or JSON lines with a request id and no
personal data (``logs``).
"""
