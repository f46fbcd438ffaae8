"""Translations across a project: which catalogues exist, extracting and counting them, and
what validate, lint and a release check in them.

Follows Sphinx's gettext workflow: extract from the English, translate in PO files, build
per language. The per-file work is in translations.py (PO files), translatable.py (which
fields), localize.py (applying a catalogue) and translation_checks.py (validate's rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_if_changed
from .diagnostics import ERROR, WARNING, Diagnostic, SourceProblems
from .loading import Document
from .locales import catalogue_language, is_catalogue_language, is_source, language
from .sources import _shown
from .translations import (LOCALES_DIR, TRANSLATED_KINDS, Catalogue, Counts, catalogue_path, counts,
                           load, merge, text_of)

# Rule ids of translation findings that stop a release (and that lint --release reports).
RELEASE_RULES = ("translation-fuzzy", "translation-unreviewed")
# The catalogue of fixed wording outside the sources, one per language folder.
INTERFACE_FILE = "interface.po"


@dataclass(frozen=True)
class CatalogueFile:
    """A *.po file under sources/locales/, and what it should translate."""

    language: str
    kind: str
    slug: str
    path: Path
    shown: str


def catalogue_files(project) -> list[CatalogueFile]:
    """Every PO file under sources/locales/, in a stable order (the interface catalogue is one
    with kind "interface")."""
    folder = project.sources_dir / LOCALES_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*.po")):
        parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in parts):
            continue
        if len(parts) == 3:
            found.append(CatalogueFile(parts[0], parts[1], path.name[:-3], path, _shown(path, project.root)))
        elif parts[1:] == (INTERFACE_FILE,):
            found.append(CatalogueFile(parts[0], "interface", "interface", path, _shown(path, project.root)))
    return found


def stray_files(project) -> list[Diagnostic]:
    """PO files where no catalogue belongs: a typo in a folder name would hide a translation."""
    folder = project.sources_dir / LOCALES_DIR
    found = []
    for path in sorted(folder.rglob("*.po")) if folder.is_dir() else ():
        parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in parts) or parts[-1] == INTERFACE_FILE and len(parts) == 2:
            continue
        shown = _shown(path, project.root)
        if len(parts) != 3 or parts[1] not in TRANSLATED_KINDS:
            found.append(Diagnostic(shown, 1, 1, WARNING, "not where a catalogue belongs: expected "
                                    f"{LOCALES_DIR}/<language>/<{'|'.join(TRANSLATED_KINDS)}>/<slug>.po"))
        elif not is_catalogue_language(parts[0]):
            found.append(Diagnostic(shown, 1, 1, WARNING, f"'{parts[0]}' is not a language to translate into "
                                    "(a lower-case language code such as 'es'; the sources are English)"))
    return found


def publisher_languages(documents: dict[str, dict[str, Document]]) -> set[str]:
    """Languages some publisher profile publishes in, besides the English of the sources."""
    found = set()
    for doc in documents.get("publishers", {}).values():
        tags = doc.data.get("locales")
        for tag in tags if isinstance(tags, list) else ():
            if isinstance(tag, str) and not is_source(tag):
                found.add(language(tag))
    return found


def languages(project, documents, only: str | None = None) -> list[str]:
    """The languages to work on: `only` ('es' or 'es-US'), else every publisher's and every
    language that already has a folder of catalogues."""
    if only:
        return [catalogue_language(only)]
    found = publisher_languages(documents)
    found |= {f.language for f in catalogue_files(project) if is_catalogue_language(f.language)}
    return sorted(found)


def translated_documents(documents):
    """(kind, slug, document) of every source that has catalogues, in a stable order."""
    for kind in TRANSLATED_KINDS:
        for slug, doc in sorted(documents.get(kind, {}).items()):
            yield kind, slug, doc


def _checked(project):
    """The project's sources, ledgers and catalogues; SourceProblems if a source has errors."""
    checked = project.gather()
    # Extracting from a broken source could retire good translations: fix the source first.
    # (A catalogue that cannot be read stops extract by itself, in _merged.)
    errors = [p for p in checked.problems if p.is_error and not in_catalogues(p)]
    if errors:
        raise SourceProblems(errors)
    return checked


