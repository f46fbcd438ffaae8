"""The build: check every source, plan every artifact, render what is stale, write atomically.

Only this module writes to the output folder. It works in two phases, as MkDocs does:
first everything is loaded and checked (a bad source stops the build before any file is
touched), then artifacts are rendered, in worker processes, and written one by one, each
to a temporary name renamed into place; then the manifest, then the build state.

Whether an artifact is stale is decided by its fingerprint: its content slice (what its
format says the job shows) and the toolchain (every file of the package, the schemas, and the
versions of the libraries that render; see toolchain.py). Nothing a renderer can be changed by
is left out, so an incremental build always equals a clean one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import __version__
from .atomic import exclusive_lock, fault_point, remove_stale_temporaries, write_atomic, write_if_changed
from .diagnostics import Diagnostic, SourceProblems
# Only light modules here: a build with nothing to do must not pay for YAML, JSON Schema,
# templates or renderers. The rest is imported once the build knows it has work.
from .formats import Format, Job, Listed, RenderContext, all_formats
from .lifetime import sweep
from .locales import output_prefix
from .model import DEFAULT_PUBLISHER, FrozenMap, Library
from .toolchain import Toolchain, current as current_toolchain
from .workers import DEFAULT_TIMEOUT, Rendered, render_here, render_in_workers, start_server_early

STATE_DIR = ".handouts"  # hidden: build state and lock, never in the manifest
STATE_FILE = "state.json"
TMP_DIR = "tmp"  # inside STATE_DIR: where files are written before they are renamed into place
MANIFEST = "manifest.json"


class BuildRefused(Exception):
    """The build cannot start (unknown publisher, drafts in a release, ...)."""


@dataclass
class Outcome:
    job: Job
    status: str  # "built", "unchanged", "failed" or "skipped" (a translated leaflet that does not fit)
    seconds: float = 0.0
    error: str = ""
    # Peak resident memory of the worker process that rendered it, in KiB (0 when it was not
    # rendered in a worker).
    peak_kib: int = 0
    reason: str = ""  # why it was (re)built
    notes: tuple[str, ...] = ()  # what happened on the way, such as a lost worker's retry


@dataclass
class BuildReport:
    outcomes: list[Outcome] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Items a release build left out (not approved and in date), one located error each.
    refused: list[Diagnostic] = field(default_factory=list)
    # What was left out of a locale and why (an incomplete translation), as located warnings.
    notices: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def counts(self) -> dict[str, Counter]:
        table: dict[str, Counter] = {}
        for outcome in self.outcomes:
            table.setdefault(outcome.job.format, Counter())[outcome.status] += 1
        return table


def _epoch() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise BuildRefused(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def source_date(library: Library) -> dt.datetime:
    """The date of what lists every item (the catalogue, the SMS table): SOURCE_DATE_EPOCH if
    set, else the newest review or approval date. Derived from the content, so two builds of
    the same sources are byte-identical."""
    items = [*library.conditions.values(), *library.topics.values(), *library.guides.values()]
    newest = max((_item_day(item) for item in items), default=dt.date(2026, 1, 1))
    return _epoch() or _midnight(newest)


def _item_day(item) -> dt.date:
    """An item's publication date: its last review, or its latest approval when that is newer
    (a new approval is a new publication)."""
    latest = item.approval.latest
    return max(item.review.last_reviewed, latest.date) if latest else item.review.last_reviewed


def artifact_date(job: Job, library: Library, fallback: str) -> str:
    """The date an artifact carries: its own item's last review (for a guide, the newest of it
    and its chapters, whose text it is; for the hazard log, its own), so re-reviewing one
    leaflet re-dates that leaflet only.
    SOURCE_DATE_EPOCH, when set, dates everything."""
    epoch = _epoch()
    if epoch:
        return epoch.isoformat()
    if job.subject:
        kind, slug = job.subject
        day = _item_day((library.conditions if kind == "condition" else library.topics)[slug])
    elif job.guide:
        guide = library.guides[job.guide]
        day = max([_item_day(guide)] + [
            _item_day((library.conditions if ch.kind == "condition" else library.topics)[ch.slug])
            for ch in guide.chapters])
    elif job.format == "hazard-log" and library.hazard_log is not None:
        day = library.hazard_log.last_reviewed  # the log is an item of its own, with its own review
    else:
        return fallback  # what lists every item: the newest date among them
    return _midnight(day).isoformat()


def release_problems(project, today: dt.date) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Why items must not go out in a release: the lint rules for drafts, changes since
    approval, lapsed approvals and clinical safety, each at the field that fails (every item
    that is not approved and in date is named at its reference); and, apart, why translations
    must not: fuzzy entries and translations no medical translator approved, in the PO files."""
    from .i18n import RELEASE_RULES as TRANSLATION_RULES, in_catalogues
    from .project import lint_project
    from .approvals import RELEASE_STATUS_RULES
    from .safety_rules import RELEASE_RULES

    problems, _ = lint_project(project, release=True, today=today)
    errors = [p for p in problems if p.is_error]
    return ([p for p in errors if p.rule in (*RELEASE_STATUS_RULES, *RELEASE_RULES)],
            [p for p in errors if p.rule in TRANSLATION_RULES and in_catalogues(p)])


