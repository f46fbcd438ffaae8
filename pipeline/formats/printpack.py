"""The print pack: one ZIP of every leaflet in the publisher's paper size, for a clinic to print."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

from ..presentation import DISCLAIMER, format_date
from . import Format, Job, Listed, RenderContext, all_formats, register

PAPER_NAMES = {"a4": "A4", "letter": "US Letter"}
# Every entry gets this time and these permissions, so the same leaflets give the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def paper_size(publisher) -> str:
    """The paper the publisher's clinics print on: "a4" or "letter"."""
    return publisher.paper_size


def pack_path(paper: str) -> str:
    return f"print-pack.{paper}.zip"


def members(ctx: RenderContext) -> list[tuple[object, Listed]]:
    """(item, listed leaflet) of every leaflet the pack holds, in the catalogue's order:
    conditions then shared topics, each by title. Only leaflets the build has are listed."""
    paper = paper_size(ctx.publisher)
    listed = {entry.path: entry for entry in ctx.listed}
    found = []
    for job in all_formats()["pdf"].jobs(ctx):
        if job.variant != paper or job.path not in listed or not job.subject:
            continue
        kind, slug = job.subject
        item = (ctx.library.conditions if kind == "condition" else ctx.library.topics)[slug]
        found.append((item, listed[job.path]))
    return sorted(found, key=lambda pair: (pair[0].kind != "condition", pair[0].title.lower()))


def readme(ctx: RenderContext, paper: str, leaflets: list[tuple[object, Listed]]) -> str:
    publisher = ctx.publisher
    drafts = sum(not item.approval.is_approved for item, _ in leaflets)
    lines = [
        f"Print pack from {publisher.name}",
        f"Every leaflet on {PAPER_NAMES[paper]} paper, made {format_date(_day(ctx.created), publisher.locale)}.",
        f"{len(leaflets)} leaflets. Print each one on both sides of the paper.",
        "",
    ]
    if drafts:
        lines += [f"Draft: {drafts} of these leaflets are not yet clinically reviewed. "
                  "They say so on their first page.", ""]
    lines += ["Leaflets:"]
    for item, entry in leaflets:
        pages = f"{entry.pages} pages" if entry.pages else "pages not counted"
        status = item.approval.status
        lines.append(f"- {entry.path.rsplit('/', 1)[-1]}: {item.title} ({pages}, {status})")
    lines += [
        "",
        f"Large-print leaflets, web pages and text messages: {publisher.website}",
        f"Questions: {publisher.phone}",
        "",
        DISCLAIMER.replace("This handout", "Each leaflet"),
    ]
    return "\n".join(lines) + "\n"


def _day(created: str) -> dt.date:
    return dt.date.fromisoformat(created[:10])


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.create_system = 3  # Unix, whatever machine builds it
    info.external_attr = 0o644 << 16
    # PDFs are compressed already; storing keeps the bytes independent of the zlib version.
    info.compress_type = zipfile.ZIP_STORED
    return info


class PrintPackFormat(Format):
    name = "printpack"
    aggregate = 1  # before the catalogue, which offers the pack with its size

    def jobs(self, ctx: RenderContext) -> list[Job]:
        # A pack exists when the build has leaflets to pack (not after `--format html`, say).
        if not members(ctx):
            return []
        paper = paper_size(ctx.publisher)
        return [Job("printpack", paper, pack_path(paper))]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        leaflets = [(item.title, item.review, entry) for item, entry in members(ctx)]
        return repr((leaflets, ctx.publisher, ctx.created))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        if ctx.read is None:
            raise ValueError("the print pack needs the build's leaflets to pack")
        leaflets = members(ctx)
        folder = job.path.removesuffix(".zip")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as pack:
            pack.writestr(_entry(f"{folder}/README.txt"), readme(ctx, job.variant, leaflets).encode("utf-8"))
            for _item, entry in leaflets:
                data = ctx.read(entry.path)
                if hashlib.sha256(data).hexdigest() != entry.sha256:
                    raise ValueError(f"{entry.path} changed on disk since the build wrote it")
                pack.writestr(_entry(f"{folder}/{entry.path.rsplit('/', 1)[-1]}"), data)
        return out.getvalue()


register(PrintPackFormat())