def in_catalogues(problem: Diagnostic) -> bool:
    return problem.path.startswith(f"sources/{LOCALES_DIR}/")


def _english(doc: Document, kind: str) -> list[tuple[str, str, tuple[str, str]]]:
    from .translatable import translatable_texts

    return [(pointer, text, (doc.path, str(doc.locate(pointer).line)))
            for pointer, text in translatable_texts(doc.data, kind)]


def interface_english() -> list[tuple[str, str, tuple[str, str]]]:
    """(key, English, (file, line)) of every interface string, from the package's template."""
    from .interface import read_template

    return read_template()


def refresh_interface_template() -> bool:
    """Extract the marked strings into the template again, where the package can be written
    (a source checkout); returns whether it changed."""
    import os

    from .interface import TEMPLATE, extract_messages, template_text

    if not os.access(TEMPLATE.parent, os.W_OK):
        return False
    return write_if_changed(TEMPLATE, template_text(extract_messages()).encode("utf-8"))


def interface_path(project, lang: str) -> Path:
    return project.sources_dir / LOCALES_DIR / lang / INTERFACE_FILE


# --- extract and status -------------------------------------------------------------------


@dataclass(frozen=True)
class Extracted:
    language: str
    kind: str
    slug: str
    path: str  # as shown
    action: str  # "created", "updated" or "unchanged"
    counts: Counts
    reviewed: int = 0


def _merged(project, documents, only):
    """Every catalogue as extract would leave it: (language, kind, slug, path, shown, po, existed)."""
    plan, problems = [], []
    interface = interface_english()
    for lang in languages(project, documents, only):
        wanted = []
        for kind, slug, doc in translated_documents(documents):
            path = catalogue_path(project.sources_dir, lang, kind, slug)
            if kind == "publishers" and lang not in publisher_languages({kind: {slug: doc}}) and not path.exists():
                continue  # a profile's wording is translated only into the languages it publishes in
            wanted.append((kind, slug, path, _english(doc, kind), doc.path, True))
        if interface:
            wanted.append(("interface", "interface", interface_path(project, lang), interface,
                           "the interface strings in pipeline/", False))
        for kind, slug, path, english, source, pointers in wanted:
            shown = _shown(path, project.root)
            old = None
            if path.exists():
                try:
                    old, _ = load(path, shown, lang, pointers=pointers)
                except SourceProblems as exc:
                    problems += exc.diagnostics
                    continue
            po = merge(english, old, lang, source)
            plan.append((lang, kind, slug, path, shown, po, old is not None))
    if problems:
        # A catalogue that cannot be read is never overwritten: its translations would be lost.
        raise SourceProblems(problems)
    return plan


def extract(project, only: str | None = None) -> list[Extracted]:
    """Create or update the catalogue of every translated source, for every language.

    Nothing is written unless every source and every existing catalogue reads cleanly.
    """
    documents = _checked(project).documents
    refresh_interface_template()
    results = []
    for lang, kind, slug, path, shown, po, existed in _merged(project, documents, only):
        changed = write_if_changed(path, text_of(po).encode("utf-8"))
        action = "unchanged" if not changed else "updated" if existed else "created"
        results.append(Extracted(lang, kind, slug, shown, action, counts(po)))
    return results


# Kinds whose translations are signed off in the approvals ledger, item by item. A shared
# red flag's translation is approved with every condition that shows it (its words are in
# their fingerprints); the publisher's and the interface wording have no ledger yet.
APPROVED_KINDS = {"conditions": "condition", "topics": "topic", "guides": "guide"}


