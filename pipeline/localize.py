"""The content model in another language: each catalogue applied to its source's data by JSON
Pointer before the model is built, so renderers never know that a text was translated.

An item whose translation is incomplete (an entry untranslated, fuzzy, or made from English
that has since changed) is left out of that locale, with a message naming the item, the
locale and the count. Only a preview (`allow_partial`) builds it, keeping the English for the
missing values and recording them on the model (`Translation.untranslated`) so that every
format can show a banner: a handout never mixes languages silently.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from . import model
from .diagnostics import WARNING, Diagnostic
from .loading import Document, Position
from .locales import SOURCE_LANGUAGE, is_source
from .translatable import translatable_texts
from .translations import Catalogue

# Items of the content model, by kind; publishers are localized too (their care headings).
ITEM_KINDS = ("conditions", "topics", "guides")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def set_pointer(data, pointer: str, value) -> None:
    """Replace the value at a JSON Pointer (which must exist) in nested dicts and lists."""
    *parents, last = [unescape_pointer_token(t) for t in pointer.split("/")[1:]]
    for token in parents:
        data = data[int(token)] if isinstance(data, list) else data[token]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


@dataclass(frozen=True)
class Localized:
    """A source's data in one language, and which values have no usable translation."""

    data: dict
    missing: tuple[str, ...]  # untranslated, fuzzy, or translated from English that changed
    fuzzy: tuple[str, ...]  # of those, the ones marked fuzzy
    total: int  # translatable values in the source

    @property
    def complete(self) -> bool:
        return not self.missing


def localize(data: dict, kind: str, catalogue: Catalogue | None, *, fill: str | None = None,
             written: bool = False, mark_english: str | None = None) -> Localized:
    """`data` with every translatable value replaced by its translation.

    A value without a usable translation keeps its English, or becomes `fill` when one is
    given (lint passes "" so that English is never measured as Spanish); a preview passes the
    tag of that English as `mark_english` to keep it marked (model.InEnglish). With `written`,
    every translation a translator wrote is used, fuzzy or made from older English too: what
    lint and the schema check judge are the words as written.
    """
    entries = catalogue.by_pointer() if catalogue else {}
    result = copy.deepcopy(data)
    missing, fuzzy = [], []
    texts = translatable_texts(data, kind)
    for pointer, english in texts:
        entry = entries.get(pointer)
        # A translation counts only for the English it was made from.
        if entry is not None and (entry.translated and entry.msgid == english or written and entry.msgstr):
            set_pointer(result, pointer, entry.msgstr)
            continue
        missing.append(pointer)
        if entry is not None and entry.fuzzy and entry.msgstr:
            fuzzy.append(pointer)
        if fill is not None:
            set_pointer(result, pointer, fill)
        elif mark_english:
            set_pointer(result, pointer, model.InEnglish(english, mark_english))
    return Localized(result, tuple(missing), tuple(fuzzy), len(texts))


def translated_document(doc: Document, kind: str, catalogue: Catalogue, *, fill: str | None = "") -> Document:
    """The source as its translation reads, located in the PO file: what lint checks per locale.

    Each value is placed at its entry's msgstr line, and a part of the source (a section) at
    the first entry inside it. Every written translation is used, even a fuzzy one; values
    without one are `fill` (empty by default, so English is never measured as if it were the
    other language; None keeps the English).
    """
    localized = localize(doc.data, kind, catalogue, fill=fill, written=True)
    lines = {entry.pointer: entry.msgstr_line for entry in catalogue.entries}

    def position(pointer: str) -> Position:
        if pointer in lines:
            return Position(lines[pointer], 1)
        inside = [line for entry, line in lines.items() if entry.startswith(pointer + "/")]
        return Position(min(inside) if inside else 1, 1)

    positions = {pointer: position(pointer) for pointer in doc.positions}
    return Document(catalogue.path, localized.data, positions, dict(positions))


@dataclass(frozen=True)
class LocaleBuild:
    """One locale's content model, and what was left out of it and why."""

    locale: str
    library: model.Library | None  # None when the publisher's own wording is not translated
    notices: tuple[Diagnostic, ...]


def _describe(localized: Localized) -> str:
    fuzzy = f", {len(localized.fuzzy)} of them fuzzy" if localized.fuzzy else ""
    return f"{len(localized.missing)} of {localized.total} texts not translated{fuzzy}"


def wording(interface: list[tuple[str, str, object]], catalogue: Catalogue | None, locale: str,
            *, allow_partial: bool = False) -> tuple[model.Wording, tuple[str, ...]]:
    """The interface strings of a locale from its catalogue, and the keys with no usable
    translation (kept in English, and listed on the Wording, only when `allow_partial`)."""
    entries = catalogue.by_pointer() if catalogue else {}
    translations, missing = {}, []
    for key, english, _ in interface:
        entry = entries.get(key)
        if entry is not None and entry.translated and entry.msgid == english:
            translations[key] = entry.msgstr
        else:
            missing.append(key)
    untranslated = tuple(missing) if allow_partial else ()
    return model.Wording(locale, model.frozen_mapping(translations), untranslated), tuple(missing)


def _some(keys, shown: int = 3) -> str:
    """A few keys, and how many more: a message stays one readable line."""
    more = len(keys) - shown
    return ", ".join(keys[:shown]) + (f" and {more} more" if more > 0 else "")


