"""The catalogue page (outputs/index.html): a card for every handout with its files, pages, sizes and status."""

from __future__ import annotations

from ..presentation import STYLES_DIR, TEMPLATES_DIR, format_date, render_template
from . import Format, Job, Listed, RenderContext, all_formats, register
from .hazard_log import PATH as HAZARD_LOG
from .printpack import PAPER_NAMES, members, pack_path, paper_size

MIME_TYPES = {".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv",
              ".epub": "application/epub+zip", ".zip": "application/zip"}


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _status(review) -> str:
    return "draft, not yet clinically reviewed" if review.is_draft else "approved"


def _mime(path: str) -> str | None:
    return MIME_TYPES.get(path[path.rfind("."):])


def _pdf_paper(variant: str) -> tuple[bool, str]:
    """(large print?, paper) of a leaflet variant: "a4", "letter", "large-print.letter", ..."""
    large = variant.startswith("large-print")
    paper = variant.rsplit(".", 1)[-1] if "." in variant else ("a4" if large else variant)
    return large, paper


def download(job: Job, entry: Listed, paper: str) -> dict:
    """One file of a card: link text, what kind of file it is, and where it sorts."""
    facts = []
    if job.format == "pdf":
        large, size = _pdf_paper(job.variant)
        label = f"{'Large-print leaflet' if large else 'Leaflet'}, {PAPER_NAMES.get(size, size)}"
        # The publisher's own paper first, then the other size; large print after standard.
        order = (0, large, size != paper)
        facts.append("PDF")
        if entry.pages:
            facts.append(f"{entry.pages} page{'s' if entry.pages != 1 else ''}")
    elif job.format == "html":
        label, order = "Web page", (1,)
    elif job.format == "sms":
        label, order = "Text message", (2,)
        facts.append("plain text")
    else:
        label, order = job.path.rsplit("/", 1)[-1], (3,)
    facts.append(human_size(entry.bytes))
    return {"href": job.path, "label": label, "type": _mime(job.path), "facts": ", ".join(facts),
            "order": (*order, job.path)}


def _picture(item) -> dict | None:
    """The "where it hurts" picture of a condition, as {src, alt}, when the model has one."""
    # Seam: the body picture (issue 13, item 3) fills this in once the model carries a location.
    return None


def _area(item) -> tuple[str, str] | None:
    """(key, label) of the body area a condition's card is filtered by, when the model has one."""
    return None


def card(item, files: list[dict], locale: str) -> dict:
    area = _area(item) if item.kind == "condition" else None
    web = next((f["href"] for f in files if f["label"] == "Web page"), None)
    return {
        "slug": item.slug,
        "kind": item.kind,
        "title": item.title,
        "medical_name": getattr(item, "medical_name", None),
        "summary": item.summary,
        "href": web,
        "picture": _picture(item),
        "area": area,
        "search": " ".join([item.title, getattr(item, "medical_name", "")]).lower(),
        "draft": item.review.is_draft,
        "status": _status(item.review),
        "last_reviewed": format_date(item.review.last_reviewed, locale),
        "next_review": format_date(item.review.next_review, locale),
        "files": sorted(files, key=lambda f: f["order"]),
    }


class CatalogueFormat(Format):
    name = "catalogue"
    aggregate = 2  # after the print pack, which it offers first
    resources = (TEMPLATES_DIR / "catalogue.html.j2", STYLES_DIR / "site.css")

    def jobs(self, ctx: RenderContext) -> list[Job]:
        return [Job("catalogue", "index", "index.html")]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        # Sizes and page counts are shown; a file whose bytes change but not its size is not.
        return repr((ctx.library, ctx.publisher, [(e.path, e.bytes, e.pages) for e in ctx.listed]))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        listed = {entry.path: entry for entry in ctx.listed}
        locale = ctx.publisher.locale
        library = ctx.library
        paper = paper_size(ctx.publisher)

        files: dict[tuple[str, str], list[dict]] = {}
        for fmt in all_formats().values():
            if fmt.aggregate:
                continue
            for other in fmt.jobs(ctx):
                if other.subject and other.path in listed:  # only link what exists
                    files.setdefault(other.subject, []).append(download(other, listed[other.path], paper))

        def cards(items, kind):
            ordered = sorted(items, key=lambda item: item.title.lower())
            return [card(item, files.get((kind, item.slug), []), locale) for item in ordered]

        conditions = cards(library.conditions.values(), "condition")
        topics = cards(library.topics.values(), "topic")
        areas: dict[str, dict] = {}
        for entry in conditions:
            if entry["area"]:
                key, label = entry["area"]
                areas.setdefault(key, {"key": key, "label": label, "count": 0})["count"] += 1

        pack = None
        leaflets = members(ctx)
        if pack_path(paper) in listed and leaflets:
            pack = {"href": pack_path(paper), "paper": PAPER_NAMES[paper], "count": len(leaflets),
                    "size": human_size(listed[pack_path(paper)].bytes),
                    "pages": sum(entry.pages or 0 for _item, entry in leaflets)}
        guides = [
            {"href": f"epub/{g.slug}.epub", "title": g.title, "size": human_size(listed[f"epub/{g.slug}.epub"].bytes),
             "status": _status(g.review), "description": g.description}
            for g in sorted(library.guides.values(), key=lambda g: g.title.lower())
            if f"epub/{g.slug}.epub" in listed
        ]
        tables = [{"href": "sms/messages.csv", "label": "All text messages (CSV)",
                   "size": human_size(listed["sms/messages.csv"].bytes)}] if "sms/messages.csv" in listed else []
        items = [*library.conditions.values(), *library.topics.values(), *library.guides.values()]
        html = render_template(
            "catalogue.html.j2",
            publisher=ctx.publisher,
            pack=pack,
            conditions=conditions,
            topics=topics,
            areas=sorted(areas.values(), key=lambda a: a["label"].lower()),
            guides=guides,
            tables=tables,
            drafts=sum(item.review.is_draft for item in items),
            hazard_log=human_size(listed[HAZARD_LOG].bytes) if HAZARD_LOG in listed else None,
        )
        return html.encode("utf-8")


register(CatalogueFormat())
