"""Gathering every source under sources/, checking all of them, and building the content model."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from . import model
from .diagnostics import ERROR, Diagnostic, SourceProblems
from .loading import Document, load_document
from .validation import (KINDS, SINGLE_FILES, file_diagnostics, placeholder_diagnostics, reference_diagnostics,
                         schema_diagnostics)


@dataclass(frozen=True)
class SourceFile:
    kind: str  # one of validation.KINDS or validation.SINGLE_FILES
    path: Path
    shown: str  # the path as printed in messages

    @property
    def stem(self) -> str:
        return self.path.name[: -len(".yaml")]


# Everything that may stand directly under sources/. Each folder named in validation.KINDS
# holds one source per *.yaml file and is checked here, file by file. The entries below belong
# to the step named, which reads and checks them itself. Anything else under sources/ is an
# error that names it, so a file in the wrong place is never silently left out of a build.
# A new file or folder for another step adds its row here; a new kind of source is a folder
# named in validation.KINDS, which wins over a row here.
OTHER_ENTRIES = {
    "jargon.yaml": "the jargon list, read by lint",
    "jargon.es.yaml": "the Spanish jargon list, read by lint for the Spanish translations",
    "hazard-log.yaml": "the clinical safety hazard log (validation.SINGLE_FILES)",
    "approvals": "the approvals ledger",
    "locales": "translation catalogues (PO files)",
}
SOURCE_SUFFIX = ".yaml"


def discover(sources_dir: Path, project_root: Path | None = None) -> list[SourceFile]:
    """Every *.yaml file under sources/<kind>/, in a stable order (gather() also reports strays)."""
    return gather(sources_dir, project_root)[0]


def gather(sources_dir: Path, project_root: Path | None = None) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every source file under sources/<kind>/, and a located problem for every entry under
    sources/ that is not one: an unknown name, a .yml file, a sub-folder, any other file."""
    root = project_root or sources_dir.parent
    found: list[SourceFile] = []
    problems: list[Diagnostic] = []
    if not sources_dir.is_dir():
        return found, problems
    known = [*KINDS, *OTHER_ENTRIES]

    def stray(path: Path, message: str) -> None:
        problems.append(Diagnostic(_shown(path, root), 1, 1, ERROR, message))

    for entry in _visible(sources_dir):
        if entry.name in OTHER_ENTRIES and entry.name not in KINDS:
            continue
        if entry.name not in KINDS:
            hint = difflib.get_close_matches(entry.name, known, n=1)
            stray(entry, f"'{entry.name}' is not something sources/ holds"
                         + (f" (did you mean '{hint[0]}'?)" if hint else "")
                         + f"; it may hold only: {', '.join(sorted(known))}")
            continue
        if not entry.is_dir():
            stray(entry, f"'{entry.name}' must be a folder of {SOURCE_SUFFIX} files")
            continue
        folder = f"sources/{entry.name}/"
        for path in _visible(entry):
            if path.is_dir():
                stray(path, f"sub-folders are not read: {folder} holds {SOURCE_SUFFIX} files directly; "
                            f"move the files in '{path.name}/' up into {folder}")
            elif path.name.endswith(SOURCE_SUFFIX) and path.is_file():
                found.append(SourceFile(entry.name, path, _shown(path, root)))
            elif path.suffix.lower() in (".yml", ".yaml"):
                stray(path, f"rename it to '{path.stem}{SOURCE_SUFFIX}': sources are read only from "
                            f"{SOURCE_SUFFIX} files")
            else:
                stray(path, f"not a source: {folder} holds only {SOURCE_SUFFIX} files, one source each")
    for kind, name in SINGLE_FILES.items():
        path = sources_dir / name
        if path.is_file():
            found.append(SourceFile(kind, path, _shown(path, root)))
    return found, problems


