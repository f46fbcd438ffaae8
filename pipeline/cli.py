"""The `handouts` command line: parses options, calls the library, reports. No logic of its own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import FORMATS, SourceProblems, render_report, summary_line
from .model import DEFAULT_PUBLISHER

project_option = click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="The project folder holding sources/ and outputs/.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
    help="text for people, github for GitHub Actions annotations, json for tools.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
def main() -> None:
    """Build patient handouts about pain behind the knee from YAML sources."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@project_option
@format_option
def validate(paths: tuple[Path, ...], project_dir: Path, fmt: str) -> None:
    """Check sources against their schemas and each other.

    With PATHS (files or folders), report only problems in those files; references are
    still checked against the whole project. Exits 1 if any error is found.
    """
    from .project import Project

    problems, checked = Project(project_dir).check(paths)
    _report(problems, checked, fmt)
    sys.exit(1 if any(p.is_error for p in problems) else 0)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@project_option
@format_option
@click.option("--release", is_flag=True, help="Treat overdue reviews and drafts as errors.")
def lint(paths: tuple[Path, ...], project_dir: Path, fmt: str, release: bool) -> None:
    """Check plain language, jargon, care levels and governance (after validating).

    Rules: reading-grade, sentence-length, paragraph-length, jargon, action-section,
    care-heading, emergency-links, emergency-number, review-overdue, review-draft, and
    the clinical safety rules safety-net, look-alike, sms-emergency-line,
    sms-milder-action, locale-words. The jargon list is sources/jargon.yaml; the locale
    word lists are sources/words/. Exits 1 if any error is found.
    """
    from .project import Project, lint_project

    problems, checked = lint_project(Project(project_dir), paths, release=release)
    _report(problems, checked, fmt)
    sys.exit(1 if any(p.is_error for p in problems) else 0)


def _report(problems, checked: int, fmt: str) -> None:
    report = render_report(problems, fmt)
    if fmt == "json":
        click.echo(report)
        return
    if report:
        click.echo(report, err=fmt == "text")
    if fmt == "text":
        click.echo(summary_line(problems, checked), err=True)


def fail_with(problems: SourceProblems, fmt: str = "text") -> None:
    _report(problems.diagnostics, len({d.path for d in problems.diagnostics}), fmt)
    sys.exit(1)


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@main.command()
@project_option
@click.option("--publisher", default=DEFAULT_PUBLISHER, show_default=True,
              help="Publisher profile (a file in sources/publishers/) to build for.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write here instead of the project's outputs/ folder.")
@click.option("-j", "--jobs", "workers", type=click.IntRange(min=1), default=None,
              help="Worker processes  [default: every core]")
@click.option("--only", multiple=True, metavar="SLUG",
              help="Build only what belongs to this condition, topic or guide (repeatable).")
@click.option("--format", "formats", metavar="LIST", default="",
              help="Comma-separated formats to build, e.g. html,pdf (default: all).")
@click.option("--release", is_flag=True, help="Refuse drafts, overdue reviews, fuzzy and unreviewed translations.")
@click.option("--allow-partial", is_flag=True,
              help="Previews: also build items whose translation is incomplete, the English left in marked.")
def build(project_dir: Path, publisher: str, out_dir: Path | None, workers: int | None,
          only: tuple[str, ...], formats: str, release: bool, allow_partial: bool) -> None:
    """Build every output that is out of date into outputs/ (or --out).

    Every source is checked first: one bad source stops the build before any file is
    written. Each file is written under a temporary name and renamed into place, and
    outputs/manifest.json lists every artifact with its size and SHA-256.

    Every locale of the publisher is built from its translation (sources/locales/) into its
    own folder (es/...); an item whose translation is incomplete is left out of that locale
    with a warning, unless --allow-partial.
    """
    from .build import BuildOptions, BuildRefused, build as run_build
    from .progress import Reporter
    from .project import Project

    options = BuildOptions(
        publisher=publisher, out_dir=out_dir, workers=workers or _default_jobs(),
        only=tuple(s for item in only for s in item.split(",") if s),
        formats=tuple(f for f in formats.split(",") if f), release=release, allow_partial=allow_partial,
    )
    reporter = Reporter(interactive=sys.stderr.isatty())
    try:
        report = run_build(Project(project_dir), options, observer=reporter,
                           on_wait=lambda: click.echo("Another build is using this output folder; waiting for it to finish...", err=True))
    except SourceProblems as problems:
        if release:
            click.echo("Release refused: these items are not ready to publish.", err=True)
        fail_with(problems)
    except BuildRefused as refused:
        click.echo(f"error: {refused}", err=True)
        sys.exit(1)
    reporter.summary(report)
    sys.exit(1 if report.failed else 0)


@main.command()
@click.argument("slug")
@project_option
@click.option("--publisher", default=DEFAULT_PUBLISHER, show_default=True,
              help="Publisher profile whose sender, number and web address to use.")
@click.option("--locale", "locale", metavar="LOCALE", default=None,
              help="One of the publisher's locales, for example 'es' or 'es-US'  [default: its primary locale]")
