"""An item's content as readers see it, in one canonical form: what an approval fingerprints.

The canonical content is every field of the item in the content model (text, resolved care
blocks, sources, the SMS text), plus the title and summary of every page it shows (related
conditions and topics, or a guide's chapters), without its review dates or sign-off state.
It comes from the model, not from the YAML, so layout, key order and comments never change
it, and any word any format shows does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Mapping

# Fields that record the review itself, not the content reviewed.
# `translation` says which language the words are in, not what they say (an approval is per
# language anyway); leaving it out keeps English fingerprints as they were.
NOT_CONTENT = ("review", "approval", "translation")
PREFIX = "sha256:"


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(child) for key, child in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(child) for child in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _shown(library, kind: str, slug: str) -> dict:
    item = library.item(kind, slug)
    return {"kind": kind, "slug": slug, "title": item.title, "summary": item.summary}


def content_of(item, library) -> dict:
    """The canonical content of a condition, topic or guide, as plain JSON-ready data."""
    data = {f.name: _plain(getattr(item, f.name)) for f in dataclasses.fields(item) if f.name not in NOT_CONTENT}
    data["kind"] = item.kind
    if item.kind == "guide":
        data["shows"] = [_shown(library, chapter.kind, chapter.slug) for chapter in item.chapters]
    else:
        data["shows"] = [_shown(library, kind, slug) for kind, slug, _title in library.related(item)]
    return data


def canonical_json(content: dict) -> str:
    """The one serialisation fingerprints are taken of: sorted keys, no spacing choices."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def readable_json(content: dict) -> str:
    """The same content laid out one value a line, as the ledger stores it (diffs well in git)."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, indent=1)


def fingerprint_of(content: dict) -> str:
    return PREFIX + hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


# --- statements: the content as a reviewer reads it, section by section ---------------------

# Sections in reading order, named as the handouts name them. Fields not listed here (new
# ones a later change adds to the model) still appear, after these, under their own name.
SECTIONS = (
    ("title", "Title"),
    ("reference", "Leaflet reference"),
    ("subtitle", "Subtitle"),
    ("medical_name", "Medical name"),
    ("summary", "Summary"),
    ("body_location", "Where it hurts (the picture)"),
    ("description", "Description"),
    ("introduction", "Introduction"),
    ("care", "When to get help"),
    ("what_it_is", "What it is"),
    ("symptoms", "Signs and symptoms"),
    ("self_care_intro", "What you can do now"),
    ("self_care_steps", "What you can do now"),
    ("causes", "What causes it"),
    ("risk_factors", "What makes it more likely"),
    ("treatments", "How it is treated"),
    ("tests", "Tests your doctor may use"),
    ("questions", "Questions to ask your doctor"),
    ("sections", None),  # a topic's sections carry their own headings
    ("shows", "Pages it shows (titles and summaries)"),
    ("sms", "Text message"),
    ("sources", "Sources"),
)
# Identifiers, and lists the "shows" section already spells out in words.
NOT_STATEMENTS = ("slug", "kind", "chapters", "related_conditions", "related_topics")


def _texts(value) -> list[str]:
    """Every piece of text in a value, in order (dict values in key order)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key in value for text in _texts(value[key])]
    if isinstance(value, list):
        return [text for child in value for text in _texts(child)]
    return []


def _named(entry: dict, name: str, text: str) -> str:
    return f"{entry.get(name, '')}. {entry.get(text, '')}" if isinstance(entry, dict) else str(entry)


def _care_sign(sign) -> str:
    if isinstance(sign, dict):  # a resolved shared warning sign: its words, not its record
        return str(sign.get("text") or " ".join(_texts(sign)))
    return str(sign)


def statements(content: dict) -> list[tuple[str, str]]:
    """(section, text) for every statement in canonical content, in reading order."""
    # Stored snapshots come back with sorted keys; sort the live content the same way so that
    # fields inside one value (an SMS's message and emergency sign) always pair up in a diff.
    content = json.loads(canonical_json(content))
    found: list[tuple[str, str]] = []
    keys = [key for key, _ in SECTIONS if key in content]
    keys += sorted(key for key in content if key not in dict(SECTIONS) and key not in NOT_STATEMENTS)
    labels = dict(SECTIONS)
    for key in keys:
        value = content[key]
        label = labels.get(key) or key.replace("_", " ").capitalize()
        if value in (None, "", []):
            continue
        if key == "care":
            for block in value:
                level = str(block.get("level", "")).capitalize()
                found += [(f"{label}: {level}", _care_sign(sign)) for sign in block.get("signs", [])]
        elif key in ("treatments",):
            found += [(label, _named(entry, "name", "description")) for entry in value]
        elif key in ("tests",):
            found += [(label, _named(entry, "name", "purpose")) for entry in value]
        elif key == "sections":
            for section in value:
                heading = section.get("heading", "Section")
                found += [(heading, text) for text in section.get("paragraphs", [])]
                found += [(heading, text) for text in section.get("items", [])]
        elif key == "shows":
            found += [(label, f"{entry['title']}: {entry['summary']}") for entry in value]
        elif key == "sources":
            found += [(label, ". ".join(str(entry[k]) for k in ("author", "title", "url") if entry.get(k)))
                      for entry in value]
        else:
            found += [(label, text) for text in _texts(value)]
    return found
