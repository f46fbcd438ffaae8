"""The `handouts` command line: parses options, calls the library, reports. No logic of its own."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import FORMATS, SourceProblems, render_report, summary_line
from .model import DEFAULT_LOCALE, DEFAULT_PUBLISHER
from .workers import DEFAULT_TIMEOUT

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
@click.option("--release", is_flag=True, help="Treat drafts, changes since approval and overdue reviews as errors.")
def lint(paths: tuple[Path, ...], project_dir: Path, fmt: str, release: bool) -> None:
    """Check plain language, jargon, care levels and governance (after validating).

    Rules: reading-grade, sentence-length, paragraph-length, jargon, action-section,
    care-heading, emergency-links, emergency-number, review-overdue, review-changed,
    review-draft and review-chapter (with --release), and the clinical safety rules
    safety-net, look-alike, sms-emergency-line, sms-milder-action, locale-words. The jargon
    list is sources/jargon.yaml; the locale word lists are sources/words/. Exits 1 if any
    error is found.
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
@click.option("--release", is_flag=True,
              help="Build only approved, in-date items and translations; name every other one (exit 1 if any).")
@click.option("--allow-partial", is_flag=True,
              help="Previews: also build items whose translation is incomplete, the English left in marked.")
@click.option("--force", is_flag=True, help="Rebuild every selected artifact, even those that are up to date.")
@click.option("--dry-run", is_flag=True,
              help="List what would be rebuilt and why; write nothing (not even the build state).")