def locale_library(documents: dict[str, dict[str, Document]], catalogues: dict[tuple[str, str], Catalogue],
                   folder: str, publisher: str, locale: str, *, allow_partial: bool = False,
                   interface: list[tuple[str, str, object]] = (), interface_catalogue: Catalogue | None = None
                   ) -> LocaleBuild:
    """The model of every item whose translation into `locale` is complete (every item, with
    English marked, when `allow_partial`).

    `catalogues` maps (kind, slug) to a catalogue of this locale's language, all of them under
    `folder` (as shown in messages, for example "sources/locales/es"); `interface` lists the
    interface strings (key, English, where) that `interface_catalogue` translates.
    """
    notices: list[Diagnostic] = []
    words, missing_words = wording(interface, interface_catalogue, locale, allow_partial=allow_partial)
    if missing_words and not allow_partial:
        where = interface_catalogue.path if interface_catalogue else f"{folder}/interface.po"
        notices.append(Diagnostic(where, 1, 1, WARNING, f"{locale} is not built: {len(missing_words)} of "
                                  f"{len(interface)} interface strings not translated ({_some(missing_words)})",
                                  "", "translation-incomplete"))
        return LocaleBuild(locale, None, tuple(notices))
    # In a preview, the English kept in the gaps is marked with its language: the publisher's
    # primary locale, whose words fill its {placeholders}.
    primary = documents["publishers"][publisher].data.get("locale")
    mark = (primary if isinstance(primary, str) and is_source(primary) else SOURCE_LANGUAGE) if allow_partial else None
    localized: dict[str, dict[str, Localized]] = {}
    for kind in ITEM_KINDS:
        localized[kind] = {slug: localize(doc.data, kind, catalogues.get((kind, slug)), mark_english=mark)
                           for slug, doc in documents.get(kind, {}).items()}
    localized["publishers"] = {publisher: localize(documents["publishers"][publisher].data, "publishers",
                                                   catalogues.get(("publishers", publisher)), mark_english=mark)}

    def where(kind: str, slug: str) -> str:
        catalogue = catalogues.get((kind, slug))
        return catalogue.path if catalogue else f"{folder}/{kind}/{slug}.po"

    def notice(kind: str, slug: str, message: str) -> None:
        notices.append(Diagnostic(where(kind, slug), 1, 1, WARNING, message, "", "translation-incomplete"))

    profile = localized["publishers"][publisher]
    if not profile.complete and not allow_partial:
        notice("publishers", publisher, f"{locale} is not built: the publisher's own wording "
                                        f"(care headings, terms and feedback line) has {_describe(profile)}")
        return LocaleBuild(locale, None, tuple(notices))

    # Shared red flags first: a condition shows their texts, so it is complete only if they are.
    flags = {flag_id: localize(doc.data, "red-flags", catalogues.get(("red-flags", flag_id)), mark_english=mark)
             for flag_id, doc in documents.get("red-flags", {}).items()}
    red_flags = model.frozen_mapping({flag_id: model.red_flag_from_data(item.data) for flag_id, item in flags.items()})

    untouched = []  # items nobody has started translating: one message for all of them
    built: dict[str, dict] = {}
    for kind in ITEM_KINDS:
        built[kind] = {}
        for slug, item in localized[kind].items():
            translation = model.Translation(locale, item.missing if allow_partial else ())
            if kind == "conditions":
                candidate = model.condition_from_data(item.data, red_flags, translation)
                shown = dict.fromkeys([i for block in candidate.care for i in block.red_flags]
                                      + ([candidate.sms.red_flag] if candidate.sms.red_flag else []))
                flags_missing = [i for i in shown if not flags[i].complete]
                if allow_partial and flags_missing:
                    candidate = dataclasses.replace(candidate, translation=model.Translation(
                        locale, translation.untranslated + tuple(
                            f"red-flags/{i}{pointer}" for i in flags_missing for pointer in flags[i].missing)))
            else:
                candidate, flags_missing = model.BUILDERS[kind](item.data, translation), []
            if (item.complete and not flags_missing) or allow_partial:
                built[kind][slug] = candidate
            elif not item.complete and ((kind, slug) not in catalogues or len(item.missing) == item.total):
                untouched.append(slug)
            else:
                because = [_describe(item)] if not item.complete else []
                because += [f"shared red flags not translated: {', '.join(flags_missing)}"] if flags_missing else []
                notice(kind, slug, f"{kind[:-1]} '{slug}' is not built in {locale}: {'; '.join(because)} "
                                   "(handouts i18n status)")
    # A guide needs every chapter in the same language.
    for slug, guide in sorted(built["guides"].items()):
        absent = [ch.slug for ch in guide.chapters if ch.slug not in built[ch.kind + "s"]]
        if absent:
            del built["guides"][slug]
            notice("guides", slug, f"guide '{slug}' is not built in {locale}: chapters not translated: "
                                   f"{', '.join(absent)}")
    if untouched:
        notices.append(Diagnostic(folder, 1, 1, WARNING,
                                  f"{len(untouched)} item{'s' if len(untouched) != 1 else ''} not built in {locale}, "
                                  f"no translation yet: {', '.join(sorted(untouched))}", "", "translation-incomplete"))

    def linked_within(item):
        # A page links only to pages in its own language.
        return dataclasses.replace(
            item, related_conditions=tuple(s for s in item.related_conditions if s in built["conditions"]),
            related_topics=tuple(s for s in item.related_topics if s in built["topics"]))

    library = model.Library(
        conditions=model.frozen_mapping({s: linked_within(c) for s, c in built["conditions"].items()}),
        topics=model.frozen_mapping({s: linked_within(t) for s, t in built["topics"].items()}),
        guides=model.frozen_mapping(built["guides"]),
        publishers=model.frozen_mapping({publisher: model.publisher_from_data(profile.data)}),
        red_flags=red_flags,
        wording=words,
    )
    return LocaleBuild(locale, library, tuple(notices))
