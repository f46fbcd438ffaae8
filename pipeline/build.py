"""The build: check every source, plan every artifact, render what is stale, write atomically.

Only this module writes to the output folder. It works in two phases, as MkDocs does:
first everything is loaded and checked (a bad source stops the build before any file is
touched), then artifacts are rendered, in worker processes, and written one by one, each
to a temporary name renamed into place, with the manifest last.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import resource
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .atomic import exclusive_lock, remove_stale_temporaries, write_atomic, write_if_changed
from .diagnostics import Diagnostic, SourceProblems
# Only light modules here: a build with nothing to do must not pay for YAML, JSON Schema,
# templates or renderers. The rest is imported once the build knows it has work.
from .formats import Format, Job, RenderContext, all_formats, resource_digest
from .lifetime import die_with_parent
from .locales import output_prefix
from .model import DEFAULT_PUBLISHER, FrozenMap, Library

STATE_DIR = ".handouts"  # hidden: build state and lock, never in the manifest
STATE_FILE = "state.json"
TMP_DIR = "tmp"  # inside STATE_DIR: where files are written before they are renamed into place
WORKER_JOBS = 100  # jobs a worker process renders before it is replaced by a fresh one
MANIFEST = "manifest.json"
PACKAGE_DIR = Path(__file__).resolve().parent
# Code every format depends on; each format adds its own module, templates and styles.
SHARED_CODE = tuple(PACKAGE_DIR / name for name in
                    ("model.py", "presentation.py", "build.py", "formats/__init__.py"))


class BuildRefused(Exception):
    """The build cannot start (unknown publisher, drafts in a release, ...)."""


@dataclass
class Outcome:
    job: Job
    status: str  # "built", "unchanged" or "failed"
    seconds: float = 0.0
    error: str = ""
    # Peak resident memory of the worker process that rendered it, in KiB (0 when it was not
    # rendered in a worker).
    peak_kib: int = 0


@dataclass
class BuildReport:
    outcomes: list[Outcome] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
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


def source_date(library: Library) -> dt.datetime:
    """The timestamp written into artifacts: SOURCE_DATE_EPOCH if set, else the newest review date.

    Deriving the default from the content keeps two builds of the same sources byte-identical.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BuildRefused(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}")
    items = [*library.conditions.values(), *library.topics.values(), *library.guides.values()]
    newest = max((item.review.last_reviewed for item in items), default=dt.date(2026, 1, 1))
    return dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.timezone.utc)


def release_problems(project, today: dt.date, publisher=None) -> list[Diagnostic]:
    """Why a release build must not go out: the lint rules for drafts, overdue reviews and
    clinical safety, located at the field that fails, and, in the publisher's other languages,
    fuzzy entries and translations no medical translator approved, located in the PO files."""
    from .i18n import RELEASE_RULES as TRANSLATION_RULES, in_languages
    from .locales import is_source, language
    from .project import lint_project
    from .safety_rules import RELEASE_RULES

    problems, _ = lint_project(project, release=True, today=today)
    languages = {language(tag) for tag in (publisher.locales if publisher else ()) if not is_source(tag)}
    return [p for p in problems if p.is_error and (
        p.rule in ("review-draft", "review-overdue", *RELEASE_RULES)
        or p.rule in TRANSLATION_RULES and in_languages(p, languages))]


# --- fingerprints ---------------------------------------------------------------------------


def _format_digest(fmt: Format) -> str:
    module = PACKAGE_DIR / "formats" / f"{type(fmt).__module__.rsplit('.', 1)[1]}.py"
    return __version__ + resource_digest((*fmt.resources, *SHARED_CODE, module))


def fingerprint(fmt: Format, job: Job, ctx: RenderContext, digests: dict[str, str]) -> str:
    if fmt.name not in digests:
        digests[fmt.name] = _format_digest(fmt)
    text = f"{digests[fmt.name]}\0{job!r}\0{fmt.inputs(job, ctx)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- state ------------------------------------------------------------------------------------


