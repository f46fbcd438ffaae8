"""Checking loaded sources: first each file against its JSON Schema, then the rules between files."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from functools import lru_cache
from typing import Iterable
from urllib.parse import urlsplit

import jsonschema
from referencing import Registry, Resource

from .diagnostics import ERROR, Diagnostic
from .loading import Document, escape_pointer_token
from .toolchain import SCHEMA_DIR  # the one copy of the schemas, which builds also hash

# Folders of sources/, one file per item.
KINDS = ("conditions", "topics", "guides", "publishers", "red-flags", "words")
# Single files at the top of sources/, by kind.
SINGLE_FILES = {"hazard-log": "hazard-log.yaml"}
SCHEMA_FOR_KIND = {
    "conditions": "condition.schema.json",
    "topics": "topic.schema.json",
    "guides": "guide.schema.json",
    "publishers": "publisher.schema.json",
    "red-flags": "red-flag.schema.json",
    "words": "words.schema.json",
    "hazard-log": "hazard-log.schema.json",
    "jargon": "jargon.schema.json",
    "approvals": "approvals.schema.json",
}
# The field that must equal the file name, by kind.
NAME_FIELD = {"red-flags": "id", "words": "locale"}
SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=\S+\.schema\.json\s*$")
MAX_REVIEW_YEARS = 3
# Review fields that sources typed before sign-off was derived from the approvals ledger.
TYPED_SIGN_OFF = ("status", "approved_by", "approved_on")
LINK_SCHEMES = ("https", "http", "mailto", "tel")


def _is_uri(value: object) -> bool:
    """A link we are willing to publish: https/http with a host, or mailto/tel with a target."""
    if not isinstance(value, str):
        return True
    if any(ch.isspace() for ch in value):
        return False
    parts = urlsplit(value)
    if parts.scheme not in LINK_SCHEMES:
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.hostname)
    return bool(parts.path)


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=("date",))
    checker.checks("uri")(_is_uri)
    return checker


@lru_cache(maxsize=None)
def _validators() -> dict[str, jsonschema.protocols.Validator]:
    resources = []
    schemas = {}
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
        schemas[path.name] = schema
    registry = Registry().with_resources(resources)
    checker = _format_checker()
    return {
        kind: jsonschema.Draft202012Validator(schemas[name], registry=registry, format_checker=checker)
        for kind, name in SCHEMA_FOR_KIND.items()
    }


def _pointer(path: Iterable) -> str:
    return "".join(f"/{escape_pointer_token(part)}" for part in path)


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def schema_diagnostics(doc: Document, kind: str) -> list[Diagnostic]:
    """Every schema problem in one document, each at the line of the field it is about."""
    found: list[Diagnostic] = []
    for error in _validators()[kind].iter_errors(doc.data):
        found += _error_diagnostics(doc, error)
    return found


def _closest_alternative(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The errors of the alternative (of an anyOf or oneOf) that the value was most likely meant to be:
    the one whose fields it shares most. "url is missing" helps; "not valid under any" does not."""
    groups: dict[int, list] = {}
    for sub in error.context:
        groups.setdefault(sub.relative_schema_path[0], []).append(sub)
    if not groups or not isinstance(error.instance, dict):
        return []

    def shared(index: int) -> int:
        return len(set(error.validator_value[index].get("properties", {})) & set(error.instance))

    return groups[max(groups, key=shared)]


