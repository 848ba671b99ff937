"""Validate stage, scoring part: facts of a criteria set's tree that later stages share —
which unit levels (tracks) each indicator is scored for (issue 26)."""
from __future__ import annotations

from typing import Any


def indicator_levels(scoring: Any) -> list[frozenset[str] | None]:
    """Per indicator (in ruleset order), the unit levels scored on it; None: every level."""
    groups = {g.id: g for g in scoring.groups}

    def of_group(gid: str | None, seen: int = 0) -> frozenset[str] | None:
        group = groups.get(gid) if gid is not None else None
        if group is None or seen > len(groups):
            return None
        if group.levels:
            return frozenset(group.levels)
        return of_group(group.parent, seen + 1)

    return [frozenset(i.levels) if i.levels else of_group(i.group) for i in scoring.indicators]
