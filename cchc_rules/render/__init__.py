"""Render stage: every output format, each a function of one `Evaluation`.

`FORMATS[name](evaluation, lang=..., fail_on=..., color=...)` returns the whole text;
html.py and pdf.py (reports) build on the same record model.
"""
from __future__ import annotations

from . import csv, json, junit, table

FORMATS = {"table": table.render, "json": json.render, "csv": csv.render,
           "junit": junit.render}
