"""Derive stage: figures made from other figures, before any target is judged.

    timeroll.py     longer periods from a unit's shorter ones (spec §5)
    rollup.py       sums along child → parent edges (units, and time)
    territory.py    earlier figures restated on today's territory (spec §6, mergers)
    relative.py     relative baselines: which earlier period a result compares with
    consistency.py  a reported formula metric against its own reported inputs (DAT22)
"""