def _load_state(out_dir: Path) -> dict:
    try:
        state = json.loads((out_dir / STATE_DIR / STATE_FILE).read_text(encoding="utf-8"))
        return state if isinstance(state, dict) and isinstance(state.get("artifacts"), dict) else {"artifacts": {}}
    except (OSError, ValueError):
        return {"artifacts": {}}


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


# --- workers ----------------------------------------------------------------------------------

_LOCK_FD: int | None = None  # the build lock's descriptor, which forked workers must not keep
_BUILD_PID: int | None = None


def _init_worker(names: tuple[str, ...]) -> None:
    if os.getpid() != _BUILD_PID:  # a worker process, not a serial build
        die_with_parent()
        if _LOCK_FD is not None:
            # A worker holding a copy of the lock's descriptor (if it was forked straight from
            # the build) would keep the folder locked after the build itself was killed.
            os.close(_LOCK_FD)
    formats = all_formats()
    for name in names:
        formats[name].warm_up()


def _render(job: Job, ctx: RenderContext) -> tuple[Job, bytes | None, float, str, int]:
    """Render one job in the context of its locale."""
    start = time.perf_counter()
    try:
        data = all_formats()[job.format].render(job, ctx)
        error = ""
    except Exception as exc:  # reported per artifact; the build goes on with the others
        data, error = None, str(exc) or type(exc).__name__
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return job, data, time.perf_counter() - start, error, peak


def context_for(job: Job, ctx: RenderContext) -> RenderContext:
    """Only the part of the content model one job renders: its subject and what it links to,
    or a guide and its chapters. A worker then holds a model of the same small size whatever
    the size of the library."""
    library = ctx.library
    conditions: dict = {}
    topics: dict = {}

    def take(kind: str, slug: str, with_related: bool) -> None:
        item = (library.conditions if kind == "condition" else library.topics)[slug]
        (conditions if kind == "condition" else topics)[slug] = item
        if with_related:
            for related in item.related_conditions:
                conditions.setdefault(related, library.conditions[related])
            for related in item.related_topics:
                topics.setdefault(related, library.topics[related])

    guides = {}
    if job.subject:
        take(*job.subject, with_related=True)
    if job.guide:
        guides[job.guide] = library.guides[job.guide]
        for chapter in guides[job.guide].chapters:
            take(chapter.kind, chapter.slug, with_related=True)
    part = Library(conditions=FrozenMap(conditions), topics=FrozenMap(topics), guides=FrozenMap(guides),
                   publishers=FrozenMap({ctx.publisher.slug: ctx.publisher}), wording=library.wording)
    return RenderContext(part, ctx.publisher, ctx.created)


def _worker_context():
    """Workers fork from a server process that has WeasyPrint loaded and warmed once, then
    receive only what each job renders: a worker's memory grows neither with the parsed
    sources and validators the build holds nor with the number of conditions."""
    mp = get_context("forkserver")
    mp.set_forkserver_preload(["pipeline.forkserver_init"])
    return mp


def _start_workers_early() -> None:
    """Start the fork server (and its WeasyPrint import) while the sources are still being
    checked, instead of after."""
    from multiprocessing import forkserver

    _worker_context()
    threading.Thread(target=forkserver.ensure_running, daemon=True).start()


