"""The draft of the seeds' Tuyên Quang plan against the shipped, hand-made ruleset: each
hand-made milestone is matched by a drafted one with the same operator, value and deadline
whose sentence shares the most words with the hand-made target's title."""
from __future__ import annotations

from cchc_rules.draft.text import fold
from cchc_rules.ruleset.loader import load_ruleset


def _words(text: str) -> set[str]:
    return set(fold(text).split())


def milestones(path) -> list[dict]:
    """Every (target, milestone) of a ruleset file's own targets, qualitative ones left out."""
    loaded = load_ruleset(path)
    own = {t.id for t in loaded.model.targets if t.source and "Tuyên Quang" in t.source} \
        if "tuyen-quang" in str(path) else {t.id for t in loaded.model.targets}
    out = []
    for target in loaded.model.targets:
        if target.id not in own:
            continue
        for m in target.milestones:
            value = list(m.value) if isinstance(m.value, tuple) else m.value
            out.append({"target": target.id, "text": f"{target.title} {target.quote or ''}",
                        "by": m.by, "op": m.op, "value": value, "review": target.review})
    return out


def match(hand: list[dict], drafted: list[dict]) -> tuple[list, list]:
    """(matched, missed): a hand-made milestone matches the drafted one with equal op, value
    and deadline sharing the most title words (at least a third of the hand-made ones)."""
    matched, missed = [], []
    free = list(drafted)
    for h in hand:
        words = _words(h["text"])
        same = [d for d in free if (d["by"], d["op"], d["value"]) == (h["by"], h["op"],
                                                                      h["value"])]
        best = max(same, key=lambda d: len(words & _words(d["text"])), default=None)
        if best is not None and len(words & _words(best["text"])) * 3 >= len(words):
            matched.append((h, best))
            free.remove(best)
        else:
            missed.append(h)
    return matched, missed
