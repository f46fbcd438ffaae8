"""`make bench`: build timings and memory on this machine, for the real sources and 500 conditions.

Prints a table and writes outputs/.bench/results.json. The floor is what the renderers cost
on their own: the same leaflets and guides, in every locale, rendered one after another in
one warm process with no build around them. A full build is compared with floor / jobs: what
is left is the build's own cost (checking, planning, worker processes, writing).

    python -m pipeline.bench [--conditions 500] [--jobs 2] [--skip-generated]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from .build import BuildOptions, build
from .lifetime import private_tmp
from .project import Project

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"noop_real": 0.5, "noop_generated": 2.0, "parallel_ratio": 0.65, "floor_ratio": 1.2}


def real_dataset(folder: Path) -> Path:
    shutil.copytree(ROOT / "sources", folder / "sources")
    return folder


def generated_dataset(folder: Path, count: int) -> Path:
    """`count` conditions: the real ones, then copies of them under new slugs.

    Only the default publisher is kept: the copies' longer slugs make longer web addresses,
    and the point here is build cost, not the UK profile's SMS budget.
    """
    real_dataset(folder)
    sources = folder / "sources"
    (sources / "publishers" / "uk-example.yaml").unlink()
    originals = sorted((sources / "conditions").glob("*.yaml"))
    for index in range(count - len(originals)):
        base = originals[index % len(originals)]
        slug = f"{base.stem}-g{index:03d}"
        text = base.read_text(encoding="utf-8").replace(f"slug: {base.stem}\n", f"slug: {slug}\n", 1)
        # Each copy needs its own leaflet reference, as every item does.
        text = re.sub(r"^(reference: [A-Z0-9-]+)$", rf"\1-G{index:03d}", text, count=1, flags=re.M)
        (sources / "conditions" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return folder


def timed_build(project: Project, out: Path, jobs: int):
    start = time.perf_counter()
    report = build(project, BuildOptions(out_dir=out, workers=jobs))
    seconds = time.perf_counter() - start
    if report.failed:
        raise SystemExit(f"bench build failed: {report.failed[0].job.path}: {report.failed[0].error}")
    return report, seconds


def floor_jobs(project: Project) -> list:
    """(format, job, context) of every heavy artifact a full build renders: every leaflet and
    guide in every locale of the default publisher, each with the context a worker gets."""
    from .build import BuildOptions, _check, _planned_jobs, artifact_date, context_for

    contexts, registry, _refused, _notices = _check(project, BuildOptions())
    return [(fmt, job, context_for(job, replace(ctx, created=artifact_date(job, ctx.library, ctx.created))))
            for locale, ctx in contexts.items() for fmt in registry.values() if fmt.heavy
            for job in _planned_jobs(fmt, locale, ctx)]


def floor(project: Project) -> dict:
    """The heavy artifacts of a build rendered by their formats one after another in one warm
    process, with nothing around them: no planning, fingerprints, worker processes or files
    written. A leaflet is laid out as often as the build lays it out (each type size it
    tries), and a translated leaflet that does not fit is tried as the build tries it."""
    from .formats.pdf import DoesNotFit

    jobs = floor_jobs(project)
    for fmt in {fmt.name: fmt for fmt, _job, _ctx in jobs}.values():
        fmt.warm_up()
    seconds: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for fmt, job, ctx in jobs:
        start = time.perf_counter()
        try:
            fmt.render(job, ctx)
        except DoesNotFit:
            pass  # a translated leaflet that does not fit: the build pays for the tries too
        seconds[fmt.name] += time.perf_counter() - start
        counts[fmt.name] += 1
    return {"pdf_seconds": seconds["pdf"], "pdfs": counts["pdf"], "epub_seconds": seconds["epub"],
            "epubs": counts["epub"], "seconds": sum(seconds.values())}


def measure(label: str, folder: Path, jobs: int) -> dict:
    project = Project(folder)
    out = folder / "outputs"
    serial, serial_seconds = timed_build(project, out, 1)
    shutil.rmtree(out)
    parallel, parallel_seconds = timed_build(project, out, jobs)
    _, noop_seconds = timed_build(project, out, jobs)
    # Before the edit below, which takes the Spanish DVT (and the Spanish guides that hold it)
    # out of the build: the floor renders what the timed builds rendered.
    bare = floor(project)

    target = folder / "sources/conditions/dvt.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace(
        "It is serious, so get medical help", "It is serious, so please get medical help"), encoding="utf-8")
    edited, edit_seconds = timed_build(project, out, jobs)
    rebuilt = sorted(o.job.path for o in edited.outcomes if o.status == "built")

    per_format: dict[str, list[float]] = defaultdict(list)
    for outcome in serial.outcomes:
        if outcome.status == "built":
            per_format[outcome.job.format].append(outcome.seconds)
    worker_peak = max(o.peak_kib for o in parallel.outcomes)
    return {
        "dataset": label,
        "conditions": len(project.library().conditions),
        "artifacts": len(serial.outcomes),
        "full_j1_seconds": serial_seconds,
        f"full_j{jobs}_seconds": parallel_seconds,
        "noop_seconds": noop_seconds,
        "one_edit_seconds": edit_seconds,
        "one_edit_rebuilt": rebuilt,
        "per_artifact_ms": {f: 1000 * statistics.mean(v) for f, v in sorted(per_format.items())},
        "worker_peak_mib": worker_peak / 1024,
        "floor": bare,
        "parallel_ratio": parallel_seconds / serial_seconds,
        "floor_ratio": parallel_seconds / (bare["seconds"] / jobs),
    }


def table(results: list[dict], jobs: int) -> str:
    rows = [("", *(r["dataset"] for r in results))]

    def row(name, fmt):
        rows.append((name, *(fmt(r) for r in results)))

    row("conditions / artifacts", lambda r: f"{r['conditions']} / {r['artifacts']}")
    row("full build -j 1", lambda r: f"{r['full_j1_seconds']:.2f} s")
    row(f"full build -j {jobs}", lambda r: f"{r[f'full_j{jobs}_seconds']:.2f} s")
    row(f"  ratio -j {jobs} / -j 1 (target <= {TARGETS['parallel_ratio']})", lambda r: f"{r['parallel_ratio']:.2f}")
    row("no-op build", lambda r: f"{r['noop_seconds']:.3f} s")
    row("rebuild after editing dvt.yaml", lambda r: f"{r['one_edit_seconds']:.2f} s")
    row("  artifacts rebuilt", lambda r: str(len(r["one_edit_rebuilt"])))
    for fmt in sorted({f for r in results for f in r["per_artifact_ms"]}):
        row(f"per artifact: {fmt}", lambda r, f=fmt: f"{r['per_artifact_ms'].get(f, 0):.1f} ms")
    row("worker peak memory", lambda r: f"{r['worker_peak_mib']:.0f} MiB")
    row("floor: leaflets, one warm process", lambda r: f"{r['floor']['pdf_seconds']:.2f} s / {r['floor']['pdfs']} PDFs")
    row("floor: guides, one warm process", lambda r: f"{r['floor']['epub_seconds']:.2f} s / {r['floor']['epubs']} EPUBs")
    row(f"  full -j {jobs} / (floor / {jobs}) (target <= {TARGETS['floor_ratio']})", lambda r: f"{r['floor_ratio']:.2f}")
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                               for i, c in enumerate(r)) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conditions", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--skip-generated", action="store_true")
    args = parser.parse_args()
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    # The floor runs WeasyPrint in this process: its temporary font copies go in a folder of
    # this process's own, removed at exit like a build's.
    tempfile.tempdir = str(private_tmp())
    results = []
    with tempfile.TemporaryDirectory(prefix="handouts-bench-") as tmp:
        results.append(measure("real sources", real_dataset(Path(tmp) / "real"), args.jobs))
        if not args.skip_generated:
            folder = generated_dataset(Path(tmp) / "generated", args.conditions)
            results.append(measure(f"{args.conditions} conditions", folder, args.jobs))
    print(table(results, args.jobs))
    out = ROOT / "outputs" / ".bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"jobs": args.jobs, "targets": TARGETS, "results": results},
                                                 indent=2), encoding="utf-8")
    print(f"\nwrote {out / 'results.json'}")


if __name__ == "__main__":
    main()