def _run_jobs(jobs: list[Job], contexts: dict[str, RenderContext], workers: int):
    """Render jobs, yielding (job, bytes or None, seconds, error, peak KiB) as each finishes.

    Each job renders in the context of its locale (`contexts`, by locale). Heavy formats
    (PDF, EPUB) go to worker processes; light ones (HTML, SMS: well under a millisecond
    each) are rendered here meanwhile, which costs less than sending them.
    """
    formats = all_formats()
    heavy = [job for job in jobs if formats[job.format].heavy]
    light = [job for job in jobs if not formats[job.format].heavy]
    if workers <= 1 or len(heavy) <= 1:
        _init_worker(tuple(sorted({job.format for job in jobs})))
        for job in jobs:
            yield _render(job, contexts[job.locale])
        return
    names = tuple(sorted({job.format for job in heavy}))
    # Fresh workers for every WORKER_JOBS jobs each: WeasyPrint's native caches creep by about
    # 1 MiB every 60 leaflets, and forking the warm server again costs milliseconds, so a
    # worker's peak memory stays bounded whatever the number of conditions. (Not through
    # max_tasks_per_child: on CPython 3.11 replacing workers that way can deadlock.)
    batch = workers * WORKER_JOBS
    for start in range(0, len(heavy), batch):
        with ProcessPoolExecutor(max_workers=workers, mp_context=_worker_context(),
                                 initializer=_init_worker, initargs=(names,)) as pool:
            futures = {pool.submit(_render, job, context_for(job, contexts[job.locale])): job
                       for job in heavy[start:start + batch]}
            if start == 0:
                for job in light:
                    job, data, seconds, error, _peak = _render(job, contexts[job.locale])
                    # Rendered here, not in a worker: the build process's memory is not a worker's.
                    yield job, data, seconds, error, 0
            for future in as_completed(futures):
                try:
                    yield future.result()
                except BrokenProcessPool as exc:
                    # A worker died (killed, out of memory): its artifacts fail, the build reports it.
                    yield futures[future], None, 0.0, f"a worker process died: {exc}", 0


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


def build_key(project, options: BuildOptions) -> str:
    """One hash of everything a build reads: sources, schemas, the package's own files, options.

    When it equals the key of the last successful build and every recorded file is as that
    build left it, there is nothing to do, and nothing needs parsing to know it.
    """
    digest = hashlib.sha256()
    today = (options.today or dt.date.today()).isoformat() if options.release else ""
    digest.update(repr((__version__, options.publisher, sorted(options.only), sorted(options.formats),
                        options.release, today, os.environ.get("SOURCE_DATE_EPOCH"),
                        options.allow_partial)).encode())
    roots = (project.sources_dir, project.root / "schemas" if (project.root / "schemas").is_dir() else None,
             PACKAGE_DIR)
    for root in roots:
        if root is None:
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith("."):
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _nothing_to_do(out_dir: Path, key: str) -> list[Outcome] | None:
    state = _load_state(out_dir)
    if state.get("key") != key or not (out_dir / MANIFEST).is_file():
        return None
    entries = state["artifacts"].values()
    if not all(_on_disk_matches(out_dir, entry) for entry in entries):
        return None
    return [Outcome(Job(e["format"], e["variant"], e["path"], e["condition"], e["guide"], locale=e.get("locale")),
                    "unchanged") for e in entries]


def build(project, options: BuildOptions, observer: Observer | None = None,
          on_wait: Callable[[], None] | None = None) -> BuildReport:
    """Build every artifact that is out of date. Raises SourceProblems or BuildRefused before writing."""
    started = time.perf_counter()
    out_dir = options.out_dir or project.outputs_dir
    key = build_key(project, options)
    if (out_dir / STATE_DIR / STATE_FILE).is_file():
        with exclusive_lock(out_dir / STATE_DIR / "lock", on_wait):
            unchanged = _nothing_to_do(out_dir, key)
        if unchanged is not None:
            return BuildReport(unchanged, [], time.perf_counter() - started)

    if options.workers > 1:
        _start_workers_early()
    if options.release and options.allow_partial:
        raise BuildRefused("a release cannot be partial: --allow-partial is for previews")
    from .sources import library_from_documents

    documents = project.documents()  # every source and catalogue checked before anything is written
    library = library_from_documents(documents)
    if options.publisher not in library.publishers:
        known = ", ".join(sorted(library.publishers))
        raise BuildRefused(f"unknown publisher '{options.publisher}' (known: {known})")
    if options.release:
        problems = release_problems(project, options.today or dt.date.today(), library.publishers[options.publisher])
        if problems:
            raise SourceProblems(problems)
    registry = all_formats()
    unknown = [f for f in options.formats if f not in registry]
    if unknown:
        raise BuildRefused(f"unknown format {', '.join(unknown)} (known: {', '.join(registry)})")
    missing = [slug for slug in options.only if slug not in library.conditions
               and slug not in library.topics and slug not in library.guides]
    if missing:
        raise BuildRefused(f"--only names no condition, topic or guide: {', '.join(missing)}")

    report = BuildReport()
    contexts = _locale_contexts(project, documents, library, options, report)
    global _LOCK_FD, _BUILD_PID
    with exclusive_lock(out_dir / STATE_DIR / "lock", on_wait) as lock_fd:
        _LOCK_FD, _BUILD_PID = lock_fd, os.getpid()
        try:
            remove_stale_temporaries(out_dir / STATE_DIR / TMP_DIR)
            _build_locked(out_dir, contexts, registry, options, report, observer or Observer(), key)
        finally:
            _LOCK_FD = None
    report.seconds = time.perf_counter() - started
    return report


