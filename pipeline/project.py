"""A project folder: where its sources and outputs are, and checking the sources in it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .diagnostics import ERROR, Diagnostic, SourceProblems
from .model import Library

# The loader and validator (PyYAML, jsonschema) are imported by the methods that use them,
# so that a build with nothing to do never loads them.


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    def gather(self) -> "Checked":
        """Load and check every source, approvals ledger and translation catalogue."""
        from .approvals import load_ledgers
        from .i18n import catalogue_files, read_all, sms_diagnostics
        from .sources import SourceFile, check_files, gather

        files, strays = gather(self.sources_dir, self.root)
        documents, problems = check_files(files)
        ledgers, ledger_problems, ledger_files = load_ledgers(self.sources_dir, self.root, documents)
        problems = strays + problems + ledger_problems
        # Catalogues are compared with the sources that are sound; a broken source is reported first.
        broken = {p.path for p in problems if p.is_error}
        catalogues, catalogue_problems = read_all(self, documents, broken)
        catalogue_problems += sms_diagnostics(documents, catalogues, broken | {
            p.path for p in catalogue_problems if p.is_error})
        translations = [SourceFile("locales", f.path, f.shown) for f in catalogue_files(self)]
        return Checked(files, ledger_files, documents, ledgers, problems + catalogue_problems,
                       translations, catalogues)

    def check(self, only: Iterable[Path] = ()) -> tuple[list[Diagnostic], int]:
        """Every problem in the project's sources (or only in the files under `only`).

        Returns the problems and how many files they speak for.
        """
        problems: list[Diagnostic] = []
        wanted = [Path(p).resolve() for p in only]
        for path in wanted:
            if not path.exists():
                problems.append(Diagnostic(str(path), 1, 1, ERROR, "no such file or folder"))
        checked = self.gather()
        if not checked.files:
            problems.append(Diagnostic(str(self.sources_dir), 1, 1, ERROR, "no sources found"))
            return problems + checked.problems, 0
        everything = checked.files + checked.ledger_files + checked.catalogue_files
        found, count = narrow(checked.problems, everything, wanted, len(everything), self.root)
        return problems + found, count

    def checked(self) -> "Checked":
        """Everything gathered, or SourceProblems naming every problem (sources, ledgers, catalogues)."""
        checked = self.gather()
        if not checked.files:
            raise SourceProblems([Diagnostic(str(self.sources_dir), 1, 1, ERROR, "no sources found"),
                                  *checked.problems])
        if any(p.is_error for p in checked.problems):
            raise SourceProblems(checked.problems)
        return checked

    def documents(self) -> dict:
        """Every source, loaded and checked, or SourceProblems naming every problem."""
        return self.checked().documents

    def library(self, publisher: str | None = None, today: dt.date | None = None) -> Library:
        """The content model of every source, with each item's sign-off status as of `today`,
        or SourceProblems naming every problem.

        With a publisher slug, the texts are filled with that publisher's words, as a build
        for it shows them. Sign-off is decided before filling: an approval covers the source
        text, whichever publisher's words fill it.
        """
        library = self.checked().library(today or dt.date.today())
        return library.for_publisher(library.publishers[publisher]) if publisher else library


@dataclass(frozen=True)
class Checked:
    """Every source and ledger of a project, loaded and checked."""

    files: list  # sources.SourceFile
    ledger_files: list  # approvals.LedgerFile
    documents: dict
    ledgers: dict
    problems: list[Diagnostic]
    catalogue_files: list = ()  # sources.SourceFile of sources/locales/**.po
    catalogues: object = None  # i18n.Catalogues

    def library(self, today: dt.date) -> Library:
        from .approvals import attach
        from .sources import library_from_documents

        return attach(library_from_documents(self.documents), self.ledgers, today)

    def locale_build(self, project: "Project", publisher: str, locale: str, today: dt.date, *,
                     allow_partial: bool = False):
        """The content model of one of a publisher's locales, each item's sign-off derived for
        that language (see i18n.locale_build)."""
        from .approvals import attach
        from .i18n import locale_build
        from .locales import language

        built = locale_build(project, self.documents, publisher, locale, allow_partial=allow_partial,
                             catalogues=self.catalogues)
        if built.library is None:
            return built
        return dataclasses.replace(built, library=attach(built.library, self.ledgers, today, language(locale)))


def narrow(problems: list[Diagnostic], files, wanted: list[Path], total: int,
           root: Path) -> tuple[list[Diagnostic], int]:
    """Only the problems in files under `wanted` (all of them when it is empty), and how many
    files that is. References are still checked against the whole project."""
    if not wanted:
        return problems, total
    chosen = [f for f in files if any(_within(f.path.resolve(), w) for w in wanted)]
    # By the path each problem names, so that entries which are not sources (a stray .yml
    # file) are narrowed like the sources beside them.
    return [d for d in problems if any(_within((root / d.path).resolve(), w) for w in wanted)], len(chosen)


def _within(path: Path, folder_or_file: Path) -> bool:
    return path == folder_or_file or folder_or_file in path.parents


def lint_project(project: Project, only=(), *, release: bool = False, today=None):
    """Validation problems plus every lint rule's findings; returns (problems, files checked).

    Under `release`, every item that is not approved and in date is an error at its reference.
    """
    from .approvals import RELEASE_STATUS_RULES, chapter_diagnostics, status_diagnostics
    from .lint import LintContext, lint_documents, load_jargon

    today = today or dt.date.today()
    checked = project.gather()
    documents, problems = checked.documents, list(checked.problems)
    jargon_path = project.sources_dir / "jargon.yaml"
    terms, jargon_problems = load_jargon(jargon_path, "sources/jargon.yaml")
    problems += jargon_problems
    numbers = tuple(doc.data.get("emergency_number") for doc in documents["publishers"].values()
                    if isinstance(doc.data.get("emergency_number"), str))
    broken = {d.path for d in problems if d.is_error}
    valid = {kind: {slug: doc for slug, doc in docs.items() if doc.path not in broken}
             for kind, docs in documents.items()}
    ctx = LintContext(terms, numbers, today, release)
    found = lint_documents(valid, ctx)
    translation_problems, jargon_files = _lint_translations(project, valid, checked, ctx)
    found += translation_problems
    if not any(p.is_error for p in checked.problems):
        library = checked.library(today)
        # An approval sets its own next review date; the source's date only governs until then.
        in_force = {doc.path for kind, docs in documents.items() if kind in ("conditions", "topics", "guides")
                    for slug, doc in docs.items() if _item(library, kind, slug).approval.in_force}
        found = [p for p in found if not (p.rule == "review-overdue" and p.path in in_force)]
        found += status_diagnostics(library, documents, release)
        if release:
            from .safety_rules import RELEASE_RULES

            refusing = [p for p in found if p.is_error and p.rule in (*RELEASE_STATUS_RULES, *RELEASE_RULES)]
            found += chapter_diagnostics(documents, refusing)
    problems += found
    everything = checked.files + checked.ledger_files + checked.catalogue_files
    return narrow(problems, everything, [Path(p).resolve() for p in only],
                  len(everything) + (1 if jargon_path.exists() else 0) + jargon_files, project.root)


def _lint_translations(project: Project, valid, checked: Checked, ctx):
    """The lint rules run on every translation; returns (findings, other languages' jargon files read)."""
    from .i18n import translation_lint

    return translation_lint(project, valid, checked.catalogues, ctx.today, ctx.release, ctx.emergency_numbers,
                            ledgers=checked.ledgers)


def _item(library: Library, kind: str, slug: str):
    return {"conditions": library.conditions, "topics": library.topics, "guides": library.guides}[kind][slug]
