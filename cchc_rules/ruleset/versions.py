"""Validate stage: plans in force by date. A ruleset that `replaces` (or `amends`) another
from `in_force_from` is the newest of a chain of versions; each period is judged by the
version in force on its last day. Cycles, a missing date and two versions in force on the
same day are positioned errors (EXT03–EXT05).
"""
from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import CchcError
from ..load import load_yaml
from ..messages import _
from .loader import LoadedRuleset, load_ruleset


@dataclass(frozen=True)
class Version:
    ruleset: LoadedRuleset
    path: Path
    start: datetime.date | None        # first day in force (None: from the beginning)
    end: datetime.date | None          # last day in force (None: still in force)
    relation: str | None               # how it follows the one before: replaces, amends

    @property
    def id(self) -> str:
        return self.ruleset.model.ruleset

    def in_force(self, day: datetime.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def record(self) -> dict:
        return {"ruleset": self.id, "title": self.ruleset.model.title,
                "source": self.ruleset.model.source, "relation": self.relation,
                "in_force_from": self.start.isoformat() if self.start else None,
                "in_force_to": self.end.isoformat() if self.end else None}


def load_versions(path: Path | str, load=load_ruleset) -> list[Version]:
    """The chain from `path` back through `replaces`/`amends`, oldest first, each with the
    days it is in force; a ruleset that names neither is one version in force throughout."""
    chain: list[tuple[Path, LoadedRuleset]] = []
    seen: dict[Path, int] = {}
    current: Path | None = Path(path)
    while current is not None:
        real = Path(os.path.realpath(current))
        loaded = load(current)
        model = loaded.model
        if real in seen:
            names = " → ".join(p.name for p, _ in chain[seen[real]:]) + f" → {current.name}"
            raise CchcError.one("EXT03", _("replaces cycle: {names}").format(names=names),
                                _pos(chain[-1][0], "replaces"),
                                _("a plan cannot replace itself, directly or not"))
        seen[real] = len(chain)
        chain.append((current, loaded))
        parent = model.replaces or model.amends
        if parent is not None and model.in_force_from is None:
            raise CchcError.one("EXT05", _("'{key}' needs 'in_force_from', the day this "
                                           "version starts").format(
                key="replaces" if model.replaces else "amends"),
                _pos(current, "replaces" if model.replaces else "amends"),
                _("add in_force_from: YYYY-MM-DD"))
        current = Path(os.path.normpath(current.parent / parent)) if parent else None
        if current is not None and not current.is_file():
            raise CchcError.one("EXT01", _("parent ruleset '{entry}' not found (looked for "
                                           "{target})").format(entry=parent, target=current),
                                _pos(chain[-1][0], "replaces" if model.replaces else "amends"))
    chain.reverse()
    versions: list[Version] = []
    for i, (file, loaded) in enumerate(chain):
        model = loaded.model
        start = datetime.date.fromisoformat(model.in_force_from) if model.in_force_from else None
        if versions and versions[-1].start is not None and start is not None \
                and start <= versions[-1].start:
            raise CchcError.one("EXT04", _("in force from {start}, not after {previous} "
                                           "('{id}', which it follows): two versions would be "
                                           "in force on the same day").format(
                start=start, previous=versions[-1].start, id=versions[-1].id),
                _pos(file, "in_force_from"), _("the later version starts on a later day"))
        following = chain[i + 1][1].model if i + 1 < len(chain) else None
        end = datetime.date.fromisoformat(following.in_force_from) - datetime.timedelta(1) \
            if following is not None and following.in_force_from else None
        relation = "replaces" if model.replaces else "amends" if model.amends else None
        versions.append(Version(loaded, file, start, end, relation))
    return versions


def _pos(path: Path, key: str):
    doc = load_yaml(path)
    return doc.pos((key,), key=True)
