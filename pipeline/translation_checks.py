"""What `handouts validate` checks in a catalogue against its English source: every entry
still stands for a field, and a translation keeps the source's placeholders, emergency
numbers and web addresses, and fits the field's schema."""

from __future__ import annotations

import re
from collections import Counter

from .diagnostics import WARNING, Diagnostic
from .loading import Document
from .localize import localize, translated_document
from .terms import placeholders
from .translatable import translatable_texts
from .translations import Catalogue, Entry
from .validation import schema_diagnostics

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+")
# Emergency numbers people may paste in from elsewhere (lint.KNOWN_EMERGENCY_NUMBERS says why).
EMERGENCY_NUMBERS = ("911", "999", "112", "111", "000", "119", "110")


def _placeholders(text: str) -> Counter:
    # {Physio} and {physio} are the same word (capitalised at a sentence start), which may
    # move to another place in the sentence in another language.
    return Counter("{" + name[:1].lower() + name[1:] + "}" for name in placeholders(text))


def _urls(text: str) -> Counter:
    # A sentence's full stop or comma after an address is not part of it.
    return Counter(url.rstrip(".,;:!?)»”") for url in URL.findall(text))


def _numbers(text: str, numbers: tuple[str, ...]) -> Counter:
    pattern = re.compile(rf"(?<![\d-])({'|'.join(sorted(set(numbers), key=len, reverse=True))})(?![\d-])")
    return Counter(pattern.findall(text))


def _difference(what: str, source: Counter, translation: Counter) -> str | None:
    if source == translation:
        return None
    lost = sorted((source - translation).elements())
    added = sorted((translation - source).elements())
    parts = ([f"missing {', '.join(lost)}"] if lost else []) + ([f"not in the English: {', '.join(added)}"] if added else [])
    return f"{what} must match the English ({'; '.join(parts)})"


def entry_problems(catalogue: Catalogue, entry: Entry, numbers: tuple[str, ...]) -> list[Diagnostic]:
    """A translation keeps every placeholder, emergency number and web address of its msgid."""
    if not entry.msgstr:
        return []
    found = []
    for what, measure in (("placeholders", _placeholders),
                          ("emergency numbers", lambda t: _numbers(t, numbers)),
                          ("web addresses", _urls)):
        message = _difference(what, measure(entry.msgid), measure(entry.msgstr))
        if message:
            found.append(catalogue.diagnostic(entry, message, rule="translation"))
    return found


def catalogue_problems(catalogue: Catalogue, doc: Document, kind: str,
                       numbers: tuple[str, ...] = ()) -> list[Diagnostic]:
    """Every problem of one catalogue against the source it translates."""
    english = dict(translatable_texts(doc.data, kind))
    found = against_english(catalogue, english, f"a translatable field of {doc.path}", numbers)
    return found + _schema_problems(catalogue, doc, kind)


def against_english(catalogue: Catalogue, english: dict[str, str], what: str,
                    numbers: tuple[str, ...] = ()) -> list[Diagnostic]:
    """Entries that no longer stand for an English text (`english`: msgctxt -> text), and
    translations that lose a placeholder, an emergency number or a web address."""
    numbers = tuple(set(EMERGENCY_NUMBERS) | set(numbers))
    found: list[Diagnostic] = []
    for entry in catalogue.entries:
        if entry.pointer not in english:
            found.append(catalogue.diagnostic(
                entry, f"msgctxt {entry.pointer!r} is no longer {what}; "
                       "run 'handouts i18n extract' (it becomes obsolete)", at="start", severity=WARNING))
            continue
        if entry.msgid != english[entry.pointer]:
            found.append(catalogue.diagnostic(
                entry, f"the English of {entry.pointer} changed since this entry was extracted; "
                       "run 'handouts i18n extract' (the translation becomes fuzzy)", at="msgid", severity=WARNING))
        found += entry_problems(catalogue, entry, numbers)
    return found


def _schema_problems(catalogue: Catalogue, doc: Document, kind: str) -> list[Diagnostic]:
    """The translated source must still fit its schema (lengths, forms), each problem at the
    msgstr line of the translation that breaks it."""
    missing = set(localize(doc.data, kind, catalogue, written=True).missing)
    translated = {pointer for pointer, _ in translatable_texts(doc.data, kind)} - missing
    as_translated = translated_document(doc, kind, catalogue, fill=None)
    return [problem for problem in schema_diagnostics(as_translated, kind) if problem.pointer in translated]