def approval_states(project, documents, catalogues: Catalogues, ledgers, lang: str, today: dt.date) -> dict:
    """(kind, slug) -> the sign-off state of each item's translation into `lang`, derived from
    the approvals ledger (records carry the language) for the words as translated now."""
    from .approvals import attach
    from .localize import locale_library

    publishers = documents.get("publishers", {})
    speaking = [slug for slug, doc in sorted(publishers.items()) if lang in publisher_languages({"publishers": {slug: doc}})]
    if not publishers or lang not in catalogues.by_language:
        return {}
    # The publisher only localizes its own wording, which no item's fingerprint includes.
    built = locale_library(documents, catalogues.of(lang), "", (speaking or sorted(publishers))[0], lang,
                           allow_partial=True, interface=interface_english(),
                           interface_catalogue=catalogues.interface.get(lang))
    library = attach(built.library, ledgers, today, lang)
    return {(folder, item.slug): item.approval for folder, mapping in
            (("conditions", library.conditions), ("topics", library.topics), ("guides", library.guides))
            for item in mapping.values()}


def reviewed_entries(kind: str, slug: str, catalogue_counts: Counts, states: dict) -> int:
    """Entries of a translation that a qualified medical translator approved: all translated
    ones when the item's approval for the language covers its words as they are now."""
    state = states.get((kind, slug))
    return catalogue_counts.translated if state is not None and state.in_force else 0


def status(project, only: str | None = None, today: dt.date | None = None) -> list[Extracted]:
    """How far every catalogue has come, counted as extract would leave it (an English edit
    not yet extracted already counts as fuzzy), and how much of it is approved. Writes nothing."""
    checked = _checked(project)
    documents = checked.documents
    states: dict[str, dict] = {}
    rows = []
    for lang, kind, slug, path, shown, po, existed in _merged(project, documents, only):
        if lang not in states:
            states[lang] = approval_states(project, documents, checked.catalogues, checked.ledgers, lang,
                                           today or dt.date.today())
        tally = counts(po)
        rows.append(Extracted(lang, kind, slug, shown, "exists" if existed else "missing", tally,
                              reviewed_entries(kind, slug, tally, states[lang])))
    return rows


# --- validate, lint, release ----------------------------------------------------------------


@dataclass
class Catalogues:
    """Every catalogue that reads cleanly, by language and (kind, slug), and each language's
    interface catalogue."""

    by_language: dict[str, dict[tuple[str, str], Catalogue]]
    files: list[CatalogueFile]
    interface: dict[str, Catalogue]

    def of(self, lang: str) -> dict[tuple[str, str], Catalogue]:
        return self.by_language.get(lang, {})


def read_all(project, documents, broken: set[str] = frozenset()) -> tuple[Catalogues, list[Diagnostic]]:
    """Read and check every catalogue against its source; problems are located in the PO files.

    A catalogue of a source with errors (paths in `broken`) is read but not compared with it.
    """
    from .translation_checks import catalogue_problems

    numbers = tuple(doc.data["emergency_number"] for doc in documents.get("publishers", {}).values()
                    if isinstance(doc.data.get("emergency_number"), str))
    files = catalogue_files(project)
    problems = stray_files(project)
    by_language: dict[str, dict[tuple[str, str], Catalogue]] = {}
    for file in files:
        if file.kind not in TRANSLATED_KINDS or not is_catalogue_language(file.language):
            continue
        try:
            _, catalogue = load(file.path, file.shown, file.language)
        except SourceProblems as exc:
            problems += exc.diagnostics
            continue
        doc = documents.get(file.kind, {}).get(file.slug)
        if doc is None:
            problems.append(Diagnostic(file.shown, 1, 1, WARNING,
                                       f"no source sources/{file.kind}/{file.slug}.yaml for this catalogue"))
            continue
        if doc.path in broken:
            continue
        problems += catalogue_problems(catalogue, doc, file.kind, numbers)
        by_language.setdefault(file.language, {})[(file.kind, file.slug)] = catalogue
    interface, interface_problems = _read_interface(project, numbers)
    return Catalogues(by_language, files, interface), problems + interface_problems


