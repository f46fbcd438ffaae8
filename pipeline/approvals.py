"""Clinical sign-off: the approvals ledger, each item's derived status, and recording approvals.

An approval binds a reviewer to the fingerprint of the exact content they read
(pipeline/fingerprint.py). The ledger keeps every approval of one item in its own file,
sources/approvals/<kind>/<slug>.yaml, next to the content and append-only, so two approvals
of different items never conflict in git. Status is derived, never typed: "draft" (never
approved), "changed" (the content's fingerprint is not the latest approval's), "overdue"
(the latest approval's next review date has passed) or "approved".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_atomic
from .diagnostics import ERROR, WARNING, Diagnostic, SourceProblems
from .fingerprint import content_of, fingerprint_of, readable_json
from .loading import Document, load_bytes, load_document
from .model import (APPROVED, CHANGED, DEFAULT_LOCALE, DRAFT, OVERDUE, Approval, ApprovalState, Approver,
                    FrozenMap, Library)
from .validation import MAX_REVIEW_YEARS, add_years, schema_diagnostics

LEDGER_DIR = "approvals"  # under sources/
# A new approval is due for review a year later unless the reviewer sets another date (at most
# MAX_REVIEW_YEARS): medical advice moves, and a year is what the sources' own dates use.
DEFAULT_REVIEW_YEARS = 1
KIND_FOLDERS = {"condition": "conditions", "topic": "topics", "guide": "guides"}
FOLDER_KINDS = {folder: kind for kind, folder in KIND_FOLDERS.items()}
SCHEMA_LINE = "# yaml-language-server: $schema=../../../schemas/approvals.schema.json"
# Lint rule ids for items a release must leave out.
RULE_FOR_STATUS = {DRAFT: "review-draft", CHANGED: "review-changed", OVERDUE: "review-overdue"}
# Every rule that keeps an item out of a release for want of sign-off.
RELEASE_STATUS_RULES = (*RULE_FOR_STATUS.values(), "review-chapter")


@dataclass(frozen=True)
class Record:
    """One approval in a ledger, with the content it approved when the ledger kept it."""

    approval: Approval
    content: dict | None
    pointer: str  # where the record is in its ledger file


@dataclass(frozen=True)
class Ledger:
    kind: str  # "condition", "topic" or "guide"
    slug: str
    shown: str  # the ledger's path as printed in messages
    records: tuple[Record, ...]

    def for_locale(self, locale: str) -> list[Record]:
        return [record for record in self.records if record.approval.locale == locale]


@dataclass(frozen=True)
class LedgerFile:
    kind: str
    slug: str
    path: Path
    shown: str


def ledger_path(sources_dir: Path, kind: str, slug: str) -> Path:
    return sources_dir / LEDGER_DIR / KIND_FOLDERS[kind] / f"{slug}.yaml"


def source_path(kind: str, slug: str) -> str:
    """The item's source as messages name it."""
    return f"sources/{KIND_FOLDERS[kind]}/{slug}.yaml"