def _error_diagnostics(doc: Document, error: jsonschema.ValidationError) -> list[Diagnostic]:
    """One schema error as diagnostics, worded for the person who edits the file."""
    pointer = _pointer(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        found = []
        for key in error.instance:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            found.append(doc.diagnostic(f"{pointer}/{escape_pointer_token(key)}",
                                        f"unknown field '{key}'{suggestion}", key=True))
        return found
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [doc.diagnostic(pointer, f"missing required field '{missing}'")]
    if error.validator in ("anyOf", "oneOf") and all(set(alt) == {"required"} for alt in error.validator_value):
        names = " or ".join(f"'{alt['required'][0]}'" for alt in error.validator_value)
        return [doc.diagnostic(pointer, f"needs {'exactly one of ' if error.validator == 'oneOf' else ''}{names}")]
    if error.validator in ("anyOf", "oneOf") and error.context:
        closest = _closest_alternative(error)
        if closest:
            return [d for sub in closest for d in _error_diagnostics(doc, sub)]
    if error.validator in ("minProperties", "maxProperties") and isinstance(error.instance, dict):
        allowed = " or ".join(f"'{k}'" for k in error.schema.get("properties", {}))
        return [doc.diagnostic(pointer, f"needs exactly one of {allowed}")]
    if error.validator == "pattern":
        return [doc.diagnostic(pointer, f"{_short(error.instance)} is not in the expected form: "
                                        f"{_pattern_help(error.schema)}")]
    message = error.message
    # jsonschema starts most messages with the whole value; a long one drowns the point.
    full = repr(error.instance)
    if message.startswith(full) and len(full) > 60:
        message = _short(error.instance) + message[len(full):]
    return [doc.diagnostic(pointer, message)]


def jargon_diagnostics(doc: Document) -> list[Diagnostic]:
    """The jargon list is data too: checked against its schema before lint trusts it."""
    return schema_diagnostics(doc, "jargon")


def _pattern_help(schema: dict) -> str:
    return schema.get("description", f"must match {schema.get('pattern')}").rstrip(".")


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def review_diagnostics(doc: Document, pointer: str = "/review") -> list[Diagnostic]:
    review = doc.data.get("review")
    if not isinstance(review, dict):
        return []
    found = []
    last, nxt = _date(review.get("last_reviewed")), _date(review.get("next_review"))
    if last and nxt:
        if nxt <= last:
            found.append(doc.diagnostic(f"{pointer}/next_review",
                                        f"next review {nxt} must come after the last review {last}"))
        elif nxt > add_years(last, MAX_REVIEW_YEARS):
            found.append(doc.diagnostic(
                f"{pointer}/next_review",
                f"next review {nxt} is more than {MAX_REVIEW_YEARS} years after the last review {last}"))
    for key in TYPED_SIGN_OFF:
        if key in review:
            found.append(doc.diagnostic(
                f"{pointer}/{key}",
                f"'{key}' is no longer typed in a source: clinical sign-off is derived from the approvals "
                f"ledger. Remove it, and have the reviewing clinician run "
                f"'handouts approve {doc.data.get('slug', 'SLUG')} --by \"Name, credential\"'", key=True))
    return found


def file_diagnostics(doc: Document, kind: str, stem: str, first_line: str) -> list[Diagnostic]:
    """Rules about one file that its schema cannot say."""
    found = []
    if not SCHEMA_COMMENT.match(first_line):
        up = "../" if kind in SINGLE_FILES else "../../"
        found.append(Diagnostic(doc.path, 1, 1, ERROR,
                                f"first line must be '# yaml-language-server: $schema={up}schemas/"
                                f"{SCHEMA_FOR_KIND[kind]}' so editors check the file"))
    if kind in SINGLE_FILES:
        return found
    name_field = NAME_FIELD.get(kind, "slug")
    slug = doc.data.get(name_field)
    if isinstance(slug, str) and slug != stem:
        found.append(doc.diagnostic(f"/{name_field}", f"{name_field} '{slug}' must match the file name '{stem}.yaml'"))
    found += review_diagnostics(doc)
    if kind == "conditions":
        found += _condition_rules(doc)
    if kind == "publishers":
        found += _publisher_rules(doc)
    return found


def _condition_rules(doc: Document) -> list[Diagnostic]:
    found = []
    care = doc.data.get("care")
    levels = [block.get("level") for block in care if isinstance(block, dict)] if isinstance(care, list) else []
    for index, level in enumerate(levels):
        if level in levels[:index]:
            found.append(doc.diagnostic(f"/care/{index}/level", f"care level '{level}' appears twice"))
    order = ["emergency", "urgent", "routine"]
    known = [lvl for lvl in levels if lvl in order]
    if known != sorted(known, key=order.index):
        found.append(doc.diagnostic("/care", "care blocks must go from most to least urgent: emergency, urgent, routine"))
    return found


def _publisher_rules(doc: Document) -> list[Diagnostic]:
    found = []
    number = doc.data.get("emergency_number")
    heading = (doc.data.get("care_headings") or {}).get("emergency")
    if isinstance(number, str) and isinstance(heading, str) and number not in heading:
        found.append(doc.diagnostic("/care_headings/emergency",
                                    f"the emergency heading must name the emergency number {number}"))
    return found + _locale_rules(doc)


def _locale_rules(doc: Document) -> list[Diagnostic]:
    from .locales import language

    primary, locales = doc.data.get("locale"), doc.data.get("locales")
    if not isinstance(primary, str) or not isinstance(locales, list) or not all(isinstance(t, str) for t in locales):
        return []
    found = []
    if locales and locales[0] != primary:
        found.append(doc.diagnostic("/locales/0", f"the primary locale '{primary}' must come first in 'locales'"))
    seen: dict[str, str] = {}
    for index, tag in enumerate(locales):
        # Each other locale's outputs go in a folder named by its language (es/html/...).
        if language(tag) in seen and seen[language(tag)] != tag:
            found.append(doc.diagnostic(f"/locales/{index}", f"'{tag}' speaks the same language as "
                                                             f"'{seen[language(tag)]}'; one locale per language"))
        seen.setdefault(language(tag), tag)
    budget = doc.data.get("sms_budget")
    for tag in budget if isinstance(budget, dict) else ():
        if tag not in locales:
            found.append(doc.diagnostic(f"/sms_budget/{escape_pointer_token(tag)}",
                                        f"'{tag}' is not one of the publisher's locales {locales}", key=True))
    return found


def reference_diagnostics(documents: dict[str, dict[str, Document]]) -> list[Diagnostic]:
    """Every slug that one source names must exist as a file of the right kind."""
    found = []

    def check(doc: Document, pointer: str, kind: str, slug: object) -> None:
        if isinstance(slug, str) and slug not in documents[kind]:
            singular = kind[:-1]
            hint = difflib.get_close_matches(slug, list(documents[kind]), n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            found.append(doc.diagnostic(
                pointer, f"unknown {singular} '{slug}': no file sources/{kind}/{slug}.yaml{suggestion}"))

    for kind in ("conditions", "topics"):
        for slug, doc in documents[kind].items():
            related = doc.data.get("related")
            if not isinstance(related, dict):
                continue
            for target in ("conditions", "topics"):
                for index, ref in enumerate(related.get(target) or []):
                    check(doc, f"/related/{target}/{index}", target, ref)
                    if ref == slug and target == kind:
                        found.append(doc.diagnostic(f"/related/{target}/{index}", "a source cannot be related to itself"))
    for slug, doc in documents["conditions"].items():
        for index, ref in enumerate(doc.data.get("may_be_mistaken_for") or []):
            check(doc, f"/may_be_mistaken_for/{index}", "conditions", ref)
            if ref == slug:
                found.append(doc.diagnostic(f"/may_be_mistaken_for/{index}",
                                            "a condition cannot be mistaken for itself"))
    found += _reference_uniqueness(documents)
    for doc in documents["guides"].values():
        seen: dict[tuple, int] = {}
        for index, chapter in enumerate(doc.data.get("chapters") or []):
            if not isinstance(chapter, dict) or len(chapter) != 1:
                continue
            (kind_key, ref), = chapter.items()
            if kind_key not in ("condition", "topic"):
                continue
            check(doc, f"/chapters/{index}/{kind_key}", kind_key + "s", ref)
            if (kind_key, ref) in seen:
                found.append(doc.diagnostic(f"/chapters/{index}/{kind_key}",
                                            f"{kind_key} '{ref}' is already chapter {seen[(kind_key, ref)] + 1}"))
            seen.setdefault((kind_key, ref), index)
    return found


def _reference_uniqueness(documents: dict[str, dict[str, Document]]) -> list[Diagnostic]:
    """A leaflet reference names one item for good: two sources may not share one."""
    found = []
    first: dict[str, Document] = {}
    for kind in ("conditions", "topics", "guides"):
        for doc in documents[kind].values():
            reference = doc.data.get("reference")
            if not isinstance(reference, str):
                continue
            if reference in first:
                other = first[reference]
                line = other.locate("/reference").line
                found.append(doc.diagnostic("/reference", f"reference '{reference}' is already used by "
                                                          f"{other.path}:{line}; each item needs its own"))
            else:
                first[reference] = doc
    return found


# Sources whose texts may hold {placeholders}, filled per publisher.
PLACEHOLDER_KINDS = ("conditions", "topics", "guides", "red-flags")


def _strings(value, pointer: str = ""):
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, f"{pointer}/{index}")


def placeholder_diagnostics(documents: dict[str, dict[str, Document]]) -> list[Diagnostic]:
    """Every {placeholder} in a text names a term that every publisher profile defines."""
    from .terms import placeholders, term_for

    profiles = {slug: (doc.data.get("terms") if isinstance(doc.data.get("terms"), dict) else {})
                for slug, doc in documents["publishers"].items()}
    defined = sorted({name for terms in profiles.values() for name in terms})
    found = []
    for kind in PLACEHOLDER_KINDS:
        for doc in documents[kind].values():
            for pointer, text in _strings(doc.data):
                if "{" not in text:
                    continue
                # Other braces are shown as they are written: only {name} is ever replaced.
                for name in dict.fromkeys(placeholders(text)):
                    lacking = [slug for slug, terms in profiles.items() if term_for(name, terms) is None]
                    if not lacking:
                        continue
                    if len(lacking) == len(profiles):
                        hint = difflib.get_close_matches(name[:1].lower() + name[1:], defined, n=1)
                        suggestion = f" (did you mean '{{{hint[0]}}}'?)" if hint else ""
                        found.append(doc.diagnostic(pointer, f"unknown placeholder '{{{name}}}': no publisher "
                                                             f"profile defines the term '{name}'{suggestion}"))
                    else:
                        for slug in lacking:
                            found.append(doc.diagnostic(
                                pointer, f"placeholder '{{{name}}}' has no term in publisher profile '{slug}' "
                                         f"(add it under 'terms' in sources/publishers/{slug}.yaml)"))
    return found
