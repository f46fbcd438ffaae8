"""A project folder: where its sources and outputs are, and checking the sources in it."""

from __future__ import annotations

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

    def check(self, only: Iterable[Path] = ()) -> tuple[list[Diagnostic], int]:
        """Every problem in the project's sources (or only in the files under `only`).

        Returns the problems and how many files they speak for.
        """
        from .sources import check_files, gather

        files, strays = gather(self.sources_dir, self.root)
        problems: list[Diagnostic] = []
        wanted = [Path(p).resolve() for p in only]
        for path in wanted:
            if not path.exists():
                problems.append(Diagnostic(str(path), 1, 1, ERROR, "no such file or folder"))
        if not files:
            problems.append(Diagnostic(str(self.sources_dir), 1, 1, ERROR, "no sources found"))
            return problems + strays, 0
        documents, found = check_files(files)
        found, catalogue_files, _ = self._check_catalogues(documents, found)
        files = files + catalogue_files
        found, checked = narrow(strays + found, files, wanted, len(files), self.root)
        return problems + found, checked

    def _check_catalogues(self, documents, problems: list[Diagnostic]):
        """The sources' problems plus their catalogues' (sources/locales/), and the catalogue files."""
        from .i18n import catalogue_files, read_all, sms_diagnostics
        from .sources import SourceFile

        broken = {p.path for p in problems if p.is_error}
        catalogues, catalogue_problems = read_all(self, documents, broken)
        catalogue_problems += sms_diagnostics(documents, catalogues, broken | {p.path for p in catalogue_problems
                                                                                if p.is_error})
        files = [SourceFile("locales", f.path, f.shown) for f in catalogue_files(self)]
        return problems + catalogue_problems, files, catalogues

    def library(self, publisher: str | None = None) -> Library:
        """The content model of every source, or SourceProblems naming every problem.

        With a publisher slug, the texts are filled with that publisher's words, as a build
        for it shows them.
        """
        from .sources import library_from_documents

        library = library_from_documents(self.documents())
        return library.for_publisher(library.publishers[publisher]) if publisher else library

    def documents(self):
        """Every source, loaded and checked (catalogues too), or SourceProblems naming every problem."""
        from .sources import check_files, gather

        files, strays = gather(self.sources_dir, self.root)
        if not files:
            raise SourceProblems([Diagnostic(str(self.sources_dir), 1, 1, ERROR, "no sources found"), *strays])
        documents, problems = check_files(files)
        problems, _, _ = self._check_catalogues(documents, strays + problems)
        if any(p.is_error for p in problems):
            raise SourceProblems(problems)
        return documents


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
    """Validation problems plus every lint rule's findings; returns (problems, files checked)."""
    import datetime as dt

    from .lint import LintContext, lint_documents, load_jargon
    from .sources import check_files, gather

    files, strays = gather(project.sources_dir, project.root)
    documents, problems = check_files(files)
    problems = strays + problems
    jargon_path = project.sources_dir / "jargon.yaml"
    terms, jargon_problems = load_jargon(jargon_path, "sources/jargon.yaml")
    problems += jargon_problems
    numbers = tuple(doc.data.get("emergency_number") for doc in documents["publishers"].values()
                    if isinstance(doc.data.get("emergency_number"), str))
    broken = {d.path for d in problems if d.is_error}
    valid = {kind: {slug: doc for slug, doc in docs.items() if doc.path not in broken}
             for kind, docs in documents.items()}
    ctx = LintContext(terms, numbers, today or dt.date.today(), release)
    # Catalogues are checked against the sources that validated (lint findings break nothing).
    problems, translation_files, catalogues = project._check_catalogues(documents, problems)
    problems += lint_documents(valid, ctx)
    translation_problems, jargon_files = _lint_translations(project, valid, catalogues, ctx)
    problems += translation_problems
    files = files + translation_files
    return narrow(problems, files, [Path(p).resolve() for p in only],
                  len(files) + (1 if jargon_path.exists() else 0) + jargon_files, project.root)


def _lint_translations(project: Project, valid, catalogues, ctx):
    """The lint rules run on every translation; returns (findings, Spanish/other jargon files read)."""
    from .i18n import translation_lint

    return translation_lint(project, valid, catalogues, ctx.today, ctx.release, ctx.emergency_numbers)
