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
        # Statements replaced one for one are rewordings: show which words changed.
        paired = min(len(before), len(after)) if op == "replace" else 0
        for (_, old_text), (section, new_text) in zip(before[:paired], after[:paired]):
            changes.append(Change(section, "changed", words(old_text, new_text)))
        changes += [Change(section, "removed", ((REMOVED, text),)) for section, text in before[paired:]]
        changes += [Change(section, "added", ((ADDED, text),)) for section, text in after[paired:]]
    return changes