def _read_interface(project, numbers) -> tuple[dict[str, Catalogue], list[Diagnostic]]:
    from .translation_checks import against_english

    folder = project.sources_dir / LOCALES_DIR
    found, problems = {}, []
    english = {key: text for key, text, _ in interface_english()}
    for path in sorted(folder.glob(f"*/{INTERFACE_FILE}")) if folder.is_dir() else ():
        lang = path.parent.name
        if not is_catalogue_language(lang):
            continue
        try:
            _, catalogue = load(path, _shown(path, project.root), lang, pointers=False)
        except SourceProblems as exc:
            problems += exc.diagnostics
            continue
        problems += against_english(catalogue, english, "an interface string in pipeline/", numbers)
        found[lang] = catalogue
    return found, problems


def translation_findings(project, documents, catalogues: Catalogues, *, release: bool,
                         ledgers=None, today: dt.date | None = None) -> list[Diagnostic]:
    """Fuzzy entries (a warning; an error in a release) and, in a release, complete
    translations no medical translator has approved."""
    from .localize import localize

    def fuzzy(catalogue: Catalogue) -> None:
        for entry in catalogue.entries:
            if entry.fuzzy and entry.msgstr:
                found.append(catalogue.diagnostic(
                    entry, "fuzzy: the English changed since this was translated; check it and remove "
                           "the fuzzy flag", severity=ERROR if release else WARNING, rule="translation-fuzzy"))

    found: list[Diagnostic] = []
    states: dict[str, dict] = {}
    for lang, catalogue in sorted(catalogues.interface.items()):
        fuzzy(catalogue)
    for lang, table in sorted(catalogues.by_language.items()):
        for (kind, slug), catalogue in sorted(table.items()):
            fuzzy(catalogue)
            if not release or kind not in APPROVED_KINDS:
                continue
            if lang not in states:
                states[lang] = approval_states(project, documents, catalogues, ledgers or {}, lang,
                                               today or dt.date.today())
            doc = documents[kind][slug]
            localized = localize(doc.data, kind, catalogue)
            tally = Counts(localized.total, localized.total - len(localized.missing), len(localized.fuzzy),
                           len(localized.missing) - len(localized.fuzzy), catalogue.obsolete)
            if localized.complete and reviewed_entries(kind, slug, tally, states[lang]) < tally.translated:
                found.append(catalogue.diagnostic(
                    None, f"the {lang} translation of {kind[:-1]} '{slug}' is a draft: a qualified medical "
                          "translator has not approved it", rule="translation-unreviewed"))
    return found


def translation_lint(project, documents, catalogues: Catalogues, today: dt.date, release: bool,
                     emergency_numbers: tuple[str, ...], ledgers=None) -> tuple[list[Diagnostic], int]:
    """The lint rules about words, run on every translation (located at its msgstr lines),
    with the language's own jargon list and readability formula; returns (findings, jargon files)."""
    from .lint import LintContext, lint_documents, load_jargon
    from .localize import translated_document

    found: list[Diagnostic] = []
    jargon_files = 0
    for lang, table in sorted(catalogues.by_language.items()):
        jargon_path = project.sources_dir / f"jargon.{lang}.yaml"
        terms, problems = load_jargon(jargon_path, _shown(jargon_path, project.root))
        found += problems
        jargon_files += jargon_path.exists()
        ctx = LintContext(terms, emergency_numbers, today, release, language=lang)
        docs: dict[str, dict[str, Document]] = {}
        for (kind, slug), catalogue in table.items():
            doc = documents.get(kind, {}).get(slug)
            if doc is not None:
                docs.setdefault(kind, {})[slug] = translated_document(doc, kind, catalogue)
        found += lint_documents(docs, ctx, translated=True)
    found += translation_findings(project, documents, catalogues, release=release, ledgers=ledgers, today=today)
    return found, jargon_files


def in_languages(problem: Diagnostic, langs: set[str], sources_shown: str = "sources") -> bool:
    """Whether a problem is in the catalogues of one of `langs`."""
    return any(problem.path.startswith(f"{sources_shown}/{LOCALES_DIR}/{lang}/") for lang in langs)