def release_library(library: Library, problems: list[Diagnostic]) -> Library:
    """The library a release publishes: only the items without errors (a guide goes only with
    all its chapters; lint has said which one holds it back). Raises SourceProblems when an
    error is not about one item (a publisher profile, say) or nothing is left to publish."""
    from .approvals import items, source_path

    paths = {source_path(kind, item.slug) for kind, item in items(library)}
    refused = {p.path for p in problems}
    if not refused <= paths:
        raise SourceProblems(problems)
    kept: dict[str, dict] = {"condition": {}, "topic": {}, "guide": {}}
    withheld = {}
    for kind, item in items(library):
        if source_path(kind, item.slug) not in refused:
            kept[kind][item.slug] = item
        elif kind != "guide":
            withheld[(kind, item.slug)] = item
    if not any(kept.values()):
        raise SourceProblems(problems)
    return dataclasses.replace(library, conditions=FrozenMap(kept["condition"]), topics=FrozenMap(kept["topic"]),
                               guides=FrozenMap(kept["guide"]), withheld=FrozenMap(withheld))


# --- fingerprints ---------------------------------------------------------------------------


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprint(fmt: Format, job: Job, ctx: RenderContext, toolchain: Toolchain) -> dict[str, str]:
    """What an artifact's bytes depend on, in parts, so that a rebuild can say which part changed:
    the toolchain (the package's files, schemas, library versions) and its content slice."""
    return {"toolchain": toolchain.digest, "content": _short_hash(f"{job!r}\0{fmt.inputs(job, ctx)}"),
            # Not compared: a date that matters is in the content slice. Kept to say what changed.
            "date": ctx.created}


def why_stale(old: dict | None, new: dict, toolchains: dict, toolchain: Toolchain) -> str:
    """Why an artifact with fingerprint `old` must be rebuilt for `new` ("" if it need not be)."""
    if old is None:
        return "new"
    if not isinstance(old, dict):
        return "built by an earlier version of the pipeline"
    reasons = []
    if old.get("toolchain") != new["toolchain"]:
        changes = toolchain.changes_since(toolchains.get(old.get("toolchain")))
        more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
        reasons.append("code or libraries changed: " + ", ".join(changes[:3]) + more)
    if old.get("content") != new["content"]:
        dated = old.get("date", "")[:10] != new["date"][:10]
        reasons.append("its content changed" + (f" (its date too: {old.get('date', '')[:10] or 'none'} -> "
                                                f"{new['date'][:10]})" if dated else ""))
    return "; ".join(reasons)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- state ------------------------------------------------------------------------------------


