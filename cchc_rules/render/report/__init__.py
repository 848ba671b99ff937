"""The report's internals: the documented context model, how it is built, charts,
sections and the sandboxed templates. `render/html.py` and `render/pdf.py` write it.

    context.py          the report's data model (documented for template authors)
    builder.py          an `Evaluation` → that model (counts by polars, bounded lists)
    charts.py           inline SVG charts with their text equivalents
    over_time.py        trends on real dates, dissolved units, territory compared on
    missing.py          missing data by metric and period
    records_quality.py  record sources' data quality
    score_section.py    the points and ranking section; score_charts.py its charts
    templates.py        the template sandbox; sandbox.py its bounded Jinja environment
"""