# --- the content model per locale ---------------------------------------------------------------


def locale_build(project, documents, publisher: str, locale: str, *, allow_partial: bool = False,
                 catalogues: Catalogues | None = None):
    """The content model of one of a publisher's locales (see localize.locale_library); for
    the English locales, the sources as they are. Sign-off is not attached here (see
    project.Checked.locale_build)."""
    from .localize import LocaleBuild, locale_library
    from .sources import library_from_documents

    if is_source(locale):
        return LocaleBuild(locale, library_from_documents(documents), ())
    lang = language(locale)
    if catalogues is None:
        catalogues, _ = read_all(project, documents)
    folder = _shown(project.sources_dir / LOCALES_DIR / lang, project.root)
    if not catalogues.of(lang) and lang not in catalogues.interface and not allow_partial:
        return LocaleBuild(locale, None, (Diagnostic(
            folder, 1, 1, WARNING, f"{locale} is not built: nothing is translated into '{lang}' yet "
                                   f"('handouts i18n extract --locale {lang}' creates the catalogues)",
            "", "translation-incomplete"),))
    return locale_library(documents, catalogues.of(lang), folder, publisher, locale, allow_partial=allow_partial,
                          interface=interface_english(), interface_catalogue=catalogues.interface.get(lang))


# --- text messages per locale ---------------------------------------------------------------------


def sms_diagnostics(documents, catalogues: Catalogues, broken: set[str] = frozenset()) -> list[Diagnostic]:
    """Each translated text message must fit its locale's segment budget (the profile's
    `sms_budget`); the message names the characters that forced UCS-2. Located at the
    translation of /sms/message. Checked as soon as the message's own texts are translated,
    before the rest of the condition is."""
    from . import model
    from .formats.sms import compose
    from .localize import locale_library
    from .sms_encoding import encode

    if broken:
        return []  # a model cannot be built from sources with errors; they are reported first
    interface = interface_english()
    valid = documents
    found = []
    for slug, doc in sorted(valid.get("publishers", {}).items()):
        publisher = model.publisher_from_data(doc.data)
        for locale in publisher.locales:
            lang = language(locale)
            if is_source(locale) or lang not in catalogues.by_language:
                continue
            arguments = (valid, catalogues.of(lang), "", slug, locale)
            options = {"interface": interface, "interface_catalogue": catalogues.interface.get(lang)}
            if locale_library(*arguments, **options).library is None:
                continue  # the locale is not built at all; the build and status say why
            library = locale_library(*arguments, allow_partial=True, **options).library
            filled = library.for_publisher(library.publishers[slug])
            for condition_slug, condition in filled.conditions.items():
                untranslated = condition.translation.untranslated
                flag = condition.sms.red_flag
                if "/sms/message" in untranslated or flag and f"red-flags/{flag}/sms" in untranslated:
                    continue  # the message is not translated yet
                message = compose(condition, filled.publishers[slug], library.wording)
                cost = encode(message)
                budget = publisher.segment_budget(locale)
                if cost.segments <= budget:
                    continue
                forced = (" (UCS-2, forced by " + ", ".join(f"'{c}' (U+{ord(c):04X})" for c in cost.outside_gsm7)
                          + ")") if cost.outside_gsm7 else ""
                unit = "characters" if cost.outside_gsm7 else "septets"
                catalogue = catalogues.of(lang)[("conditions", condition_slug)]
                found.append(catalogue.diagnostic(
                    catalogue.by_pointer().get("/sms/message"),
                    f"SMS for publisher '{slug}' in {locale} is {cost.segments} segments, {cost.units} {unit}"
                    f"{forced}; the budget is {budget} (sms_budget in sources/publishers/{slug}.yaml)",
                    rule="sms-budget"))
    return found


# --- release ----------------------------------------------------------------------------------------