def _load_state(out_dir: Path) -> dict:
    empty = {"artifacts": {}, "toolchains": {}, "skipped": {}}
    try:
        state = json.loads((out_dir / STATE_DIR / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(state, dict) or not isinstance(state.get("artifacts"), dict):
        return empty
    state.setdefault("toolchains", {})
    state["skipped"] = _skipped_records(state.get("skipped"))
    return state


def _skipped_records(records) -> dict[str, dict]:
    """The artifacts the last build left out of a locale (a translated leaflet that does not
    fit its paper), by path: each with the fingerprint it was tried at and its notice. A record
    that does not read as one is dropped: the artifact is then simply tried again."""
    if not isinstance(records, dict):
        return {}
    kept = {}
    for path, record in records.items():
        try:
            if isinstance(record.get("fingerprint"), dict) and isinstance(record.get("error"), str):
                Diagnostic(**record["notice"])
                _job_of(record)
                kept[path] = record
        except (AttributeError, TypeError, KeyError):
            continue
    return kept


def _job_of(record: dict) -> Job:
    """The job an entry of the build state (an artifact or a skipped record) stands for."""
    subject = record.get("subject")
    return Job(record["format"], record["variant"], record["path"], record["condition"], record["guide"],
               tuple(subject) if subject else None, locale=record.get("locale"))


def _on_disk_matches(out_dir: Path, entry: dict) -> bool:
    """Whether the file is still the one the build wrote: size and mtime first, then the hash."""
    path = out_dir / entry["path"]
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size != entry["bytes"]:
        return False
    if stat.st_mtime_ns == entry.get("mtime_ns"):
        return True
    return _sha256(path.read_bytes()) == entry["sha256"]


def context_for(job: Job, ctx: RenderContext) -> RenderContext:
    """Only the part of the content model one job renders: its subject and what it links to,
    or a guide and its chapters. A worker then holds a model of the same small size whatever
    the size of the library."""
    library = ctx.library
    conditions: dict = {}
    topics: dict = {}
    withheld: dict = {}

    def take(kind: str, slug: str, with_related: bool) -> None:
        item = (library.conditions if kind == "condition" else library.topics)[slug]
        (conditions if kind == "condition" else topics)[slug] = item
        if with_related:
            for related_kind, related, _title in library.related(item):
                if library.is_withheld(related_kind, related):
                    withheld[(related_kind, related)] = library.item(related_kind, related)
                else:
                    (conditions if related_kind == "condition" else topics).setdefault(
                        related, library.item(related_kind, related))

    guides = {}
    if job.subject:
        take(*job.subject, with_related=True)
    if job.guide:
        guides[job.guide] = library.guides[job.guide]
        for chapter in guides[job.guide].chapters:
            take(chapter.kind, chapter.slug, with_related=True)
    # Already filled with the publisher's words (terms_of says so), so nothing is filled twice.
    part = Library(conditions=FrozenMap(conditions), topics=FrozenMap(topics), guides=FrozenMap(guides),
                   publishers=FrozenMap({ctx.publisher.slug: ctx.publisher}), terms_of=library.terms_of,
                   withheld=FrozenMap(withheld), wording=library.wording)
    return RenderContext(part, ctx.publisher, ctx.created, built_in=ctx.built_in)


def _render_jobs(jobs: list[Job], contexts: dict[str, RenderContext], workers: int,
                 timeout: float) -> Iterator[Rendered]:
    """Render jobs, yielding each result as it is ready.

    Heavy formats (PDF, EPUB) go to worker processes, which a time limit and a lost worker's
    retry apply to; light ones (HTML, SMS: well under a millisecond each) are rendered here
    meanwhile, which costs less than sending them.
    """
    formats = all_formats()
    heavy = [job for job in jobs if formats[job.format].heavy]
    light = [job for job in jobs if not formats[job.format].heavy]

    def here() -> Iterator[Rendered]:
        for job in light:
            rendered = render_here(job, contexts[job.path])
            rendered.peak_kib = 0  # the build process's memory is not a worker's
            yield rendered

    if not heavy:
        yield from here()
        return
    yield from render_in_workers(heavy, lambda job: context_for(job, contexts[job.path]), workers,
                                 timeout, meanwhile=here)


# --- the build --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildOptions:
    publisher: str = DEFAULT_PUBLISHER
    out_dir: Path | None = None
    workers: int = 1
    only: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    release: bool = False
    today: dt.date | None = None
    force: bool = False  # rebuild every selected artifact, whatever the state says
    job_timeout: float = DEFAULT_TIMEOUT  # seconds one PDF or EPUB may take before it fails
    # Previews only: build items whose translation is incomplete, English marked (see localize.py).
    allow_partial: bool = False


class Observer:
    """What a build tells whoever watches it; the default watches nothing."""

    def planned(self, totals: Counter) -> None:
        """Called once, before rendering, with the number of artifacts to build per format."""

    def finished(self, outcome: Outcome, done: int, total: int) -> None:
        """Called after each artifact is built (or failed)."""


def _selected(job: Job, options: BuildOptions) -> bool:
    if options.formats and job.format not in options.formats:
        return False
    if options.only:
        slugs = {job.condition, job.guide, job.subject[1] if job.subject else None}
        return bool(slugs & set(options.only))
    return True


def build_key(project, options: BuildOptions, toolchain: Toolchain) -> str:
    """One hash of everything a build reads: the sources, the toolchain (package files, schemas,
    library versions) and the options.

    When it equals the key of the last successful build and every recorded file is as that
    build left it, there is nothing to do, and nothing needs parsing to know it.
    """
    digest = hashlib.sha256()
    # Sign-off status depends on the date (an approval lapses), so a new day is a new build.
    today = (options.today or dt.date.today()).isoformat()
    digest.update(repr((__version__, toolchain.digest, options.publisher, sorted(options.only),
                        sorted(options.formats), options.release, today,
                        os.environ.get("SOURCE_DATE_EPOCH"), options.allow_partial)).encode())
    root = project.sources_dir
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _nothing_to_do(out_dir: Path, key: str) -> BuildReport | None:
    state = _load_state(out_dir)
    if state.get("key") != key or not isinstance(state.get("manifest"), dict):
        return None
    # The manifest is checked like any artifact: one a crash or a hand left stale is rewritten.
    entries = state["artifacts"].values()
    if not _on_disk_matches(out_dir, state["manifest"]):
        return None
    if not all(_on_disk_matches(out_dir, entry) for entry in entries):
        return None
    outcomes = [Outcome(_job_of(e), "unchanged") for e in entries]
    outcomes += [_still_left_out(record) for record in state["skipped"].values()]
    # A release left the same items out last time, for the same reasons: say so again (and
    # the same translations are still incomplete, the same leaflets still do not fit).
    return BuildReport(outcomes, refused=[Diagnostic(**d) for d in state.get("refused", [])],
                       notices=[Diagnostic(**d) for d in state.get("notices", [])])


def _check(project, options: BuildOptions) -> tuple[dict[str, RenderContext], dict[str, Format],
                                                    list[Diagnostic], list[Diagnostic]]:
    """Load and check everything; raise SourceProblems or BuildRefused before anything is written.

    Returns a context per locale that can be built (the primary first), the formats to build,
    for a release the items it leaves out, and what was left out of a locale and why."""
    today = options.today or dt.date.today()
    if options.release and options.allow_partial:
        raise BuildRefused("a release cannot be partial: --allow-partial is for previews")
    checked = project.checked()
    library = checked.library(today)
    if options.publisher not in library.publishers:
        known = ", ".join(sorted(library.publishers))
        raise BuildRefused(f"unknown publisher '{options.publisher}' (known: {known})")
    refused: list[Diagnostic] = []
    translation_refused: list[Diagnostic] = []
    if options.release:
        refused, translation_refused = release_problems(project, today)
        library = release_library(library, refused)
    registry = {name: fmt for name, fmt in all_formats().items() if not fmt.on_demand}
    unknown = [f for f in options.formats if f not in registry]
    if unknown:
        raise BuildRefused(f"unknown format {', '.join(unknown)} (known: {', '.join(registry)})")
    missing = [slug for slug in options.only if slug not in library.conditions
               and slug not in library.topics and slug not in library.guides]
    if missing:
        raise BuildRefused(f"--only names no condition, topic or guide: {', '.join(missing)}")
    ctx = RenderContext(library, library.publishers[options.publisher], source_date(library).isoformat())
    contexts, notices, left_out = _locale_contexts(project, checked, ctx, options, today, translation_refused)
    return contexts, registry, sorted(refused + left_out), notices


def _locale_contexts(project, checked, primary: RenderContext, options: BuildOptions, today: dt.date,
                     translation_refused: list[Diagnostic]):
    """One render context per locale of the publisher that can be built, the primary first.

    Each locale's content model is built from its translation before any renderer runs, its
    items' sign-off derived for its language; what is left out of it, and why, is returned as
    located warnings. A release leaves out, and names, every translated item that has a fuzzy
    entry or no approval, and every item the English release leaves out.
    """
    from .i18n import release_translation
    from .locales import is_source, language

    publisher = primary.publisher
    contexts = {publisher.locale: primary}
    notices: list[Diagnostic] = []
    left_out: list[Diagnostic] = []
    for locale in publisher.locales:
        if locale == publisher.locale:
            continue
        if is_source(locale):
            contexts[locale] = replace(primary)
            continue
        built = checked.locale_build(project, publisher.slug, locale, today, allow_partial=options.allow_partial)
        notices += built.notices
        if built.library is None:
            continue
        library = built.library
        if options.release:
            library, refused = release_translation(library, primary.library, translation_refused, language(locale))
            left_out += refused
            if library is None:
                continue
        contexts[locale] = RenderContext(library, library.publishers[publisher.slug], primary.created)
    built_in = FrozenMap({locale: frozenset([*(("condition", slug) for slug in ctx.library.conditions),
                                             *(("topic", slug) for slug in ctx.library.topics)])
                          for locale, ctx in contexts.items()})
    contexts = {locale: replace(ctx, built_in=built_in) for locale, ctx in contexts.items()}
    return contexts, notices, left_out


def build(project, options: BuildOptions, observer: Observer | None = None,
          on_wait: Callable[[], None] | None = None) -> BuildReport:
    """Build every artifact that is out of date. Raises SourceProblems or BuildRefused before writing."""
    started = time.perf_counter()
    out_dir = options.out_dir or project.outputs_dir
    sweep()  # what killed builds left in $TMPDIR
    toolchain = current_toolchain()
    key = build_key(project, options, toolchain)
    if not options.force and (out_dir / STATE_DIR / STATE_FILE).is_file():
        with exclusive_lock(out_dir / STATE_DIR / "lock", on_wait):
            unchanged = _nothing_to_do(out_dir, key)
        if unchanged is not None:
            unchanged.seconds = time.perf_counter() - started
            return unchanged

    _start_workers_if_needed(options)
    contexts, registry, refused, notices = _check(project, options)
    report = BuildReport(refused=refused, notices=notices)
    with exclusive_lock(out_dir / STATE_DIR / "lock", on_wait):
        remove_stale_temporaries(out_dir / STATE_DIR / TMP_DIR)
        _build_locked(out_dir, contexts, registry, options, report, observer or Observer(), key, toolchain)
    report.seconds = time.perf_counter() - started
    return report


def _start_workers_if_needed(options: BuildOptions) -> None:
    """Start the fork server (it imports WeasyPrint) while the sources are still being checked."""
    registry = all_formats()
    if any(fmt.heavy for name, fmt in registry.items() if not options.formats or name in options.formats):
        start_server_early()


@dataclass
class Plan:
    """What a build would do: the artifacts to render (with why), those to keep, files to remove."""

    jobs: dict[str, tuple[Format, Job, RenderContext, dict]] = field(default_factory=dict)
    stale: list[tuple[Job, str]] = field(default_factory=list)
    kept: dict[str, dict] = field(default_factory=dict)
    unchanged: list[Job] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Artifacts left out of a locale last time, tried at the fingerprint they have now: not
    # rendered again (a Spanish leaflet's fit tries cost a second), their notice repeated.
    left_out: dict[str, dict] = field(default_factory=dict)


def _planned_jobs(fmt: Format, locale: str, ctx: RenderContext) -> list[Job]:
    """A format's jobs in one locale: its own paths in the primary locale, under the locale's
    folder otherwise (es/sms/dvt.txt); only formats that are `localized` go beyond the primary."""
    prefix = output_prefix(locale, ctx.publisher.locale)
    if prefix and not fmt.localized:
        return []
    return [replace(job, path=prefix + job.path, locale=locale) for job in fmt.jobs(ctx)]


def plan(out_dir: Path, contexts: dict[str, RenderContext], registry: dict[str, Format], options: BuildOptions,
         state: dict, toolchain: Toolchain) -> Plan:
    """Decide, for every artifact but the aggregates, in every locale, whether it is current;
    reads, never writes."""
    old = state["artifacts"]
    result = Plan()
    for locale, ctx in contexts.items():
        for fmt in registry.values():
            if fmt.aggregate:
                continue
            for job in _planned_jobs(fmt, locale, ctx):
                job_ctx = replace(ctx, created=artifact_date(job, ctx.library, ctx.created))
                result.jobs[job.path] = (fmt, job, job_ctx, fingerprint(fmt, job, job_ctx, toolchain))
    for path, (fmt, job, job_ctx, fp) in result.jobs.items():
        entry = old.get(path)
        intact = entry is not None and _on_disk_matches(out_dir, entry)
        tried = state["skipped"].get(path) if entry is None else None
        forced = options.force and _selected(job, options)
        reason = why_stale(entry.get("fingerprint") if entry else tried and tried["fingerprint"], fp,
                           state["toolchains"], toolchain)
        if tried is not None and not reason and not forced:
            result.left_out[path] = tried
            continue
        if entry is not None and not intact:
            reason = "missing from the output folder" if not (out_dir / path).exists() else "changed on disk"
        elif forced:
            reason = "forced (--force)"
        if not reason or not _selected(job, options):
            if intact:
                result.kept[path] = entry
            if not reason:
                result.unchanged.append(job)
            continue
        result.stale.append((job, reason))
    aggregates = {f.name for f in registry.values() if f.aggregate}
    # A source that was deleted takes its outputs with it.
    result.removed = sorted(p for p in set(old) - set(result.jobs) if old[p].get("format") not in aggregates)
    # The slowest artifacts first, so that no worker is left with a long one at the end.
    cost = {"epub": 0, "pdf": 1}
    result.stale.sort(key=lambda item: (cost.get(item[0].format, 2), item[0].path))
    return result


@dataclass
class DryRun:
    """What `build --dry-run` reports: (path, format, reason) of each artifact it would build."""

    would_build: list[tuple[str, str, str]] = field(default_factory=list)
    would_remove: list[str] = field(default_factory=list)
    total: int = 0
    # (path, format, notice) of each artifact left out last time that would not be tried again.
    left_out: list[tuple[str, str, str]] = field(default_factory=list)


def dry_run(project, options: BuildOptions) -> DryRun:
    """What a build would rebuild and why, writing nothing: no output, no lock, no state."""
    out_dir = options.out_dir or project.outputs_dir
    toolchain = current_toolchain()
    state = _load_state(out_dir)
    if not options.force and _nothing_to_do(out_dir, build_key(project, options, toolchain)) is not None:
        return DryRun(total=len(state["artifacts"]), left_out=_left_out_lines(state["skipped"]))
    contexts, registry, _refused, _notices = _check(project, options)
    found = plan(out_dir, contexts, registry, options, state, toolchain)
    result = DryRun([(job.path, job.format, reason) for job, reason in found.stale], found.removed,
                    left_out=_left_out_lines(found.left_out))
    # The sizes the aggregates would list, as far as they are known before rendering.
    known = {**{job.path: state["artifacts"][job.path] for job, _ in found.stale if job.path in state["artifacts"]},
             **found.kept}
    aggregate_jobs = 0
    for fmt, locale, ctx in _aggregates(registry, contexts):
        # As the build does: each aggregate lists the ones planned before it (at their last sizes).
        listed = tuple(sorted(Listed(e["path"], e["bytes"], e["sha256"], e.get("pages")) for e in known.values()))
        aggregate_ctx = _aggregate_context(ctx, listed, out_dir)
        for job in _planned_jobs(fmt, locale, aggregate_ctx):
            aggregate_jobs += 1
            entry = state["artifacts"].get(job.path)
            if entry is not None:
                known[job.path] = entry
            if entry is None or not _on_disk_matches(out_dir, entry):
                reason = "new" if entry is None else "missing or changed on disk"
            elif options.force:
                reason = "forced (--force)"
            else:
                # Exact when nothing else changes; otherwise the sizes it lists are not known yet.
                reason = why_stale(entry.get("fingerprint"), fingerprint(fmt, job, aggregate_ctx, toolchain),
                                   state["toolchains"], toolchain)
                if found.stale or found.removed:
                    reason = reason or "it lists artifacts that would be rebuilt or removed"
            if reason:
                result.would_build.append((job.path, job.format, reason))
    # Aggregates counted with what they would list: a print pack exists only with leaflets.
    result.total = len(found.jobs) + aggregate_jobs
    return result


def _left_out_lines(records: dict[str, dict]) -> list[tuple[str, str, str]]:
    return [(path, record["format"], record["notice"]["message"]) for path, record in sorted(records.items())]


def _primary(contexts: dict[str, RenderContext]) -> RenderContext:
    """The primary locale's context: the manifest (which lists every locale's files) is its own."""
    return next(ctx for locale, ctx in contexts.items() if locale == ctx.publisher.locale)


def _aggregates(registry: dict[str, Format], contexts: dict[str, RenderContext]) -> list:
    """(format, locale, context) of each aggregate to plan, in order of level (every locale's
    print pack before any catalogue, which offers its locale's pack); a `localized` aggregate
    once per locale, into the locale's folder (es/index.html), the others in the primary only."""
    return [(fmt, locale, ctx)
            for fmt in sorted((f for f in registry.values() if f.aggregate), key=lambda f: f.aggregate)
            for locale, ctx in contexts.items()]


def _aggregate_context(ctx: RenderContext, listed: tuple[Listed, ...], out_dir: Path) -> RenderContext:
    """A locale's context for its aggregates: every artifact of the build (all locales, by path)
    and a reader of their bytes."""
    return replace(ctx, listed=listed, read=lambda path: (out_dir / path).read_bytes())


def _build_locked(out_dir: Path, contexts: dict[str, RenderContext], registry: dict[str, Format],
                  options: BuildOptions, report: BuildReport, observer: Observer, key: str,
                  toolchain: Toolchain) -> None:
    state = _load_state(out_dir)
    old = state["artifacts"]
    ctx = _primary(contexts)
    found = plan(out_dir, contexts, registry, options, state, toolchain)
    entries = dict(found.kept)
    report.outcomes += [Outcome(job, "unchanged") for job in found.unchanged]
    # Left out last time at the same fingerprint: the same notice, without rendering it again.
    skipped = dict(found.left_out)
    for record in skipped.values():
        report.outcomes.append(_still_left_out(record))
        report.notices.append(Diagnostic(**record["notice"]))
    reasons = dict((job.path, reason) for job, reason in found.stale)
    stale = [job for job, _ in found.stale]
    aggregates = [job for fmt, locale, locale_ctx in _aggregates(registry, contexts)
                  for job in _planned_jobs(fmt, locale, locale_ctx)]
    observer.planned(Counter(job.format for job in stale + aggregates))
    job_contexts = {path: job_ctx for path, (_f, _j, job_ctx, _fp) in found.jobs.items()}
    rendered = _render_jobs(stale, job_contexts, options.workers, options.job_timeout)
    for done, result in enumerate(rendered, start=1):
        job = result.job
        if result.data is None and registry[job.format].left_out(job, result.error):
            # Not a failure: this locale goes without the artifact, and the report says why.
            outcome = Outcome(job, "skipped", result.seconds, result.error, result.peak_kib, reasons[job.path],
                              result.notes)
            notice = _left_out_notice(job, result.error)
            report.notices.append(notice)
            # Remembered with its fingerprint (in the state only, written last): tried again
            # when that changes, or with --force.
            skipped[job.path] = {"path": job.path, "format": job.format, "variant": job.variant,
                                 "condition": job.condition, "guide": job.guide, "locale": job.locale,
                                 "subject": list(job.subject) if job.subject else None,
                                 "fingerprint": found.jobs[job.path][3], "error": result.error,
                                 "notice": asdict(notice)}
            if job.path in old:
                _remove(out_dir, job.path)
                report.removed.append(job.path)
        elif result.data is None:
            outcome = Outcome(job, "failed", result.seconds, result.error, result.peak_kib, reasons[job.path],
                              result.notes)
            if job.path in old and _on_disk_matches(out_dir, old[job.path]):
                entries[job.path] = old[job.path]  # the last good version stays listed
        else:
            entries[job.path] = _write(out_dir, job, result.data, found.jobs[job.path][3])
            outcome = Outcome(job, "built", result.seconds, peak_kib=result.peak_kib, reason=reasons[job.path],
                              notes=result.notes)
        report.outcomes.append(outcome)
        observer.finished(outcome, done, len(stale))

    for path in found.removed:
        _remove(out_dir, path)
        fault_point()
        report.removed.append(path)

    for fmt, locale, locale_ctx in _aggregates(registry, contexts):
        _build_aggregate(out_dir, fmt, locale, locale_ctx, entries, state, toolchain, options, report, observer)
    # An aggregate file no longer planned (a print pack with no leaflets left, a locale no
    # longer built) goes too.
    for path in sorted(set(old) - set(entries)):
        if old[path].get("format") in {f.name for f in registry.values() if f.aggregate}:
            _remove(out_dir, path)
            fault_point()
            report.removed.append(path)

    # The manifest first, then the state that vouches for it: a build killed between the two
    # leaves a state that does not know this manifest, and the next build rewrites both.
    manifest = _write_manifest(out_dir, ctx, entries, {locale: c.library for locale, c in contexts.items()})
    fingerprints = {e["fingerprint"]["toolchain"] for e in [*entries.values(), *skipped.values()] if "fingerprint" in e}
    known = {**state["toolchains"], toolchain.digest: toolchain.as_record()}
    # The key is recorded only for a build that fully succeeded: a failure is retried next time.
    new_state = {"pipeline": __version__, "key": "" if report.failed else key, "manifest": manifest,
                 "toolchains": {d: known[d] for d in sorted(fingerprints) if d in known},
                 "artifacts": dict(sorted(entries.items())),
                 "skipped": dict(sorted(skipped.items())),
                 "refused": [asdict(d) for d in report.refused],
                 "notices": [asdict(d) for d in report.notices]}
    write_if_changed(out_dir / STATE_DIR / STATE_FILE, json.dumps(new_state, indent=1).encode(),
                     out_dir / STATE_DIR / TMP_DIR)


def _still_left_out(record: dict) -> Outcome:
    return Outcome(_job_of(record), "skipped", error=record["error"],
                   reason="left out last time, and nothing it depends on has changed")


def _left_out_notice(job: Job, error: str) -> Diagnostic:
    """Why a translated artifact is not built, at the item's catalogue: item, locale, paper and
    how far over, in the words of the renderer's own message."""
    from .locales import language
    from .diagnostics import WARNING

    kind, slug = job.subject or ("condition", job.condition)
    folder = {"condition": "conditions", "topic": "topics"}.get(kind, kind + "s")
    return Diagnostic(f"sources/locales/{language(job.locale)}/{folder}/{slug}.po", 1, 1, WARNING,
                      f"{kind} '{slug}' has no {job.variant} leaflet in {job.locale} ({job.path} is not built): "
                      f"{error.split(': ', 1)[-1] if error.startswith(job.path) else error}",
                      "", "translation-does-not-fit")


def _remove(out_dir: Path, path: str) -> None:
    """Delete an artifact, and the folders it leaves empty (es/sms/ once no Spanish message is
    left), up to the output folder."""
    (out_dir / path).unlink(missing_ok=True)
    folder = (out_dir / path).parent
    while folder != out_dir and out_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or already gone): stop
            break
        folder = folder.parent


def _build_aggregate(out_dir, fmt, locale, ctx, entries, state, toolchain, options, report, observer) -> None:
    """Formats that list the others (the catalogue) are planned once the others are known, in
    one locale; they list what every locale has built so far (a catalogue links its twins)."""
    listed = tuple(sorted(Listed(e["path"], e["bytes"], e["sha256"], e.get("pages")) for e in entries.values()))
    aggregate_ctx = _aggregate_context(ctx, listed, out_dir)
    for job in _planned_jobs(fmt, locale, aggregate_ctx):
        fp = fingerprint(fmt, job, aggregate_ctx, toolchain)
        entry = state["artifacts"].get(job.path)
        intact = entry is not None and _on_disk_matches(out_dir, entry)
        reason = "forced (--force)" if options.force else why_stale(
            entry.get("fingerprint") if entry else None, fp, state["toolchains"], toolchain)
        if intact and not reason:
            entries[job.path] = entry
            report.outcomes.append(Outcome(job, "unchanged"))
            continue
        reason = reason or "missing or changed on disk"
        result = render_here(job, aggregate_ctx)
        if result.data is None:
            outcome = Outcome(job, "failed", result.seconds, result.error, reason=reason)
            if intact:
                entries[job.path] = entry
        else:
            entries[job.path] = _write(out_dir, job, result.data, fp)
            outcome = Outcome(job, "built", result.seconds, reason=reason)
        report.outcomes.append(outcome)
        observer.finished(outcome, 1, 1)


def _write(out_dir: Path, job: Job, data: bytes, fp: dict) -> dict:
    path = out_dir / job.path
    write_atomic(path, data, out_dir / STATE_DIR / TMP_DIR)
    return {
        "path": job.path,
        "format": job.format,
        "variant": job.variant,
        "condition": job.condition,
        "guide": job.guide,
        "locale": job.locale,
        "subject": list(job.subject) if job.subject else None,
        "bytes": len(data),
        "sha256": _sha256(data),
        "fingerprint": fp,
        "mtime_ns": path.stat().st_mtime_ns,
        **all_formats()[job.format].describe(job, data),  # e.g. a PDF's page count
    }


def manifest_entries(entries: Iterable[dict], library: Library | None = None,
                     by_locale: dict[str, Library] | None = None) -> list[dict]:
    """The manifest's list; each artifact's item status from the library of its locale."""
    keys = ("path", "format", "variant", "condition", "guide", "locale", "bytes", "sha256")
    listed = []
    for entry in sorted(entries, key=lambda e: e["path"]):
        source = (by_locale or {}).get(entry.get("locale"), library)
        item = _item_of(entry, source) if source is not None else None
        listed.append({key: entry.get(key) for key in keys} | {
            # From the model as it is now, not as the entry was written: a new approval
            # changes these without necessarily changing the artifact's bytes (the SMS text).
            "reference": item.reference if item else None,
            "version": item.approval.version if item else None,
            "status": item.approval.status if item else None,
        })
    return listed


def _item_of(entry: dict, library: Library):
    """The condition, topic or guide an artifact shows, if it shows one."""
    if entry.get("guide"):
        return library.guides.get(entry["guide"])
    if entry.get("condition"):
        return library.conditions.get(entry["condition"])
    subject = entry.get("subject")
    if subject:
        return (library.conditions if subject[0] == "condition" else library.topics).get(subject[1])
    return None


def _write_manifest(out_dir: Path, ctx: RenderContext, entries: dict[str, dict],
                    by_locale: dict[str, Library] | None = None) -> dict:
    """Write the manifest (unless it already holds these bytes); returns its state entry."""
    manifest = {
        "publisher": ctx.publisher.slug,
        "created": ctx.created,
        "artifacts": manifest_entries(entries.values(), ctx.library, by_locale),
    }
    data = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    path = out_dir / MANIFEST
    write_if_changed(path, data, out_dir / STATE_DIR / TMP_DIR)
    return {"path": MANIFEST, "bytes": len(data), "sha256": _sha256(data), "mtime_ns": path.stat().st_mtime_ns}


# --- review packs ---------------------------------------------------------------------------


def build_review_packs(project, names: Iterable[str], options: BuildOptions,
                       on_wait: Callable[[], None] | None = None) -> BuildReport:
    """Review packs for the named items, written to <out>/review/<slug>.html and .pdf.

    Built on demand (by `handouts review`), never by a normal build: a pack is a working
    paper for the reviewer, not a handout, so it stays out of the build state and manifest.
    """
    from .approvals import comparison, find_item, source_path
    from .fingerprint import content_of, fingerprint_of
    from .formats.review import ReviewInputs
    from .model import DEFAULT_LOCALE
    from .project import lint_project

    started = time.perf_counter()
    out_dir = options.out_dir or project.outputs_dir
    today = options.today or dt.date.today()
    checked = project.gather()
    if any(p.is_error for p in checked.problems):
        raise SourceProblems(checked.problems)
    library = checked.library(today)
    if options.publisher not in library.publishers:
        known = ", ".join(sorted(library.publishers))
        raise BuildRefused(f"unknown publisher '{options.publisher}' (known: {known})")
    wanted = []
    for name in names:
        try:
            wanted.append(find_item(library, name))
        except LookupError as exc:
            raise BuildRefused(str(exc)) from None
    problems, _ = lint_project(project, today=today)
    extras = {}
    for kind, item in wanted:
        ledger = checked.ledgers.get((kind, item.slug))
        records = ledger.for_locale(DEFAULT_LOCALE) if ledger else []
        shown = source_path(kind, item.slug)
        content = content_of(item, library)  # before any publisher's words fill it
        extras[(kind, item.slug)] = ReviewInputs(
            source=shown,
            findings=tuple(sorted(p for p in problems if p.path == shown)),
            content=content,
            fingerprint=fingerprint_of(content),
            compared=comparison(records, fingerprint_of(content)),
            today=today,
        )
    ctx = RenderContext(library, library.publishers[options.publisher], source_date(library).isoformat(),
                        extras=FrozenMap(extras))
    report = BuildReport()
    with exclusive_lock(out_dir / STATE_DIR / "lock", on_wait):
        for job in all_formats()["review"].jobs(ctx):
            result = render_here(job, ctx)
            if result.data is None:
                report.outcomes.append(Outcome(job, "failed", result.seconds, result.error))
                continue
            write_atomic(out_dir / job.path, result.data, out_dir / STATE_DIR / TMP_DIR)
            report.outcomes.append(Outcome(job, "built", result.seconds))
    report.seconds = time.perf_counter() - started
    return report
