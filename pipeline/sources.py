"""Gathering every source under sources/, checking all of them, and building the content model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from . import model
from .diagnostics import Diagnostic, SourceProblems
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
    for kind, name in SINGLE_FILES.items():
        path = sources_dir / name
        if path.is_file():
            found.append(SourceFile(kind, path, _shown(path, root)))
    return found


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
    """Each condition's message must be one GSM-7 segment for every publisher profile."""
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
            elif cost.segments > 1:
                found.append(doc.diagnostic(
                    "/sms/message",
                    f"SMS for publisher '{publisher.slug}' is {cost.units} septets; one message holds "
                    f"{SINGLE[GSM7]} (shorten it by {cost.units - SINGLE[GSM7]})"))
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
