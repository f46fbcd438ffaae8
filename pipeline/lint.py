"""Content quality rules a schema cannot check: plain language, jargon, care levels, governance.

Each rule is a function from one loaded source to diagnostics, named by its rule id, so
that a message says which rule fired and the rule can be tested on its own. The clinical
safety rules live in safety_rules.py and register here too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Mapping

from .diagnostics import ERROR, WARNING, Diagnostic, SourceProblems
from .loading import Document, load_document
from . import readability, readability_es
from .readability import grade

GRADE_ERROR, GRADE_WARNING = 8.0, 6.0
# Spanish: Fernández-Huerta reading ease (Flesch's scale): the target is "fairly easy" (70) or
# easier, so below it is a warning; "fairly difficult" (under 60) is an error. On Flesch's own
# table 60 to 70 reads at US grades 8 to 9, where the English rule's error begins (grade 8).
EASE_ERROR, EASE_WARNING = 60.0, 70.0
SENTENCE_ERROR, SENTENCE_WARNING = 25, 20
PARAGRAPH_SENTENCES = 3
# Emergency numbers people may paste in from elsewhere; the only place for one is the
# publisher profile, which knows which country it is for.
KNOWN_EMERGENCY_NUMBERS = ("911", "999", "112", "111", "000", "119", "110")
LINK_LIKE = re.compile(r"https?://|www\.|\S+@\S+\.\S+|\.(com|org|net|uk|example)\b", re.I)


@dataclass(frozen=True)
class JargonTerm:
    term: str
    plain: tuple[str, ...]  # any of these, in the same field, counts as the plain explanation

    def pattern(self) -> re.Pattern:
        return re.compile(rf"(?<![\w-]){re.escape(self.term)}(?![\w-])", re.I)


@dataclass(frozen=True)
class LintContext:
    jargon: tuple[JargonTerm, ...]
    emergency_numbers: tuple[str, ...]
    today: dt.date
    release: bool
    # Every valid source by kind, its texts filled for `publisher`, for rules that look across files.
    documents: Mapping[str, Mapping[str, Document]] = field(default_factory=dict)
    # The publisher profile (plain data) whose words fill the texts being checked; None if there is none.
    publisher: Mapping | None = None
    # The language of the text checked: "en" for the sources, "es" for their Spanish catalogues.
    language: str = "en"


Rule = Callable[[Document, str, LintContext], Iterator[Diagnostic]]
RULES: dict[str, Rule] = {}
# Rule ids a registered function reports besides its own name.
_ALSO_REPORTS: dict[str, tuple[str, ...]] = {}
# Rules about a source's structure, governance or English wording: a translation has the same
# structure and its approval is checked apart (i18n.py), so these run on the English only.
SOURCE_ONLY: set[str] = set()
# Kinds of source a reader meets, the only ones these rules check (not the hazard log or word lists).
READER_KINDS = ("conditions", "topics", "guides", "publishers", "red-flags")


def rule(rule_id: str, reports: tuple[str, ...] = (), *, translations: bool = True):
    def register(func: Rule) -> Rule:
        if rule_id in RULES:
            raise ValueError(f"lint rule {rule_id!r} is defined twice")
        RULES[rule_id] = func
        _ALSO_REPORTS[rule_id] = reports
        if not translations:
            SOURCE_ONLY.add(rule_id)
        return func
    return register


def _text_measures(language: str):
    """The sentence and word splitters for a language."""
    module = readability_es if language == "es" else readability
    return module.sentences, module.words


def all_rules() -> dict[str, Rule]:
    """Every registered rule, importing the modules that register them."""
    from . import safety_rules  # noqa: F401  (import registers)

    return RULES


def rule_ids() -> frozenset[str]:
    """Every rule id a diagnostic can carry (and a hazard log control can name)."""
    rules = all_rules()
    return frozenset(rules) | {also for name in rules for also in _ALSO_REPORTS[name]}


# --- where the prose is ---------------------------------------------------------------------


def prose_sections(doc: Document, kind: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(pointer, name, [(field pointer, text)]) for each section read as one piece of prose."""
    data = doc.data

    def texts(pointer: str, values) -> list[tuple[str, str]]:
        return [(f"{pointer}/{i}", v) for i, v in enumerate(values or []) if isinstance(v, str)]

    if kind == "conditions":
        self_care = data.get("self_care") or {}
        return [
            ("/summary", "summary", [("/summary", data.get("summary", ""))]),
            ("/what_it_is", "What it is", texts("/what_it_is", data.get("what_it_is"))),
            ("/self_care", "What you can do now",
             ([("/self_care/intro", self_care["intro"])] if "intro" in self_care else [])
             + texts("/self_care/steps", self_care.get("steps"))),
            ("/treatments", "How it is treated",
             [(f"/treatments/{i}/description", t.get("description", ""))
              for i, t in enumerate(data.get("treatments") or [])]),
            ("/tests", "Tests", [(f"/tests/{i}/purpose", t.get("purpose", ""))
                                 for i, t in enumerate(data.get("tests") or [])]),
            ("/questions", "Questions to ask your doctor", texts("/questions", data.get("questions"))),
        ]
    if kind == "topics":
        sections = [("/summary", "summary", [("/summary", data.get("summary", ""))])]
        for i, section in enumerate(data.get("sections") or []):
            sections.append((f"/sections/{i}", section.get("heading", f"section {i + 1}"),
                             texts(f"/sections/{i}/paragraphs", section.get("paragraphs"))
                             + texts(f"/sections/{i}/items", section.get("items"))))
        return sections
    if kind == "guides":
        return [("/introduction", "introduction", texts("/introduction", data.get("introduction")))]
    return []


