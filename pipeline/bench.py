"""`make bench`: build timings and memory on this machine, for the real sources and 500 conditions.

Prints a table and writes outputs/.bench/results.json. The floor is what the renderers cost
on their own: the same leaflets made by bare WeasyPrint calls in one warm process, and the
same guides by bare pandoc calls. A full build is compared with floor / jobs.

    python -m pipeline.bench [--conditions 500] [--jobs 2] [--skip-generated]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
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
        (sources / "conditions" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return folder


def timed_build(project: Project, out: Path, jobs: int):
    start = time.perf_counter()
    report = build(project, BuildOptions(out_dir=out, workers=jobs))
    seconds = time.perf_counter() - start
    if report.failed:
        raise SystemExit(f"bench build failed: {report.failed[0].job.path}: {report.failed[0].error}")
    return report, seconds


def floor(project: Project) -> dict:
    """The same PDFs by bare WeasyPrint calls in one warm process; the same EPUBs by bare pandoc."""
    import pypandoc

    from .formats import RenderContext
    from .formats.epub import guide_html
    from .formats.html import render_page
    from .formats.pdf import QR_SYMBOL_MM, VARIANTS, pdf_link, warm_weasyprint
    from .qr import qr_image

    library = project.library()
    publisher = library.publishers["us-default"]
    ctx = RenderContext(library, publisher, "2026-11-21T00:00:00+00:00")
    # The same warm font configuration and parsed stylesheets the renderer uses, so the floor
    # differs from a build only by what a build adds.
    weasyprint, fonts, _fetcher, base, sheets = warm_weasyprint()
    def leaflet(item, paper):
        # One layout per leaflet, at the smallest type: the renderer may try a larger one too.
        qr_src, qr_width = qr_image(publisher.page_url(item.slug), "QR", QR_SYMBOL_MM)
        return render_page(item, ctx, variant="print", link=pdf_link(publisher), large_print=paper.large_print,
                           qr_src=qr_src, qr_width_mm=qr_width, fit=f"fit-{paper.type_sizes[-1]}", notes=True,
                           address=lambda kind, slug: publisher.short_page_url(slug))

    items = [*library.conditions.values(), *library.topics.values()]
    pages = [(leaflet(item, paper), paper.size) for item in items for paper in VARIANTS.values()]
    weasyprint.HTML(string=pages[0][0], base_url=base).write_pdf(stylesheets=[sheets[pages[0][1]]], font_config=fonts)
    start = time.perf_counter()
    for html, size in pages:
        weasyprint.HTML(string=html, base_url=base).write_pdf(
            stylesheets=[sheets[size]], font_config=fonts, pdf_variant="pdf/ua-1")
    pdf_seconds = time.perf_counter() - start
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for guide in library.guides.values():
            pypandoc.convert_text(guide_html(guide, ctx), "epub3", format="html",
                                  outputfile=str(Path(tmp) / f"{guide.slug}.epub"), extra_args=["--sandbox"])
    epub_seconds = time.perf_counter() - start
    return {"pdf_seconds": pdf_seconds, "pdfs": len(pages), "epub_seconds": epub_seconds,
            "epubs": len(library.guides), "seconds": pdf_seconds + epub_seconds}


def measure(label: str, folder: Path, jobs: int) -> dict:
    project = Project(folder)
    out = folder / "outputs"
    serial, serial_seconds = timed_build(project, out, 1)
    shutil.rmtree(out)
    parallel, parallel_seconds = timed_build(project, out, jobs)
    _, noop_seconds = timed_build(project, out, jobs)

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
    bare = floor(project)
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
    row("floor: bare WeasyPrint, warm", lambda r: f"{r['floor']['pdf_seconds']:.2f} s / {r['floor']['pdfs']} PDFs")
    row("floor: bare pandoc", lambda r: f"{r['floor']['epub_seconds']:.2f} s / {r['floor']['epubs']} EPUBs")
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