def _locale_contexts(project, documents, library: Library, options: BuildOptions,
                     report: BuildReport) -> dict[str, RenderContext]:
    """One render context per locale of the publisher that can be built, the primary first.

    Each locale's content model is built from its translation before any renderer runs;
    what is left out of it, and why, goes into the report as located warnings.
    """
    from .i18n import locale_build
    from .locales import is_source

    publisher = library.publishers[options.publisher]
    created = source_date(library).isoformat()
    contexts = {}
    for locale in publisher.locales:
        if is_source(locale):
            # The English sources as they are, whatever English locale the publisher names.
            contexts[locale] = RenderContext(library, publisher, created)
            continue
        built = locale_build(project, documents, publisher.slug, locale, allow_partial=options.allow_partial)
        report.notices += built.notices
        if built.library is not None:
            contexts[locale] = RenderContext(built.library, built.library.publishers[publisher.slug], created)
    if publisher.locale not in contexts:
        raise BuildRefused(f"the primary locale {publisher.locale} of '{publisher.slug}' cannot be built: "
                           + "; ".join(n.message for n in report.notices))
    return contexts


def _planned_jobs(fmt: Format, tag: str, ctx: RenderContext) -> list[Job]:
    """A format's jobs in one locale: its own paths in the primary locale, under the locale's
    folder otherwise (es/html/dvt.html); only formats that are `localized` go beyond the primary."""
    prefix = output_prefix(tag, ctx.publisher.locale)
    if prefix and not fmt.localized:
        return []
    return [replace(job, path=prefix + job.path, locale=tag) for job in fmt.jobs(ctx)]


def _build_locked(out_dir: Path, contexts: dict[str, RenderContext], registry: dict[str, Format],
                  options: BuildOptions, report: BuildReport, observer: Observer, key: str) -> None:
    state = _load_state(out_dir)
    old = state["artifacts"]
    digests: dict[str, str] = {}
    plan: dict[str, tuple[Format, Job, str]] = {}
    for tag, ctx in contexts.items():
        for fmt in registry.values():
            if fmt.aggregate:
                continue
            for job in _planned_jobs(fmt, tag, ctx):
                plan[job.path] = (fmt, job, fingerprint(fmt, job, ctx, digests))
    # The catalogue (an aggregate) is the primary locale's until its template is localized.
    primary = next(ctx for tag, ctx in contexts.items() if tag == ctx.publisher.locale)

    new_entries: dict[str, dict] = {}
    stale: list[Job] = []
    for path, (fmt, job, fp) in plan.items():
        entry = old.get(path)
        intact = entry is not None and _on_disk_matches(out_dir, entry)
        current = intact and entry.get("fingerprint") == fp
        if current or not _selected(job, options):
            if intact:
                new_entries[path] = entry
            if current:
                report.outcomes.append(Outcome(job, "unchanged"))
            continue
        stale.append(job)

    # The slowest artifacts first, so that no worker is left with a long one at the end.
    cost = {"epub": 0, "pdf": 1}
    stale.sort(key=lambda job: (cost.get(job.format, 2), job.path))
    total = len(stale)
    aggregates = [job for fmt in registry.values() if fmt.aggregate for job in fmt.jobs(primary)]
    observer.planned(Counter(job.format for job in stale + aggregates))
    for done, (job, data, seconds, error, peak) in enumerate(_run_jobs(stale, contexts, options.workers), start=1):
        if data is None:
            outcome = Outcome(job, "failed", seconds, error, peak)
            if job.path in old and _on_disk_matches(out_dir, old[job.path]):
                new_entries[job.path] = old[job.path]  # the last good version stays listed
        else:
            new_entries[job.path] = _write(out_dir, job, data, plan[job.path][2])
            outcome = Outcome(job, "built", seconds, peak_kib=peak)
        report.outcomes.append(outcome)
        observer.finished(outcome, done, total)

    # A source that was deleted takes its outputs with it.
    for path in sorted(set(old) - set(plan)):
        if old[path].get("format") in {f.name for f in registry.values() if f.aggregate}:
            continue
        (out_dir / path).unlink(missing_ok=True)
        report.removed.append(path)

    for fmt in registry.values():
        if fmt.aggregate:
            _build_aggregate(out_dir, fmt, primary, new_entries, old, digests, report, observer)

    # The key is recorded only for a build that fully succeeded: a failure is retried next time.
    state = {"pipeline": __version__, "key": "" if report.failed else key,
             "artifacts": dict(sorted(new_entries.items()))}
    write_if_changed(out_dir / STATE_DIR / STATE_FILE, json.dumps(state, indent=1).encode(),
                     out_dir / STATE_DIR / TMP_DIR)
    _write_manifest(out_dir, primary, new_entries)