def all_texts(doc: Document) -> Iterator[tuple[str, str]]:
    """Every text value in the document, in file order, with its pointer."""
    def walk(value, pointer):
        if isinstance(value, str):
            yield pointer, value
        elif isinstance(value, dict):
            for key, child in value.items():
                # Identifiers and references are not prose a reader meets.
                if key not in ("slug", "id", "review", "sources", "basis", "related", "chapters", "level",
                               "red_flags", "red_flag", "may_be_mistaken_for", "body_location"):
                    yield from walk(child, f"{pointer}/{key}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                yield from walk(child, f"{pointer}/{index}")
    yield from walk(doc.data, "")


# --- plain language -------------------------------------------------------------------------


@rule("reading-grade")
def reading_grade(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    if ctx.language != "en":  # Flesch-Kincaid is made for English
        return
    sentences, _ = _text_measures(ctx.language)
    for pointer, name, fields in prose_sections(doc, kind):
        text_sentences = [s for _, text in fields for s in sentences(text)]
        # Judge the score as it is shown (one decimal), so "8.0" never fails "at most 8".
        score = round(grade(text_sentences), 1)
        if score > GRADE_ERROR:
            yield doc.diagnostic(pointer, f"'{name}' reads at grade {score:.1f}; at most {GRADE_ERROR:.0f} "
                                          "(use shorter words and sentences)", rule="reading-grade")
        elif score > GRADE_WARNING:
            yield doc.diagnostic(pointer, f"'{name}' reads at grade {score:.1f}; aim for {GRADE_WARNING:.0f} or lower",
                                 severity=WARNING, rule="reading-grade")


@rule("reading-ease")
def reading_ease(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    """Spanish: Fernández-Huerta reading ease per section, with the INFLESZ score for reference."""
    if ctx.language != "es":
        return
    for pointer, name, fields in prose_sections(doc, kind):
        text_sentences = [s for _, text in fields for s in readability_es.sentences(text)]
        if not text_sentences:
            continue
        score = round(readability_es.fernandez_huerta(text_sentences), 1)
        inflesz = readability_es.szigriszt_pazos(text_sentences)
        detail = (f"Fernández-Huerta {score:.1f} ({readability_es.describe(score)}; INFLESZ {inflesz:.0f}, "
                  f"{readability_es.describe(inflesz, readability_es.INFLESZ_SCALE)})")
        if score < EASE_ERROR:
            yield doc.diagnostic(pointer, f"'{name}' reads at {detail}; at least {EASE_ERROR:.0f} "
                                          "(use shorter words and sentences)", rule="reading-ease")
        elif score < EASE_WARNING:
            yield doc.diagnostic(pointer, f"'{name}' reads at {detail}; aim for {EASE_WARNING:.0f} or more",
                                 severity=WARNING, rule="reading-ease")


@rule("sentence-length")
def sentence_length(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    sentences, words = _text_measures(ctx.language)
    for _, _, fields in prose_sections(doc, kind):
        for pointer, text in fields:
            for sentence in sentences(text):
                count = len(words(sentence))
                if count > SENTENCE_ERROR:
                    yield doc.diagnostic(pointer, f"sentence of {count} words; at most {SENTENCE_ERROR}: "
                                                  f"'{_clip(sentence)}'", rule="sentence-length")
                elif count > SENTENCE_WARNING:
                    yield doc.diagnostic(pointer, f"sentence of {count} words; aim for {SENTENCE_WARNING} or fewer: "
                                                  f"'{_clip(sentence)}'", severity=WARNING, rule="sentence-length")


@rule("paragraph-length")
def paragraph_length(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    sentences, _ = _text_measures(ctx.language)
    for _, _, fields in prose_sections(doc, kind):
        for pointer, text in fields:
            count = len(sentences(text))
            if count > PARAGRAPH_SENTENCES:
                yield doc.diagnostic(pointer, f"paragraph of {count} sentences; at most {PARAGRAPH_SENTENCES}",
                                     rule="paragraph-length")


@rule("jargon")
def jargon(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    """A listed medical term needs a plain explanation where the reader first meets it."""
    if kind == "publishers":
        return
    texts = list(all_texts(doc))
    for term in ctx.jargon:
        pattern = term.pattern()
        first = next(((p, t) for p, t in texts if pattern.search(t)), None)
        if first is None:
            continue
        pointer, text = first
        if pointer == "/medical_name":
            # The medical name is shown right under the title, which carries the plain name.
            text = f"{doc.data.get('title', '')} {text}"
        if not any(plain.lower() in text.lower() for plain in term.plain):
            yield doc.diagnostic(pointer, f"'{term.term}' is used without a plain explanation; on first use "
                                          f"also say {' or '.join(repr(p) for p in term.plain)}", rule="jargon")


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- care levels ----------------------------------------------------------------------------


@rule("action-section", translations=False)
def action_section(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    if kind != "conditions":
        return
    steps = (doc.data.get("self_care") or {}).get("steps") or []
    if len(steps) < 2:
        yield doc.diagnostic("/self_care/steps", "'What you can do now' needs at least 2 steps the reader can take",
                             rule="action-section")


# The wording of each care-level heading, per language: the emergency one names the number.
CARE_HEADING_SHAPES = {
    "en": {
        "emergency": (r"^Call {number} or .+ now if:$", "'Call {number} or ... now if:'"),
        "urgent": (r"^\S.* today if:$", "'... today if:'"),
        "routine": (r"^\S.* if:$", "'... if:'"),
    },
    "es": {
        "emergency": (r"^Llame al {number} o .+ ahora (mismo )?si:$", "'Llame al {number} o ... ahora si:'"),
        "urgent": (r"^\S.* hoy (mismo )?si:$", "'... hoy si:'"),
        "routine": (r"^\S.* si:$", "'... si:'"),
    },
}


@rule("care-heading")
def care_heading(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    if kind != "publishers" or ctx.language not in CARE_HEADING_SHAPES:
        return
    headings = doc.data.get("care_headings") or {}
    number = doc.data.get("emergency_number", "")
    for level, (pattern, shape) in CARE_HEADING_SHAPES[ctx.language].items():
        pattern, shape = pattern.replace("{number}", re.escape(number)), shape.replace("{number}", number)
        heading = headings.get(level)
        if isinstance(heading, str) and heading and not re.match(pattern, heading):
            yield doc.diagnostic(f"/care_headings/{level}", f"{level} heading must read like {shape}",
                                 rule="care-heading")


@rule("emergency-links")
def emergency_links(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    if kind == "red-flags":
        for key in ("text", "sms"):
            if isinstance(doc.data.get(key), str) and LINK_LIKE.search(doc.data[key]):
                yield doc.diagnostic(f"/{key}", "red flags hold no links: the reader must act, not browse",
                                     rule="emergency-links")
        return
    if kind != "conditions":
        return
    for index, block in enumerate(doc.data.get("care") or []):
        if block.get("level") != "emergency":
            continue
        for sign_index, sign in enumerate(block.get("signs") or []):
            if LINK_LIKE.search(sign):
                yield doc.diagnostic(f"/care/{index}/signs/{sign_index}",
                                     "emergency signs hold no links: the reader must act, not browse",
                                     rule="emergency-links")


# A separator between digits joins them into one number, as in "1,000", "1.000", "1'000" and
# "10 000" with a narrow or no-break space: its "000" is a quantity, not Australia's emergency
# number. A plain space is not one: "call 999 24 hours a day" must still be caught.
_DIGIT_GROUP = r"[,.'\u00a0\u2009\u202f\u2007]"


def emergency_number_pattern(publisher_numbers: tuple[str, ...]) -> re.Pattern:
    """An emergency number standing on its own: not part of a longer number, a phone number
    written with hyphens ("202-555-0111"), or a figure with digit groups or decimals."""
    numbers = sorted(set(KNOWN_EMERGENCY_NUMBERS) | set(publisher_numbers), key=lambda n: (-len(n), n))
    alternatives = "|".join(re.escape(n) for n in numbers)
    return re.compile(rf"(?<![\d-])(?<!\d{_DIGIT_GROUP})({alternatives})(?![\d-])(?!{_DIGIT_GROUP}\d)")


@rule("emergency-number")
def emergency_number(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    if kind == "publishers":
        return
    pattern = emergency_number_pattern(ctx.emergency_numbers)
    for pointer, text in all_texts(doc):
        match = pattern.search(text)
        if match:
            yield doc.diagnostic(pointer, f"'{match.group(1)}' looks like an emergency number; numbers come only "
                                          "from the publisher profile", rule="emergency-number")


# --- governance -----------------------------------------------------------------------------


# review-draft, review-changed and review-chapter (and review-overdue for a lapsed approval) are
# reported by pipeline/approvals.py, which sees the approvals ledger that one document cannot.
@rule("review", reports=("review-overdue", "review-draft", "review-changed", "review-chapter"), translations=False)
def review(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    data = doc.data.get("review")
    if not isinstance(data, dict):
        return
    severity = ERROR if ctx.release else WARNING
    try:
        next_review = dt.date.fromisoformat(data.get("next_review", ""))
    except (TypeError, ValueError):
        next_review = None
    if next_review and next_review < ctx.today:
        yield doc.diagnostic("/review/next_review", f"review was due on {next_review}", severity=severity,
                             rule="review-overdue")


# --- running the rules ----------------------------------------------------------------------


def load_jargon(path: Path, shown: str) -> tuple[tuple[JargonTerm, ...], list[Diagnostic]]:
    if not path.exists():
        return (), []
    try:
        doc = load_document(path, shown)
    except SourceProblems as problems:
        return (), problems.diagnostics
    from .validation import jargon_diagnostics

    problems = jargon_diagnostics(doc)
    if problems:
        return (), problems
    terms = tuple(JargonTerm(item["term"], tuple(item["plain"])) for item in doc.data["terms"])
    return terms, []


def lint_documents(documents: dict[str, dict[str, Document]], ctx: LintContext, *,
                   translated: bool = False) -> list[Diagnostic]:
    """Every rule on every source a reader meets, once for each publisher profile.

    Rules see the texts as that publisher's readers will ({physio} filled in), so a word
    list or a reading grade judges what is published; a finding that every profile shares
    is reported once. For translations (documents read from catalogues, see
    localize.translated_document, with the publishers' translated terms) only the rules
    about the words run.
    """
    from .terms import fill_data
    from .validation import PLACEHOLDER_KINDS

    rules = all_rules()
    publishers = [doc.data for doc in documents.get("publishers", {}).values()] or [None]
    per_publisher: list[dict[Diagnostic, None]] = []
    for publisher in publishers:
        terms = (publisher or {}).get("terms") or {}
        filled = {
            kind: {slug: Document(doc.path, fill_data(doc.data, terms), doc.positions, doc.key_positions)
                   if kind in PLACEHOLDER_KINDS else doc for slug, doc in docs.items()}
            for kind, docs in documents.items()
        }
        seen = replace(ctx, documents=filled, publisher=publisher)
        found: dict[Diagnostic, None] = {}
        for kind in READER_KINDS:
            for doc in filled.get(kind, {}).values():
                for rule_id, check in rules.items():
                    if translated and rule_id in SOURCE_ONLY:
                        continue
                    found.update(dict.fromkeys(check(doc, kind, seen)))
        per_publisher.append(found)
    report: dict[Diagnostic, None] = {}
    for publisher, found in zip(publishers, per_publisher):
        for problem in found:
            slug = (publisher or {}).get("slug")
            if all(problem in other for other in per_publisher) or not slug or f"'{slug}'" in problem.message:
                report[problem] = None
            else:  # the words differ by publisher, and so does this finding: say whose build it is
                report[replace(problem, message=f"{problem.message} (in the '{slug}' build)")] = None
    return list(report)