@click.option("--timeout", "job_timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="Time limit for one PDF or EPUB; one that takes longer fails and the build goes on.")
def build(project_dir: Path, publisher: str, out_dir: Path | None, workers: int | None,
          only: tuple[str, ...], formats: str, release: bool, force: bool, dry_run: bool,
          job_timeout: float, allow_partial: bool) -> None:
    """Build every output that is out of date into outputs/ (or --out).

    Every source is checked first: one bad source stops the build before any file is
    written. Each file is written under a temporary name and renamed into place, and
    outputs/manifest.json lists every artifact with its size, SHA-256, reference and version.
    An artifact is out of date when its content, any file of the pipeline (code, templates,
    styles, fonts, schemas) or a library that renders it (WeasyPrint, Pango, HarfBuzz,
    pandoc, ...) changed.

    With --release, only items that are clinically approved and in date are built; every
    other item is named at its source line and the command exits 1.

    Every locale of the publisher is built from its translation (sources/locales/) into its
    own folder (es/...); an item whose translation is incomplete is left out of that locale
    with a warning, unless --allow-partial.
    """
    from .build import BuildOptions, BuildRefused, build as run_build, dry_run as plan_only
    from .progress import Reporter, report_dry_run
    from .project import Project

    options = BuildOptions(
        publisher=publisher, out_dir=out_dir, workers=workers or _default_jobs(),
        only=tuple(s for item in only for s in item.split(",") if s),
        formats=tuple(f for f in formats.split(",") if f), release=release, force=force,
        job_timeout=job_timeout, allow_partial=allow_partial,
    )
    reporter = Reporter(interactive=sys.stderr.isatty())
    try:
        if dry_run:
            report_dry_run(plan_only(Project(project_dir), options))
            return
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
    if report.refused:
        click.echo(f"Release: left out {len({d.path for d in report.refused})} item(s) that are not "
                   "approved and in date:", err=True)
        click.echo(render_report(report.refused, "text"), err=True)
    sys.exit(1 if report.failed or report.refused else 0)


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

    English that moved to another field keeps its translation. An English text that changed
    keeps its translation marked fuzzy, with the English it was made from shown to the
    translator; a translation no field uses any more stays as an obsolete entry.
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
@click.option("--format", "formats", metavar="LIST", default="",
              help="Comma-separated formats to build and preview, e.g. html,catalogue (default: all); "
                   "web pages alone rebuild in seconds, without laying out the leaflets.")
@click.option("--allow-partial", is_flag=True,
              help="Also preview items whose translation is incomplete, the English left in marked.")
def serve(project_dir: Path, port: int, publisher: str, out_dir: Path | None, formats: str,
          allow_partial: bool) -> None:
    """Preview: build, serve outputs/ on 127.0.0.1, rebuild on every edit and reload the page.

    Watches sources/, the templates and the styles. A broken source shows its error on
    the page and here, while the last good outputs stay served; when there are none yet,
    every page shows the errors and reloads once the sources build.
    """
    from .serve import Preview

    root = project_dir.resolve()
    target = (out_dir or root / "outputs").resolve()
    build_args = ["--publisher", publisher, *(["--format", formats] if formats else []),
                  *(["--allow-partial"] if allow_partial else [])]
    preview = Preview(root, target, build_args, say=lambda text: click.echo(text, err=True))
    preview.rebuild()
    try:
        preview.serve(port)
    except OSError as exc:
        click.echo(f"error: cannot serve on 127.0.0.1:{port}: {exc.strerror}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


def _today(value: str | None, option: str) -> "dt.date":
    import datetime as dt

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


@main.command()
@click.argument("names", nargs=-1, required=True, metavar="SLUG...")
@project_option
@click.option("--publisher", default=DEFAULT_PUBLISHER, show_default=True,
              help="Publisher profile whose care headings and address the pack shows.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write here instead of the project's outputs/ folder.")
def review(names: tuple[str, ...], project_dir: Path, publisher: str, out_dir: Path | None) -> None:
    """Write a clinical review pack per item: outputs/review/SLUG.html and SLUG.pdf.

    First brings the handouts up to date (the pack links to them). A pack holds every statement
    by section with its reading level, each warning sign with its basis, open lint findings,
    a word-level diff against the last approved version, and a sign-off section.
    A SLUG may be written KIND/SLUG (conditions/dvt) when a guide shares it.
    """
    from .build import BuildOptions, BuildRefused, build as run_build, build_review_packs
    from .project import Project

    project = Project(project_dir)
    # Everything, not only these items: the pack links to their pages, and those pages to
    # their stylesheet and to the pages they show. Incremental, so usually quick.
    options = BuildOptions(publisher=publisher, out_dir=out_dir, workers=_default_jobs())
    try:
        built = run_build(project, options)
        packs = build_review_packs(project, names, options)
    except SourceProblems as problems:
        fail_with(problems)
    except BuildRefused as refused:
        click.echo(f"error: {refused}", err=True)
        sys.exit(1)
    target = out_dir or project.outputs_dir
    for outcome in built.failed + packs.failed:
        click.echo(f"error: {outcome.job.path}: {outcome.error}", err=True)
    for outcome in packs.outcomes:
        if outcome.status == "built":
            click.echo(str(target / outcome.job.path))
    sys.exit(1 if built.failed or packs.failed else 0)


@main.command()
@click.argument("names", nargs=-1, metavar="SLUG...")
@click.option("--all", "everything", is_flag=True, help="Approve every condition, topic and guide.")
@click.option("--by", "by", required=True, metavar='"NAME, CREDENTIAL"',
              help='The reviewing clinician, e.g. "Jane Doe, MD" (the credential may hold commas).')
@click.option("--date", "date", metavar="YYYY-MM-DD", help="Date of the review  [default: today]")
@click.option("--next-review", "next_review", metavar="YYYY-MM-DD",
              help="When the approval lapses (at most 3 years on)  [default: a year after --date]")
@click.option("--locale", default="en", show_default=True,
              help="Language of the content approved: 'en' for the sources, 'es' for their Spanish translation.")
@click.option("--fingerprint", "expected", metavar="sha256:HEX",
              help="The content fingerprint from the review pack (its start will do): refuse if the "
                   "content has changed since the pack was made. Needs exactly one SLUG.")
@project_option
def approve(names: tuple[str, ...], everything: bool, by: str, date: str | None, next_review: str | None,
            locale: str, expected: str | None, project_dir: Path) -> None:
    """Record a clinician's approval of the exact current content of items.

    Appends a record (version, reviewer, date, next review, content fingerprint and the
    content itself) to sources/approvals/KIND/SLUG.yaml; commit it with the sources. Refuses,
    recording nothing, if validate or lint report an error for any item named. Re-approving
    unchanged content keeps its version and renews its review dates.
    """
    import datetime as dt

    from .approvals import (default_next_review, find_item, parse_reviewer, plan_approval, refusals,
                            write_approvals)
    from .approvals import items as all_items
    from .project import Project, lint_project

    if bool(names) == everything:
        click.echo("error: name the items to approve, or use --all (not both)", err=True)
        sys.exit(2)
    if expected is not None and len(names) != 1:
        raise click.BadParameter("a fingerprint belongs to one item: name exactly one SLUG", param_hint="--fingerprint")
    if expected is not None and not re.fullmatch(r"sha256:[0-9a-f]{8,64}", expected):
        raise click.BadParameter("write it as in the review pack: 'sha256:' and at least 8 hex digits",
                                 param_hint="--fingerprint")
    try:
        reviewer = parse_reviewer(by)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--by") from None
    from .locales import catalogue_language, is_source

    # An approval of a translation is of the words in that language: approvals are per language.
    locale = DEFAULT_LOCALE if is_source(locale) else catalogue_language(locale)
    today = dt.date.today()
    day = _today(date, "--date")
    if day > today:
        raise click.BadParameter(f"{day} is in the future", param_hint="--date")
    lapses = _today(next_review, "--next-review") if next_review else default_next_review(day)
    project = Project(project_dir)
    problems, _ = lint_project(project, today=today)
    if any(p.is_error and not p.rule for p in problems):
        click.echo("Approval refused: fix these problems first.", err=True)
        fail_with(SourceProblems([p for p in problems if p.is_error and not p.rule]))
    checked = project.gather()
    library = checked.library(today)
    if locale != DEFAULT_LOCALE:
        from .i18n import translated_library

        # Only a complete, current translation can be approved: its words are what is signed.
        library, notices = translated_library(project, checked, locale)
        if library is None:
            for notice in notices:
                click.echo(notice.as_text(), err=True)
            click.echo(f"error: nothing is translated into '{locale}' that could be approved", err=True)
            sys.exit(1)
    try:
        wanted = list(all_items(library)) if everything else [find_item(library, name) for name in names]
    except LookupError as exc:
        if locale != DEFAULT_LOCALE:
            exc = LookupError(f"{exc} with a complete '{locale}' translation (handouts i18n status)")
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    blocking = refusals(problems, wanted, project.sources_dir)
    if locale != DEFAULT_LOCALE:
        from .i18n import catalogue_path_of

        # The translation's own catalogue must be free of errors too (and of fuzzy entries).
        own = {catalogue_path_of(kind, item.slug, locale) for kind, item in wanted}
        blocking += [p for p in problems if p.is_error and p.path in own]
    if blocking:
        click.echo("Approval refused: fix these problems first; nothing was recorded.", err=True)
        fail_with(SourceProblems(blocking))
    try:
        planned = [plan_approval(project.sources_dir, library, checked.ledgers, kind, item, reviewer, day, lapses,
                                 locale) for kind, item in wanted]
        if expected is not None and not planned[0].record["fingerprint"].startswith(expected):
            raise ValueError(f"{planned[0].item.reference} has changed since the review pack was made "
                             f"(its fingerprint is now {planned[0].record['fingerprint'][:19]}..., not {expected}); "
                             f"make a new pack with 'handouts review {planned[0].item.slug}' and review that")
        write_approvals(planned)
    except ValueError as exc:
        click.echo(f"error: {exc}; nothing was recorded", err=True)
        sys.exit(1)
    for plan in planned:
        record = plan.record
        shown = plan.path.relative_to(project.root) if plan.path.is_relative_to(project.root) else plan.path
        click.echo(f"Approved {plan.item.reference} version {record['version']} ({locale}) by {reviewer.name}, "
                   f"{reviewer.credential} on {day}; next review {lapses}. Recorded in {shown}")


@main.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text for people, json for tools.")
@click.option("--today", "today", metavar="YYYY-MM-DD", hidden=True, help="Judge review dates as of this day.")
def status(project_dir: Path, fmt: str, today: str | None) -> None:
    """List every item with its clinical sign-off status, version, reviewer and dates.

    Statuses: approved (the content is what was approved, and in date), changed (edited
    since its last approval), overdue (past the approval's next review date), draft (never
    approved). Derived from sources/approvals/, never typed in a source.
    """
    import json

    from .approvals import status_rows
    from .project import Project

    try:
        library = Project(project_dir).library(today=_today(today, "--today"))
    except SourceProblems as problems:
        fail_with(problems)
    rows = status_rows(library)
    if fmt == "json":
        click.echo(json.dumps({"items": rows}, indent=2, ensure_ascii=False))
        return
    header = ("reference", "status", "version", "reviewer", "approved", "next review", "source")
    table = [header] + [
        (r["reference"], r["status"], str(r["version"]),
         f"{r['reviewer']}, {r['credential']}" if r["reviewer"] else "-",
         r["approved_on"] or "-", r["next_review"], r["source"])
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
