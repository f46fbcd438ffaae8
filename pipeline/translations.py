"""PO catalogues: where a source's translation lives, reading one with located errors, and
merging it with the English (what `handouts i18n extract` writes).

One catalogue per source and language, sources/locales/<language>/<kind>/<slug>.po, with one
entry per translatable value (see translatable.py): msgctxt is the value's JSON Pointer,
msgid its English text, msgstr the translation. Translators open these files in Poedit,
Weblate or Crowdin as they are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import polib

from .characters import refused
from .diagnostics import ERROR, Diagnostic, SourceProblems

LOCALES_DIR = "locales"  # under sources/
# Kinds of source that have catalogues ("red-flags" once shared red flags are sources).
TRANSLATED_KINDS = ("conditions", "topics", "guides", "red-flags", "publishers")
# A catalogue is a few kilobytes; a huge one is a mistake (or an attack) that would slow every build.
MAX_CATALOGUE_BYTES = 512 * 1024
FUZZY = "fuzzy"
# Lines are wrapped where polib wraps by default, so that files written by polib-based tools
# and by extract do not differ in layout alone.
WRAP_WIDTH = 78

_STRING = r'"(?:[^"\\]|\\[\\"ntr])*"'
_KEYWORD_LINE = re.compile(rf'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+{_STRING}[ \t]*$')
_CONTINUATION = re.compile(rf"^{_STRING}[ \t]*$")
_POLIB_LINE = re.compile(r"\(line (\d+)\)")


def catalogue_path(sources_dir: Path, language: str, kind: str, slug: str) -> Path:
    return sources_dir / LOCALES_DIR / language / kind / f"{slug}.po"


@dataclass(frozen=True)
class Entry:
    """One translatable value: where it is in the source and in the PO file, and its translation."""

    pointer: str  # msgctxt: the JSON Pointer of the value in the English source
    msgid: str  # the English text the translation was made from
    msgstr: str
    fuzzy: bool
    previous_msgid: str | None
    line: int  # where the entry starts in the PO file
    msgid_line: int
    msgstr_line: int

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and not self.fuzzy


@dataclass(frozen=True)
class Catalogue:
    """One PO file as read: its active entries (obsolete ones are history, never used)."""

    path: str  # as shown to users
    language: str
    entries: tuple[Entry, ...]
    obsolete: int = 0
    metadata: dict = field(default_factory=dict, compare=False, repr=False)

    def by_pointer(self) -> dict[str, Entry]:
        return {entry.pointer: entry for entry in self.entries}

    def diagnostic(self, entry: Entry | None, message: str, *, at: str = "msgstr",
                   severity: str = ERROR, rule: str = "") -> Diagnostic:
        """A problem located at an entry's msgstr (what a translator edits), msgid or start."""
        if entry is None:
            return Diagnostic(self.path, 1, 1, severity, message, "", rule)
        line = {"msgstr": entry.msgstr_line, "msgid": entry.msgid_line}.get(at, entry.line)
        return Diagnostic(self.path, line, 1, severity, message, entry.pointer, rule)


# --- reading ----------------------------------------------------------------------------------


def _fail(shown: str, line: int, message: str):
    raise SourceProblems([Diagnostic(shown, line, 1, ERROR, message)])