def _visible(folder: Path) -> list[Path]:
    # Hidden entries (.gitkeep, .DS_Store, editors' swap files) are by convention no one's content.
    order = {kind: index for index, kind in enumerate(KINDS)}
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return sorted(entries, key=lambda p: (order.get(p.name, len(order)), p.name))


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def check_files(files: Iterable[SourceFile]) -> tuple[dict[str, dict[str, Document]], list[Diagnostic]]:
    """Load and check every file; returns the documents that loaded and every problem found."""
    documents: dict[str, dict[str, Document]] = {kind: {} for kind in (*KINDS, *SINGLE_FILES)}
    problems: list[Diagnostic] = []
    for source in files:
        try:
            doc = load_document(source.path, source.shown)
        except SourceProblems as exc:
            problems += exc.diagnostics
            continue
        first_line = source.path.read_text(encoding="utf-8").split("\n", 1)[0]
        problems += schema_diagnostics(doc, source.kind)
        problems += file_diagnostics(doc, source.kind, source.stem, first_line)
        documents[source.kind][source.stem] = doc
    from . import hazard_log, red_flags

    problems += reference_diagnostics(documents)
    problems += red_flags.reference_diagnostics(documents)
    problems += placeholder_diagnostics(documents)
    problems += hazard_log.hazard_log_diagnostics(documents)
    problems += sms_budget_diagnostics(documents, problems)
    return documents, problems


def sms_budget_diagnostics(documents: dict[str, dict[str, Document]],
                           problems: list[Diagnostic]) -> list[Diagnostic]:
    """Each condition's English message must be GSM-7 within the publisher's budget for its
    primary locale (one segment unless `sms_budget` says more). Translations: i18n.sms_diagnostics."""
    from .formats.sms import compose
    from .sms_encoding import SINGLE, GSM7, encode

    broken = {d.path for d in problems if d.is_error}
    publishers = [model.publisher_from_data(doc.data) for doc in documents["publishers"].values()
                  if doc.path not in broken]
    flags = _red_flags(documents, broken)
    found = []
    for doc in documents["conditions"].values():
        if doc.path in broken or not _flag_ids(doc) <= set(flags):
            continue  # its own or its red flags' problems are reported already
        condition = model.condition_from_data(doc.data, flags)
        for publisher in publishers:
            message = compose(model.fill_terms(condition, publisher.terms), publisher)
            cost = encode(message)
            if cost.encoding != GSM7:
                chars = " ".join(f"'{c}' (U+{ord(c):04X})" for c in cost.outside_gsm7)
                found.append(doc.diagnostic("/sms", f"SMS for publisher '{publisher.slug}' has characters "
                                                    f"outside GSM-7: {chars}"))
            elif cost.segments > publisher.segment_budget(publisher.locale) == 1:
                found.append(doc.diagnostic(
                    "/sms/message",
                    f"SMS for publisher '{publisher.slug}' is {cost.units} septets; one message holds "
                    f"{SINGLE[GSM7]} (shorten it by {cost.units - SINGLE[GSM7]})"))
            elif cost.segments > publisher.segment_budget(publisher.locale):
                found.append(doc.diagnostic(
                    "/sms/message", f"SMS for publisher '{publisher.slug}' is {cost.segments} segments "
                                    f"({cost.units} septets); the budget for {publisher.locale} is "
                                    f"{publisher.segment_budget(publisher.locale)}"))
    return found


def _flag_ids(doc: Document) -> set[str]:
    ids = {flag for block in doc.data["care"] for flag in block.get("red_flags") or []}
    return ids | ({doc.data["sms"]["red_flag"]} if "red_flag" in doc.data["sms"] else set())


def _red_flags(documents: dict[str, dict[str, Document]], broken: set[str] = frozenset()) -> model.FrozenMap:
    return model.FrozenMap({flag_id: model.red_flag_from_data(doc.data)
                            for flag_id, doc in documents["red-flags"].items() if doc.path not in broken})


def library_from_documents(documents: dict[str, dict[str, Document]]) -> model.Library:
    """The content model of checked documents; red flags first, as conditions show their texts."""
    flags = _red_flags(documents)

    def built(kind: str) -> model.FrozenMap:
        return model.FrozenMap({slug: model.BUILDERS[kind](doc.data) for slug, doc in documents[kind].items()})

    log = next(iter(documents.get("hazard-log", {}).values()), None)
    return model.Library(
        conditions=model.FrozenMap({slug: model.condition_from_data(doc.data, flags)
                                    for slug, doc in documents["conditions"].items()}),
        topics=built("topics"),
        guides=built("guides"),
        publishers=built("publishers"),
        red_flags=flags,
        hazard_log=model.hazard_log_from_data(log.data) if log else None,
    )
