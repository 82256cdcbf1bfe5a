"""Moved to measure.report (issue 15). Only evaluation/pipelines.py still imports it from here;
when its import reads ``from measure import report``, this module goes."""

from measure.report import header, table, write

__all__ = ["header", "table", "write"]