def _decode(raw: bytes, shown: str) -> str:
    if len(raw) > MAX_CATALOGUE_BYTES:
        _fail(shown, 1, f"file is {len(raw)} bytes; catalogues may be at most {MAX_CATALOGUE_BYTES} bytes")
    if raw.startswith(b"\xef\xbb\xbf"):
        _fail(shown, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(shown, raw.count(b"\n", 0, exc.start) + 1,
              f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the catalogue as UTF-8")


def _check_lines(text: str, shown: str) -> None:
    """polib forgives an unclosed quote by dropping text; a translation must never lose words
    silently, so every line is checked to be a keyword with one whole string, a continuation
    string, a comment or blank."""
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not (_KEYWORD_LINE.match(stripped) or _CONTINUATION.match(stripped)):
            _fail(shown, number, "PO syntax error: expected msgctxt, msgid or msgstr followed by one "
                                 f'"quoted string" (with only \\n \\t \\" \\\\ escapes), got {stripped[:40]!r}')


def parse(path: Path, shown: str) -> tuple[polib.POFile, list[str]]:
    """A PO file as polib reads it, and its lines; SourceProblems (file and line) if malformed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        _fail(shown, 1, f"cannot read file: {exc.strerror}")
    text = _decode(raw, shown)
    _check_lines(text, shown)
    try:
        po = polib.pofile(text, wrapwidth=WRAP_WIDTH)
    except (OSError, ValueError) as exc:
        found = _POLIB_LINE.search(str(exc))
        _fail(shown, int(found.group(1)) if found else 1, f"PO syntax error: {_POLIB_LINE.sub('', str(exc)).strip()}")
    return po, text.split("\n")


def _lines_of(entry: polib.POEntry, lines: list[str]) -> tuple[int, int, int]:
    start = entry.linenum or 1
    found = {}
    for number in range(start, len(lines) + 1):
        word = lines[number - 1].split(" ", 1)[0]
        if word in ("msgid", "msgstr") and word not in found:
            found[word] = number
            if word == "msgstr":
                break
    return start, found.get("msgid", start), found.get("msgstr", start)


def read_catalogue(path: Path, shown: str, language: str, *, pointers: bool = True) -> Catalogue:
    """A checked catalogue, or SourceProblems naming every malformed entry by line."""
    return load(path, shown, language, pointers=pointers)[1]


def load(path: Path, shown: str, language: str, *, pointers: bool = True) -> tuple[polib.POFile, Catalogue]:
    """The file as polib reads it (to merge and write back) and as checked entries.

    Every entry needs a msgctxt: a JSON Pointer in a source's catalogue (`pointers`), a key
    in the interface catalogue.
    """
    po, lines = parse(path, shown)
    problems: list[Diagnostic] = []
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    declared = po.metadata.get("Language", "").replace("_", "-")
    if declared and declared.split("-")[0].lower() != language:
        problems.append(Diagnostic(shown, 1, 1, ERROR, f"the Language header says '{declared}' but the "
                                                       f"catalogue is in the '{language}' folder"))
    for item in po:
        if item.obsolete:
            continue
        start, msgid_line, msgstr_line = _lines_of(item, lines)

        def problem(message: str, line: int = start) -> None:
            problems.append(Diagnostic(shown, line, 1, ERROR, message, item.msgctxt or ""))

        if item.msgid_plural:
            problem("plural entries are not used in these catalogues")
            continue
        if not item.msgctxt or pointers != item.msgctxt.startswith("/"):
            problem('every entry needs msgctxt: the JSON Pointer of its field, for example "/summary"' if pointers
                    else 'every entry needs msgctxt: the key its English is marked with, for example "sms.emergency-line"')
            continue
        if item.msgctxt in seen:
            problem(f"msgctxt {item.msgctxt!r} is already used at line {seen[item.msgctxt]}")
            continue
        seen[item.msgctxt] = start
        # The same characters as in the sources are refused (characters.py says why).
        bad = next(refused(item.msgstr), None)
        if bad is not None:
            problem(bad[1].replace("in sources", "in a translation"), msgstr_line)
            continue
        # Sources are NFC once loaded; so is every text here, so that they compare alike.
        entries.append(Entry(item.msgctxt, unicodedata.normalize("NFC", item.msgid),
                             unicodedata.normalize("NFC", item.msgstr), FUZZY in item.flags,
                             item.previous_msgid, start, msgid_line, msgstr_line))
    if problems:
        raise SourceProblems(problems)
    return po, Catalogue(shown, language, tuple(entries), len(po.obsolete_entries()), dict(po.metadata))


# --- merging with the English -----------------------------------------------------------------


def header(language: str, source_shown: str) -> tuple[str, dict]:
    """The header comment and metadata of a new catalogue (no dates: extracting twice gives the same bytes)."""
    from babel.messages.plurals import get_plural

    what = ("Each msgctxt is the JSON Pointer of a field in that file." if source_shown.endswith(".yaml")
            else "Each msgctxt is the key the English is marked with in the code.")
    comment = (f"Translation of {source_shown}.\n{what} Keep {{placeholders}},\n"
               "emergency numbers and web addresses exactly as they are in the English.")
    metadata = {
        "Project-Id-Version": source_shown,
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": str(get_plural(language)),
    }
    return comment, metadata


def merge(english: Iterable[tuple[str, str, tuple[str, str]]], old: polib.POFile | None, language: str,
          source_shown: str) -> polib.POFile:
    """The catalogue for the English as it is now, keeping every translation (msgmerge's rules).

    `english` is (msgctxt, text, (file, line) it comes from) in file order; msgctxt is a
    field's JSON Pointer in a source's catalogue, a stable key in the interface catalogue.

    - The same English anywhere in the old catalogue (the field itself, a list item that
      moved, an obsolete entry) gives its translation as it was.
    - English found nowhere takes the translation of the most similar English that is gone
      (or else of the field it replaced in place), marked fuzzy, with the English it was made
      from as previous_msgid for the translator.
    - Every other translation is kept as an obsolete entry (`#~`, at the end of the file), so
      no translation is ever lost by extracting; one that fits again later comes back.
    """
    english = list(english)
    comment, metadata = header(language, source_shown)
    po = polib.POFile(wrapwidth=WRAP_WIDTH)
    po.header = old.header if old is not None and old.header else comment
    po.metadata = {**metadata, **(old.metadata if old is not None else {})}
    po.metadata["Language"] = po.metadata.get("Language") or language
    previous = [item for item in (old if old is not None else ()) if item.msgctxt and not item.msgid_plural]
    translated = [item for item in previous if item.msgstr]
    texts_now = {text for _, text, _ in english}
    used: set[int] = set()  # id() of the old entries whose translation went into a new entry
    waiting: list[polib.POEntry] = []
    for pointer, text, occurrence in english:
        entry = polib.POEntry(msgctxt=pointer, msgid=text, msgstr="", occurrences=[occurrence])
        same_text = [item for item in translated if item.msgid == text]
        if same_text:
            # The field's own translation (the same English may read differently elsewhere);
            # else a checked one before a fuzzy one, a current one before history.
            best = min(same_text, key=lambda item: (item.msgctxt != pointer or item.obsolete, FUZZY in item.flags,
                                                    item.obsolete, item.msgctxt != pointer))
            _carry(entry, best, FUZZY in best.flags)
            used.add(id(best))
        else:
            waiting.append(entry)
            kept = next((item for item in previous if item.msgctxt == pointer and item.msgid == text), None)
            if kept is not None:
                entry.tcomment = kept.tcomment  # untranslated still, but the translator's note stays
        po.append(entry)
    gone = [item for item in translated if item.msgid not in texts_now]
    for entry, item in _similar_pairs(waiting, gone):
        _carry(entry, item, True)
        # A translation made fuzzy twice still shows the English it was first made from.
        entry.previous_msgid = item.previous_msgid if FUZZY in item.flags and item.previous_msgid else item.msgid
        used.add(id(item))
    active = {(entry.msgctxt, entry.msgid) for entry in po}
    survived = {(entry.msgid, entry.msgstr) for entry in po if entry.msgstr and not entry.fuzzy}
    for item in translated:
        key = (item.msgctxt, item.msgid)
        if id(item) in used or key in active or (item.msgid, item.msgstr) in survived:
            continue
        active.add(key)
        po.append(polib.POEntry(msgctxt=item.msgctxt, msgid=item.msgid, msgstr=item.msgstr, tcomment=item.tcomment,
                                flags=[FUZZY] if FUZZY in item.flags else [],
                                previous_msgid=item.previous_msgid if FUZZY in item.flags else None,
                                obsolete=True))
    return po


# How alike an English text must be to one that is gone for the old translation to be offered,
# fuzzy: difflib's ratio, with the cutoff Babel's `update` uses.
SIMILAR = 0.6


def _similar_pairs(waiting: list[polib.POEntry], gone: list[polib.POEntry]):
    """(new entry, old entry) pairs, each entry in at most one: the most similar texts first,
    then a text edited in place (the same msgctxt, however different the words)."""
    from difflib import SequenceMatcher

    scored = []
    for i, entry in enumerate(waiting):
        for j, item in enumerate(gone):
            in_place = item.msgctxt == entry.msgctxt and not item.obsolete
            matcher = SequenceMatcher(None, entry.msgid.lower(), item.msgid.lower(), autojunk=False)
            # The quick upper bounds first: most pairs are far apart.
            near = matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR
            ratio = matcher.ratio() if near else 0.0
            if ratio >= SIMILAR or in_place:
                scored.append(((ratio >= SIMILAR, ratio, in_place), i, j))
    scored.sort(key=lambda score: (score[0], -score[1], -score[2]), reverse=True)
    taken_new, taken_old = set(), set()
    for _, i, j in scored:
        if i not in taken_new and j not in taken_old:
            taken_new.add(i)
            taken_old.add(j)
            yield waiting[i], gone[j]


def _carry(entry: polib.POEntry, old: polib.POEntry, fuzzy: bool) -> None:
    entry.msgstr = old.msgstr
    entry.tcomment = old.tcomment
    if fuzzy and entry.msgstr:
        entry.flags = [FUZZY]
        entry.previous_msgid = old.previous_msgid


def text_of(po: polib.POFile) -> str:
    return str(po) if str(po).endswith("\n") else str(po) + "\n"


@dataclass(frozen=True)
class Counts:
    """How far one catalogue's translation has come."""

    entries: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int


def counts(po: polib.POFile) -> Counts:
    active = [e for e in po if not e.obsolete]
    translated = sum(1 for e in active if e.msgstr and FUZZY not in e.flags)
    fuzzy = sum(1 for e in active if e.msgstr and FUZZY in e.flags)
    return Counts(len(active), translated, fuzzy, len(active) - translated - fuzzy, len(po.obsolete_entries()))