def release_translation(library, english, problems: list[Diagnostic], lang: str):
    """The part of a locale's library a release may publish, and the located reasons for what it
    leaves out: an item whose translation has a fuzzy entry or no approval (`problems`, from
    lint --release), a condition showing a shared red flag with a fuzzy entry, an item the
    English release leaves out, a guide with a chapter left out. A problem in the publisher's
    or the interface wording holds back the whole locale (returns None for the library)."""
    import dataclasses

    from .model import FrozenMap

    mine = [p for p in problems if in_languages(p, {lang})]
    prefix = f"sources/{LOCALES_DIR}/{lang}/"
    out: dict[tuple[str, str], Diagnostic] = {}
    for problem in mine:
        parts = problem.path[len(prefix):].split("/")
        if parts[0] in ("publishers", INTERFACE_FILE):
            return None, mine
        if len(parts) != 2:
            continue
        kind, slug = parts[0], parts[1][:-len(".po")]
        if kind in APPROVED_KINDS:
            out.setdefault((APPROVED_KINDS[kind], slug), problem)
        elif kind == "red-flags":
            for condition in library.conditions.values():
                shown = {i for block in condition.care for i in block.red_flags} | {condition.sms.red_flag}
                if slug in shown:
                    out.setdefault(("condition", condition.slug), problem)
    left_out = list(mine)
    # What the English release leaves out stays out in every language (it is named there).
    for kind, mapping, english_items in (("condition", library.conditions, english.conditions),
                                         ("topic", library.topics, english.topics),
                                         ("guide", library.guides, english.guides)):
        for slug in mapping:
            if slug not in english_items:
                out.setdefault((kind, slug), None)
    for slug, guide in library.guides.items():
        held = [ch.slug for ch in guide.chapters if (ch.kind, ch.slug) in out]
        if held and ("guide", slug) not in out:
            problem = Diagnostic(f"{prefix}guides/{slug}.po", 1, 1, ERROR,
                                 f"guide '{slug}' is left out of the '{lang}' release: its chapters "
                                 f"{', '.join(held)} are", "", "translation-chapter")
            out[("guide", slug)] = problem
            left_out.append(problem)
    kept = {kind: {s: i for s, i in mapping.items() if (kind, s) not in out}
            for kind, mapping in (("condition", library.conditions), ("topic", library.topics),
                                  ("guide", library.guides))}
    withheld = {(kind, slug): library.item(kind, slug) for kind, slug in out if kind != "guide"
                and slug in (library.conditions if kind == "condition" else library.topics)}
    if not any(kept.values()):
        return None, left_out
    return dataclasses.replace(library, conditions=FrozenMap(kept["condition"]), topics=FrozenMap(kept["topic"]),
                               guides=FrozenMap(kept["guide"]),
                               withheld=FrozenMap({**library.withheld, **withheld})), left_out


def translated_library(project, checked, lang: str):
    """The items whose translation into `lang` is complete and current, as a library (what an
    approval for that language fingerprints), and why others are missing; None when nothing
    can be built in the language."""
    from .localize import locale_library

    documents = checked.documents
    publishers = documents.get("publishers", {})
    speaking = [slug for slug, doc in sorted(publishers.items()) if lang in publisher_languages({"publishers": {slug: doc}})]
    if not publishers or lang not in checked.catalogues.by_language:
        return None, []
    folder = _shown(project.sources_dir / LOCALES_DIR / lang, project.root)
    built = locale_library(documents, checked.catalogues.of(lang), folder, (speaking or sorted(publishers))[0],
                           lang, interface=interface_english(),
                           interface_catalogue=checked.catalogues.interface.get(lang))
    return built.library, list(built.notices)


def catalogue_path_of(kind: str, slug: str, lang: str) -> str:
    """The catalogue of an item (kind "condition", "topic" or "guide") as messages name it."""
    folder = {singular: folder for folder, singular in APPROVED_KINDS.items()}[kind]
    return f"sources/{LOCALES_DIR}/{lang}/{folder}/{slug}.po"
