"""Which values of a source a translator translates: those whose schema says "x-translatable".

The schemas are the one place that knows what a field holds, so they mark the text-bearing
definitions (common.schema.json's `text` and `title`, the SMS wording, the care headings)
with `"x-translatable": true`; a property can opt out with false next to its `$ref` (a
publisher's name). Slugs, levels, dates, addresses, references and review records are never
marked, so they can never be translated.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Iterator

from referencing import Registry, Resource

from .loading import escape_pointer_token
from .validation import SCHEMA_DIR, SCHEMA_FOR_KIND

KEYWORD = "x-translatable"


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def _root(kind: str):
    name = SCHEMA_FOR_KIND[kind]
    registry = _registry()
    uri = next(uri for uri in registry if uri.endswith("/" + name))
    return registry.contents(uri), registry.resolver(uri)


def _views(schema, resolver, seen=0):
    """The schema and every schema it stands for through $ref and allOf, outermost first."""
    if not isinstance(schema, dict) or seen > 20:
        return
    yield schema, resolver
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        yield from _views(resolved.contents, resolved.resolver, seen + 1)
    for part in schema.get("allOf", ()):
        yield from _views(part, resolver, seen + 1)


def _marked(views) -> bool:
    # The outermost explicit mark wins, so a property can opt out of a translatable definition.
    for schema, _ in views:
        if KEYWORD in schema:
            return schema[KEYWORD] is True
    return False


def _property(schema: dict, resolver, key: str):
    """The schema of an object's member `key`: a named property, else a matching pattern."""
    if isinstance(schema.get("properties"), dict) and key in schema["properties"]:
        return schema["properties"][key], resolver
    for pattern, sub in (schema.get("patternProperties") or {}).items():
        if re.search(pattern, key):
            return sub, resolver
    return None


def _walk(value, schema, resolver, pointer: str) -> Iterator[tuple[str, str]]:
    views = list(_views(schema, resolver))
    if isinstance(value, str):
        if _marked(views):
            yield pointer, value
    elif isinstance(value, dict):
        for key, child in value.items():
            sub = next((found for s, r in views if (found := _property(s, r, key)) is not None), None)
            if sub is not None:
                yield from _walk(child, *sub, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(value, list):
        sub = next(((s["items"], r) for s, r in views if isinstance(s.get("items"), dict)), None)
        if sub is not None:
            for index, child in enumerate(value):
                yield from _walk(child, *sub, f"{pointer}/{index}")


def translatable_texts(data: dict, kind: str) -> list[tuple[str, str]]:
    """(JSON Pointer, English text) of every translatable value in a source, in file order."""
    if kind not in SCHEMA_FOR_KIND:
        return []
    schema, resolver = _root(kind)
    return list(_walk(data, schema, resolver, ""))


def translatable_pointers(data: dict, kind: str) -> set[str]:
    return {pointer for pointer, _ in translatable_texts(data, kind)}
