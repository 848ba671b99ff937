"""Figures stage: what the units report, or what is counted from their records.

    units.py       reporting units and the tree they form (declarations, checks)
    unitgraph.py   the units as a dated graph: parents and successors on a day
    validity.py    a unit's figures only for the periods it existed in
    readers/       YAML/JSON, CSV and xlsx files → one long frame of figures
    records/       figures counted from dossier records (DuckDB, PostgreSQL, Spark)
    data.py        reading and merging figures: `read_data` → `Figures`
    forms.py       the Excel data-entry form a unit fills in, read back by `readers/`
    scoring_book.py  the self-assessment and appraisal workbooks of the index (issue 26)
    scoring_read.py  one returned scoring workbook read back, every cell checked
    collect.py     a folder of returned workbooks → figures with provenance per value

No figure here is derived from another: that is `derive/`.
"""