def discover_ledgers(sources_dir: Path, root: Path) -> tuple[list[LedgerFile], list[Diagnostic]]:
    """Every ledger file, and a located problem for anything else under sources/approvals/
    (a ledger in the wrong place would silently leave its item a draft)."""
    found: list[LedgerFile] = []
    problems: list[Diagnostic] = []
    base = sources_dir / LEDGER_DIR

    def shown(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            return str(path)

    if not base.is_dir():
        return found, problems
    for entry in sorted(p for p in base.iterdir() if not p.name.startswith(".")):
        if entry.name not in FOLDER_KINDS or not entry.is_dir():
            problems.append(Diagnostic(shown(entry), 1, 1, ERROR, f"sources/{LEDGER_DIR}/ holds only the folders "
                                                                  f"{', '.join(FOLDER_KINDS)}, one ledger per item"))
            continue
        for path in sorted(p for p in entry.iterdir() if not p.name.startswith(".")):
            if path.is_file() and path.name.endswith(".yaml"):
                found.append(LedgerFile(FOLDER_KINDS[entry.name], path.name[: -len(".yaml")], path, shown(path)))
            else:
                problems.append(Diagnostic(shown(path), 1, 1, ERROR, f"not a ledger: sources/{LEDGER_DIR}/"
                                                                     f"{entry.name}/ holds only <slug>.yaml files"))
    return found, problems


# --- reading and checking ledgers ----------------------------------------------------------


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def ledger_diagnostics(doc: Document, exists: bool) -> list[Diagnostic]:
    """Schema problems, then the rules that keep a ledger an honest history."""
    found = schema_diagnostics(doc, "approvals")
    if found:
        return found
    if not exists:
        found.append(Diagnostic(doc.path, 1, 1, WARNING, "no source for this ledger; it is kept as history only"))
    last: dict[str, dict] = {}
    for index, record in enumerate(doc.data["approvals"]):
        at = f"/approvals/{index}"
        date, next_review = _date(record["date"]), _date(record["next_review"])
        before = last.get(record["locale"])
        expected = 1 if before is None else (
            before["version"] if before["fingerprint"] == record["fingerprint"] else before["version"] + 1)
        if record["version"] != expected:
            found.append(doc.diagnostic(f"{at}/version", f"version {record['version']} should be {expected}: "
                                                         "versions go up by one each time new content is approved"))
        if before is not None and date and _date(before["date"]) and date < _date(before["date"]):
            found.append(doc.diagnostic(f"{at}/date", f"approved on {date}, before the record above it "
                                                      f"({before['date']}); the ledger is oldest first"))
        if date and next_review and not date < next_review <= add_years(date, MAX_REVIEW_YEARS):
            found.append(doc.diagnostic(f"{at}/next_review", f"next review {next_review} must come after the "
                                                             f"approval ({date}) and at most {MAX_REVIEW_YEARS} "
                                                             "years after it"))
        if "content" in record:
            try:
                content = json.loads(record["content"])
            except ValueError:
                content = None
            if not isinstance(content, dict) or fingerprint_of(content) != record["fingerprint"]:
                found.append(doc.diagnostic(f"{at}/content", "the stored content does not match the fingerprint: "
                                                             "the ledger was edited by hand; restore it from git"))
        last[record["locale"]] = record
    return found


def _ledger_from(doc: Document, file: LedgerFile) -> Ledger:
    records = []
    for index, data in enumerate(doc.data["approvals"]):
        reviewer = data["reviewer"]
        approval = Approval(
            version=data["version"], locale=data["locale"], fingerprint=data["fingerprint"],
            reviewer=Approver(reviewer["name"], reviewer["credential"]),
            date=dt.date.fromisoformat(data["date"]), next_review=dt.date.fromisoformat(data["next_review"]),
        )
        content = json.loads(data["content"]) if "content" in data else None
        records.append(Record(approval, content, f"/approvals/{index}"))
    return Ledger(file.kind, file.slug, file.shown, tuple(records))


def load_ledgers(sources_dir: Path, root: Path, documents: dict) -> tuple[dict[tuple[str, str], Ledger],
                                                                          list[Diagnostic], list[LedgerFile]]:
    """Every ledger that checks out, keyed by (kind, slug); every problem; every ledger file."""
    files, problems = discover_ledgers(sources_dir, root)
    ledgers: dict[tuple[str, str], Ledger] = {}
    for file in files:
        try:
            doc = load_document(file.path, file.shown)
        except SourceProblems as exc:
            problems += exc.diagnostics
            continue
        found = ledger_diagnostics(doc, file.slug in documents.get(KIND_FOLDERS[file.kind], {}))
        problems += found
        if not any(p.is_error for p in found):
            ledgers[(file.kind, file.slug)] = _ledger_from(doc, file)
    return ledgers, problems, files


# --- deriving status ------------------------------------------------------------------------


def derive(records: list[Record], fingerprint: str, today: dt.date) -> ApprovalState:
    if not records:
        return ApprovalState(DRAFT, None)
    latest = records[-1].approval
    if latest.fingerprint != fingerprint:
        return ApprovalState(CHANGED, latest)
    if today > latest.next_review:
        return ApprovalState(OVERDUE, latest)
    return ApprovalState(APPROVED, latest)


def items(library: Library):
    """Every condition, topic and guide, as (kind, item)."""
    for kind, mapping in (("condition", library.conditions), ("topic", library.topics),
                          ("guide", library.guides)):
        for item in mapping.values():
            yield kind, item


def attach(library: Library, ledgers: dict[tuple[str, str], Ledger], today: dt.date,
           locale: str = DEFAULT_LOCALE) -> Library:
    """The same library with every item's sign-off state derived for `locale`."""
    def with_state(kind, item):
        ledger = ledgers.get((kind, item.slug))
        records = ledger.for_locale(locale) if ledger else []
        state = derive(records, fingerprint_of(content_of(item, library)), today)
        return dataclasses.replace(item, approval=state)

    # Fingerprints read related titles from the library as it was: states never change them.
    return dataclasses.replace(
        library,
        conditions=FrozenMap({slug: with_state("condition", c) for slug, c in library.conditions.items()}),
        topics=FrozenMap({slug: with_state("topic", t) for slug, t in library.topics.items()}),
        guides=FrozenMap({slug: with_state("guide", g) for slug, g in library.guides.items()}),
    )


def status_message(kind: str, item) -> str:
    state = item.approval
    if state.status == DRAFT:
        return (f"{item.reference} is a draft: no clinician has approved it (run 'handouts review {item.slug}', "
                f"then the reviewer runs 'handouts approve {item.slug} --by \"Name, credential\"')")
    latest = state.latest
    if state.status == CHANGED:
        return (f"{item.reference} changed since clinical review on {latest.date} (version {latest.version}) "
                f"and is not yet re-reviewed (run 'handouts review {item.slug}' to see what changed)")
    return (f"{item.reference} version {latest.version}: clinical review was due on {latest.next_review} "
            f"(approved by {latest.reviewer.name} on {latest.date})")


def status_diagnostics(library: Library, documents: dict, release: bool) -> list[Diagnostic]:
    """One problem per item that is not approved and in date, at the item's reference: an error
    for a release, which must leave it out; otherwise a warning for changed and overdue items
    (drafts are the normal state of new content)."""
    found = []
    for kind, item in items(library):
        status = item.approval.status
        if status == APPROVED or (status == DRAFT and not release):
            continue
        doc = documents[KIND_FOLDERS[kind]][item.slug]
        found.append(doc.diagnostic("/reference", status_message(kind, item), severity=ERROR if release else WARNING,
                                    rule=RULE_FOR_STATUS[status]))
    return found


def chapter_diagnostics(documents: dict, problems: list[Diagnostic]) -> list[Diagnostic]:
    """A guide goes out in a release only with every chapter: one error per chapter held back."""
    refused = {p.path for p in problems if p.is_error}
    found = []
    for doc in documents["guides"].values():
        for index, chapter in enumerate(doc.data.get("chapters") or []):
            (kind, slug), = chapter.items()
            chapter_doc = documents[KIND_FOLDERS[kind]].get(slug)
            if chapter_doc is not None and chapter_doc.path in refused:
                found.append(doc.diagnostic(f"/chapters/{index}/{kind}",
                                            f"chapter {chapter_doc.data.get('reference', slug)} cannot be released "
                                            f"(see {chapter_doc.path}), so neither can this guide",
                                            rule="review-chapter"))
    return found


def status_rows(library: Library) -> list[dict]:
    """What `handouts status` lists: every item with its status, version, reviewer and dates."""
    rows = []
    for kind, item in items(library):
        state = item.approval
        latest = state.latest
        rows.append({
            "kind": kind,
            "slug": item.slug,
            "reference": item.reference,
            "source": source_path(kind, item.slug),
            "status": state.status,
            "version": state.version,
            "approved_version": latest.version if latest else None,
            "reviewer": latest.reviewer.name if latest else None,
            "credential": latest.reviewer.credential if latest else None,
            "approved_on": latest.date.isoformat() if latest else None,
            "next_review": (latest.next_review if state.in_force else item.review.next_review).isoformat(),
            "last_reviewed": item.review.last_reviewed.isoformat(),
        })
    return rows


def comparison(records: list[Record], fingerprint: str) -> tuple[str, dict] | None:
    """What a review pack compares the content with, and how to say so: the last approved
    version when the content has changed since; otherwise (the content is the last approved
    version) the approved version before it. None for a first review."""
    kept = [r for r in records if r.content is not None]
    if not kept:
        return None

    def named(record: Record) -> str:
        a = record.approval
        return f"version {a.version}, approved on {a.date} by {a.reviewer.name}, {a.reviewer.credential}"

    latest = kept[-1]
    if latest.approval.fingerprint != fingerprint:
        return f"Changes since {named(latest)}", latest.content
    earlier = [r for r in kept if r.approval.fingerprint != fingerprint]
    if not earlier:
        return None
    return f"Changes in {named(latest)}, since {named(earlier[-1])}", earlier[-1].content


# --- recording an approval ------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    kind: str
    item: object
    path: Path
    record: dict  # the new ledger record, ready to write


def parse_reviewer(text: str) -> Approver:
    """'Name, credential' (the credential may hold commas: 'Jane Doe, PT, DPT')."""
    name, _, credential = text.partition(",")
    name, credential = name.strip(), credential.strip()
    if len(name) < 2 or len(credential) < 2:
        raise ValueError(f"--by must be 'Name, credential', for example 'Jane Doe, MD', not {text!r}")
    return Approver(name, credential)


def find_item(library: Library, name: str):
    """(kind, item) for a slug, or 'kind/slug' when a guide and a page share a slug."""
    kind_hint, _, slug = name.rpartition("/")
    kind_hint = FOLDER_KINDS.get(kind_hint, kind_hint)
    found = [(kind, item) for kind, item in items(library)
             if item.slug == slug and (not kind_hint or kind == kind_hint)]
    if not found:
        raise LookupError(f"no condition, topic or guide '{name}'")
    if len(found) > 1:
        choices = " or ".join(f"{KIND_FOLDERS[kind]}/{slug}" for kind, _ in found)
        raise LookupError(f"'{name}' names more than one item; say {choices}")
    return found[0]


def plan_approval(sources_dir: Path, library: Library, ledgers: dict, kind: str, item, reviewer: Approver,
                  date: dt.date, next_review: dt.date, locale: str) -> Planned:
    """The record that approves `item` as it is now, or ValueError saying why it cannot be."""
    ledger = ledgers.get((kind, item.slug))
    records = ledger.for_locale(locale) if ledger else []
    content = content_of(item, library)
    fingerprint = fingerprint_of(content)
    latest = records[-1].approval if records else None
    if latest and date < latest.date:
        raise ValueError(f"{item.reference}: the date {date} is before the last approval ({latest.date})")
    if not date < next_review <= add_years(date, MAX_REVIEW_YEARS):
        raise ValueError(f"next review {next_review} must come after {date} and at most "
                         f"{MAX_REVIEW_YEARS} years after it")
    version = 1 if latest is None else latest.version + (latest.fingerprint != fingerprint)
    record = {
        "version": version,
        "locale": locale,
        "fingerprint": fingerprint,
        "reviewer": {"name": reviewer.name, "credential": reviewer.credential},
        "date": date,
        "next_review": next_review,
        "content": readable_json(content),
    }
    return Planned(kind, item, ledger_path(sources_dir, kind, item.slug), record)


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments and layout of the existing file are kept
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def ledger_text(path: Path, record: dict, kind: str, slug: str) -> str:
    """The ledger with one more record at the end; the rest of the file is kept as it was."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    yaml = _yaml()
    if path.exists():
        data = yaml.load(path.read_text(encoding="utf-8"))
    else:
        data = CommentedMap()
        data["approvals"] = CommentedSeq()
        data.yaml_set_start_comment(
            f"{SCHEMA_LINE[2:]}\nClinical sign-off of {source_path(kind, slug)}.\n"
            "Written by 'handouts approve'. Append-only: never edit or remove a record.")
    entry = CommentedMap()
    for key, value in record.items():
        if key == "reviewer":
            value = CommentedMap(value)
        elif key == "content":
            value = LiteralScalarString(value)
        entry[key] = value
    data["approvals"].append(entry)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def write_approvals(planned: list[Planned]) -> None:
    """Append each record, checking first that every new ledger reads back clean."""
    texts = []
    for plan in planned:
        text = ledger_text(plan.path, plan.record, plan.kind, plan.item.slug)
        doc = load_bytes(text.encode("utf-8"), str(plan.path))
        problems = [p for p in ledger_diagnostics(doc, True) if p.is_error]
        if problems:  # a bug, not the reviewer's mistake: refuse rather than write a bad ledger
            raise SourceProblems(problems)
        texts.append((plan.path, text))
    for path, text in texts:
        write_atomic(path, text.encode("utf-8"))


def default_next_review(date: dt.date) -> dt.date:
    return add_years(date, DEFAULT_REVIEW_YEARS)


def refusals(problems: list[Diagnostic], wanted: list[tuple[str, object]], sources_dir: Path) -> list[Diagnostic]:
    """The errors that stop approving these items: any validation error (the content cannot be
    known for sure), and lint errors in the items' own sources and ledgers."""
    own = {source_path(kind, item.slug) for kind, item in wanted}
    own |= {f"sources/{LEDGER_DIR}/{KIND_FOLDERS[kind]}/{item.slug}.yaml" for kind, item in wanted}
    return [p for p in problems if p.is_error and (not p.rule or p.path in own)]