def _build_aggregate(out_dir, fmt, ctx, entries, old, digests, report, observer) -> None:
    """Formats that list the others (the catalogue) are planned once the others are known."""
    listed = tuple(sorted((e["path"], e["bytes"]) for e in entries.values()))
    aggregate_ctx = RenderContext(ctx.library, ctx.publisher, ctx.created, listed)
    for job in fmt.jobs(aggregate_ctx):
        job = replace(job, locale=ctx.locale)
        fp = fingerprint(fmt, job, aggregate_ctx, digests)
        entry = old.get(job.path)
        if entry and entry.get("fingerprint") == fp and _on_disk_matches(out_dir, entry):
            entries[job.path] = entry
            report.outcomes.append(Outcome(job, "unchanged"))
            continue
        start = time.perf_counter()
        try:
            data = fmt.render(job, aggregate_ctx)
        except Exception as exc:  # reported like any other failed artifact
            outcome = Outcome(job, "failed", time.perf_counter() - start, str(exc))
            report.outcomes.append(outcome)
            observer.finished(outcome, 1, 1)
            if entry:
                entries[job.path] = entry
            continue
        entries[job.path] = _write(out_dir, job, data, fp)
        outcome = Outcome(job, "built", time.perf_counter() - start)
        report.outcomes.append(outcome)
        observer.finished(outcome, 1, 1)


def _write(out_dir: Path, job: Job, data: bytes, fp: str) -> dict:
    path = out_dir / job.path
    write_atomic(path, data, out_dir / STATE_DIR / TMP_DIR)
    return {
        "path": job.path,
        "format": job.format,
        "variant": job.variant,
        "condition": job.condition,
        "guide": job.guide,
        "locale": job.locale,
        "bytes": len(data),
        "sha256": _sha256(data),
        "fingerprint": fp,
        "mtime_ns": path.stat().st_mtime_ns,
    }


def manifest_entries(entries: Iterable[dict]) -> list[dict]:
    keys = ("path", "format", "variant", "condition", "guide", "locale", "bytes", "sha256")
    return [{key: entry.get(key) for key in keys} for entry in sorted(entries, key=lambda e: e["path"])]


def _write_manifest(out_dir: Path, ctx: RenderContext, entries: dict[str, dict]) -> None:
    manifest = {
        "publisher": ctx.publisher.slug,
        "created": ctx.created,
        "artifacts": manifest_entries(entries.values()),
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    write_if_changed(out_dir / MANIFEST, text.encode("utf-8"), out_dir / STATE_DIR / TMP_DIR)
