"""Score stage: points and ranks from the statuses (spec §7).

    points.py     points per indicator, group and unit, the index, bands and ranks
    share_met.py  without `scoring`: units placed by the share of their targets met
    tree.py       nested groups with subtotals, a group's max as a cap, tracks by level
    clamped.py    DAT31: points claimed outside 0–max, clamped with a warning

Both are pure functions of frames; `evaluation.result.Evaluation` calls them when read.
"""
