"""Gathering every source under sources/, checking all of them, and building the content model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from . import model
from .diagnostics import Diagnostic, SourceProblems
from .loading import Document, load_document
from .validation import KINDS, file_diagnostics, reference_diagnostics, schema_diagnostics



@dataclass(frozen=True)
class SourceFile:
    kind: str  # one of validation.KINDS
    path: Path
    shown: str  # the path as printed in messages

    @property
    def stem(self) -> str:
        return self.path.name[: -len(".yaml")]


def discover(sources_dir: Path, project_root: Path | None = None) -> list[SourceFile]:
    """Every *.yaml file under sources/<kind>/, in a stable order."""
    root = project_root or sources_dir.parent
    found = []
    for kind in KINDS:
        folder = sources_dir / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or not path.name.endswith(".yaml"):
                continue
            found.append(SourceFile(kind, path, _shown(path, root)))
    return found


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def check_files(files: Iterable[SourceFile]) -> tuple[dict[str, dict[str, Document]], list[Diagnostic]]:
    """Load and check every file; returns the documents that loaded and every problem found."""
    documents: dict[str, dict[str, Document]] = {kind: {} for kind in KINDS}
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
    problems += reference_diagnostics(documents)
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
    found = []
    for doc in documents["conditions"].values():
        if doc.path in broken:
            continue
        condition = model.condition_from_data(doc.data)
        for publisher in publishers:
            message = compose(condition, publisher)
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


def library_from_documents(documents: dict[str, dict[str, Document]]) -> model.Library:
    built = {
        kind: model.frozen_mapping({slug: model.BUILDERS[kind](doc.data) for slug, doc in docs.items()})
        for kind, docs in documents.items()
    }
    return model.Library(
        conditions=built["conditions"],
        topics=built["topics"],
        guides=built["guides"],
        publishers=built["publishers"],
    )