def sms(slug: str, project_dir: Path, publisher: str, locale: str | None) -> None:
    """Print a condition's text message with its encoding, septets and segments.

    In a translated locale the message is composed from the translation, and the line
    says which characters forced UCS-2 and the locale's segment budget.
    """
    from .formats.sms import compose
    from .i18n import locale_build
    from .locales import choose
    from .project import Project
    from .sms_encoding import GSM7, encode
    from .sources import library_from_documents

    project = Project(project_dir)
    try:
        documents = project.documents()
    except SourceProblems as problems:
        fail_with(problems)
    library = library_from_documents(documents)
    if slug not in library.conditions:
        click.echo(f"error: no condition '{slug}' (sources/conditions/{slug}.yaml)", err=True)
        sys.exit(1)
    if publisher not in library.publishers:
        click.echo(f"error: unknown publisher '{publisher}' (known: {', '.join(sorted(library.publishers))})", err=True)
        sys.exit(1)
    profile = library.publishers[publisher]
    tag = choose(profile.locales, locale) if locale else profile.locale
    if tag is None:
        click.echo(f"error: publisher '{publisher}' does not publish in '{locale}' "
                   f"(its locales: {', '.join(profile.locales)})", err=True)
        sys.exit(1)
    built = locale_build(project, documents, publisher, tag)
    if built.library is None or slug not in built.library.conditions:
        for notice in built.notices:
            click.echo(notice.as_text(), err=True)
        click.echo(f"error: '{slug}' has no complete {tag} translation, so it has no {tag} message", err=True)
        sys.exit(1)
    localized = built.library.for_publisher(built.library.publishers[publisher])
    message = compose(localized.conditions[slug], localized.publishers[publisher], localized.wording)
    cost = encode(message)
    unit = "septets" if cost.encoding == GSM7 else "UTF-16 units"
    click.echo(message)
    forced = f"; UCS-2 forced by {', '.join(repr(c) for c in cost.outside_gsm7)}" if cost.outside_gsm7 else ""
    budget = f"; budget {profile.segment_budget(tag)}" if locale else ""
    click.echo(f"encoding: {cost.encoding}, {cost.units} {unit}, {cost.segments} segment"
               f"{'s' if cost.segments != 1 else ''}{forced}{budget}", err=True)


@main.group()
def i18n() -> None:
    """Translations: PO catalogues in sources/locales/<language>/, one per source.

    Translators edit the catalogues in Poedit, Weblate or Crowdin. Each entry's msgctxt is
    the JSON Pointer of a field, its msgid the English, its msgstr the translation.
    """


locale_option = click.option(
    "--locale", "locale", metavar="LOCALE", default=None,
    help="Only this language ('es' or 'es-US'). Default: every language a publisher lists in "
         "'locales' and every folder in sources/locales/.",
)


@i18n.command()
@project_option
@locale_option
def extract(project_dir: Path, locale: str | None) -> None:
    """Create or update the catalogues from the English sources, keeping translations.

    An English text that changed keeps its translation marked fuzzy, with the English it was
    made from shown to the translator; a field that is gone becomes an obsolete entry.
    Nothing is written unless every source and catalogue reads cleanly.
    """
    from .i18n import extract as run_extract
    from .project import Project

    try:
        results = run_extract(Project(project_dir), locale)
    except SourceProblems as problems:
        fail_with(problems)
    for result in results:
        if result.action != "unchanged":
            click.echo(f"{result.action} {result.path}", err=True)
    changed = sum(r.action != "unchanged" for r in results)
    click.echo(f"{len(results)} catalogue{'s' if len(results) != 1 else ''}: {changed} written, "
               f"{len(results) - changed} unchanged", err=True)


@i18n.command()
@project_option
@locale_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text for people, json for tools.")
def status(project_dir: Path, locale: str | None, fmt: str) -> None:
    """How far each translation has come: translated, fuzzy, untranslated and reviewed entries,
    per catalogue and language, counted against the English as it is now."""
    import json
    from dataclasses import asdict

    from .i18n import status as run_status
    from .project import Project

    try:
        rows = run_status(Project(project_dir), locale)
    except SourceProblems as problems:
        fail_with(problems)
    if fmt == "json":
        click.echo(json.dumps({"catalogues": [
            {"locale": r.language, "kind": r.kind, "slug": r.slug, "path": r.path, "exists": r.action == "exists",
             **asdict(r.counts), "reviewed": r.reviewed} for r in rows]}, indent=2, ensure_ascii=False))
        return
    header = ("locale", "catalogue", "entries", "translated", "fuzzy", "untranslated", "reviewed")
    table = [header] + [(r.language, r.path + ("" if r.action == "exists" else " (missing)"), r.counts.entries,
                         r.counts.translated, r.counts.fuzzy, r.counts.untranslated, r.reviewed) for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        click.echo("  ".join(str(v).ljust(w) if i < 2 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths))).rstrip())


@main.command()
@project_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--publisher", default=DEFAULT_PUBLISHER, show_default=True, help="Publisher profile to build for.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Serve and build here instead of the project's outputs/ folder.")
@click.option("--allow-partial", is_flag=True,
              help="Also preview items whose translation is incomplete, the English left in marked.")
def serve(project_dir: Path, port: int, publisher: str, out_dir: Path | None, allow_partial: bool) -> None:
    """Preview: build, serve outputs/ on 127.0.0.1, rebuild on every edit and reload the page.

    Watches sources/, the templates and the styles. A broken source shows its error on
    the page and here, while the last good outputs stay served; when there are none yet,
    every page shows the errors and reloads once the sources build.
    """
    from .serve import Preview

    root = project_dir.resolve()
    target = (out_dir or root / "outputs").resolve()
    preview = Preview(root, target, ["--publisher", publisher, *(["--allow-partial"] if allow_partial else [])],
                      say=lambda text: click.echo(text, err=True))
    preview.rebuild()
    try:
        preview.serve(port)
    except OSError as exc:
        click.echo(f"error: cannot serve on 127.0.0.1:{port}: {exc.strerror}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
