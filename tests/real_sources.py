"""The real sources' slugs, from their file names alone, to parametrize tests over whatever
content is there. Nothing is loaded at collection: a broken source fails the tests about it
(and `handouts validate`), never the collection of the whole suite."""

from __future__ import annotations

from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "sources"


def slugs(*kinds: str) -> list[str]:
    """Sorted slugs of the real sources of these kinds (validation makes slug == file name)."""
    return sorted(path.stem for kind in kinds for path in (SOURCES / kind).glob("*.yaml"))
