"""A word-level diff of two lists of statements, for a reviewer to see exactly what changed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

SAME, ADDED, REMOVED = "=", "+", "-"
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Change:
    """One statement that was added, removed or reworded, with its words marked."""

    section: str
    kind: str  # "added", "removed" or "changed"
    parts: tuple[tuple[str, str], ...]  # (SAME | ADDED | REMOVED, text), in reading order


def words(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """The words of `new` and `old` interleaved: kept, removed and added runs."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append((SAME, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append((REMOVED, "".join(a[i1:i2])))
        if j2 > j1:
            parts.append((ADDED, "".join(b[j1:j2])))
    return tuple(parts)


def _likeness(old: str, new: str) -> float:
    """The share of the shorter statement's words that the other keeps, in order."""
    a, b = old.split(), new.split()
    kept = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return kept / max(min(len(a), len(b)), 1)


# Below this share of words kept, two statements are one removed and another added, not one
# reworded.
REWORDED = 0.5


def _pairs(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> list[tuple[int | None, int | None]]:
    """(old index, new index) in reading order: each new statement paired with the most alike
    old one after the last pair, when they are alike enough; the rest stand alone."""
    pairs: list[tuple[int | None, int | None]] = []
    start = 0
    for j, (_, new_text) in enumerate(after):
        scores = [(_likeness(before[i][1], new_text), i) for i in range(start, len(before))]
        score, i = max(scores, default=(0.0, -1), key=lambda pair: (pair[0], -pair[1]))
        if score < REWORDED:
            pairs.append((None, j))
            continue
        pairs += [(k, None) for k in range(start, i)]
        pairs.append((i, j))
        start = i + 1
    pairs += [(k, None) for k in range(start, len(before))]
    return pairs


def diff(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[Change]:
    """Every statement that differs between two versions, in the new version's order."""
    def keyed(items):
        return [f"{section}\x1f{text}" for section, text in items]

    changes: list[Change] = []
    matcher = SequenceMatcher(None, keyed(old), keyed(new), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        before, after = old[i1:i2], new[j1:j2]
        for i, j in _pairs(before, after):
            if i is not None and j is not None:
                changes.append(Change(after[j][0], "changed", words(before[i][1], after[j][1])))
            elif i is not None:
                changes.append(Change(before[i][0], "removed", ((REMOVED, before[i][1]),)))
            else:
                changes.append(Change(after[j][0], "added", ((ADDED, after[j][1]),)))
    return changes
