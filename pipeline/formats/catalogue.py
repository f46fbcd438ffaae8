"""The catalogue page (outputs/index.html): a card for every handout with its files, pages, sizes and status."""

from __future__ import annotations

from dataclasses import replace

from .. import body_map
from ..locales import language_name, output_prefix
from ..presentation import format_date, format_number, render_template
from . import Format, Job, Listed, RenderContext, all_formats, register
from .hazard_log import PATH as HAZARD_LOG
from .printpack import PAPER_NAMES, members, pack_path, paper_size

MIME_TYPES = {".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv",
              ".epub": "application/epub+zip", ".zip": "application/zip"}


def human_size(size: int, locale: str = "en-US") -> str:
    if size < 1024:
        return f"{format_number(size, locale)} bytes"
    if size < 1024 * 1024:
        return f"{format_number(size / 1024, locale)} KB"
    return f"{format_number(size / 1024 / 1024, locale, 1)} MB"


def _other_languages(publisher) -> list[tuple[str, str]]:
    """(output folder, language name in English) of each of the publisher's other locales."""
    return [(output_prefix(tag, publisher.locale), language_name(tag)) for tag in publisher.locales
            if output_prefix(tag, publisher.locale)]


def _status(item, locale: str) -> str:
    """The item's sign-off status in words."""
    state = item.approval
    latest = state.latest
    if state.status == "approved":
        words = f"approved by {latest.reviewer.name}, {latest.reviewer.credential}"
    elif state.status == "overdue":
        words = f"clinical review overdue since {format_date(latest.next_review, locale)}"
    elif state.status == "changed":
        words = f"changed since clinical review on {format_date(latest.date, locale)}, not yet re-reviewed"
    else:
        words = "draft, not yet clinically reviewed"
    return words


def _dates(item) -> tuple:
    """(last reviewed, next review): the approval's when one is in force, else the editor's."""
    approval = item.approval.in_force
    if approval:
        return approval.date, approval.next_review
    return item.review.last_reviewed, item.review.next_review


def _mime(path: str) -> str | None:
    return MIME_TYPES.get(path[path.rfind("."):])


def _pdf_paper(variant: str) -> tuple[bool, str]:
    """(large print?, paper) of a leaflet variant: "a4", "letter", "large-print.letter", ..."""
    large = variant.startswith("large-print")
    paper = variant.rsplit(".", 1)[-1] if "." in variant else ("a4" if large else variant)
    return large, paper


def download(job: Job, entry: Listed, paper: str, locale: str = "en-US") -> dict:
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
    facts.append(human_size(entry.bytes, locale))
    return {"href": job.path, "label": label, "type": _mime(job.path), "facts": ", ".join(facts),
            "order": (0, *order, job.path)}


# The catalogue's filter: body areas a reader would name, in order from the back down, and the
# areas each drawn body location belongs to; a location may span several.
AREAS = {
    "lower-back": "Lower back",
    "thigh": "Back of the thigh",
    "behind-knee": "Behind the knee",
    "front": "Front of the knee",
    "whole-knee": "Inside the knee joint",
    "calf": "Calf",
}
LOCATION_AREAS = {
    "back-of-knee-centre": ("behind-knee",),
    "back-of-knee-outer": ("behind-knee",),
    "inner-hamstring-tendons": ("behind-knee", "thigh"),
    "outer-hamstring-tendons": ("behind-knee", "thigh"),
    "hamstrings": ("thigh", "behind-knee"),
    "calf": ("calf",),
    "back-of-knee-and-calf": ("behind-knee", "calf"),
    "lower-back-down-leg": ("lower-back", "thigh", "behind-knee"),
    "below-kneecap": ("front",),
    "behind-kneecap": ("front",),
    "knee-joint-line": ("whole-knee",),
    "whole-joint": ("whole-knee",),
}


def _location(item) -> str | None:
    return item.body_location if item.kind == "condition" else None


def _picture(item) -> dict | None:
    """The "where it hurts" picture of a condition, as {src, alt, caption}, when it has a location."""
    location = _location(item)
    if location is None:
        return None
    return {"src": body_map.data_uri(location), "alt": body_map.alt_text(location),
            "caption": body_map.caption(location)}


def _areas(item) -> tuple[str, ...]:
    """The filter areas a condition's card shows under."""
    location = _location(item)
    return LOCATION_AREAS[location] if location else ()


def card(item, files: list[dict], locale: str) -> dict:
    web = next((f["href"] for f in files if f["label"] == "Web page"), None)
    return {
        "slug": item.slug,
        "kind": item.kind,
        "title": item.title,
        "medical_name": getattr(item, "medical_name", None),
        "summary": item.summary,
        "href": web,
        "picture": _picture(item),
        "areas": _areas(item),
        "search": " ".join([item.title, getattr(item, "medical_name", "")]).lower(),
        "reference": item.reference,
        "version": item.approval.version,
        "draft": not item.approval.is_approved,
        "status": _status(item, locale),
        "last_reviewed": format_date(_dates(item)[0], locale),
        "next_review": format_date(_dates(item)[1], locale),
        "files": sorted(files, key=lambda f: f["order"]),
    }


class CatalogueFormat(Format):
    name = "catalogue"
    aggregate = 2  # after the print pack, which it offers first

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
                    files.setdefault(other.subject, []).append(download(other, listed[other.path], paper, locale))
                if not (other.subject and fmt.localized):
                    continue
                for prefix, language in _other_languages(ctx.publisher):
                    path = prefix + other.path
                    if path in listed:
                        translated = download(replace(other, path=path), listed[path], paper, locale)
                        translated["label"] += f" in {language}"
                        translated["order"] = (1, *translated["order"][1:])  # after the English
                        files.setdefault(other.subject, []).append(translated)

        def cards(items, kind):
            ordered = sorted(items, key=lambda item: item.title.lower())
            return [card(item, files.get((kind, item.slug), []), locale) for item in ordered]

        conditions = cards(library.conditions.values(), "condition")
        topics = cards(library.topics.values(), "topic")
        areas = [{"key": key, "label": label, "count": sum(key in entry["areas"] for entry in conditions)}
                 for key, label in AREAS.items()]

        pack = None
        leaflets = members(ctx)
        if pack_path(paper) in listed and leaflets:
            pack = {"href": pack_path(paper), "paper": PAPER_NAMES[paper], "count": len(leaflets),
                    "size": human_size(listed[pack_path(paper)].bytes, locale),
                    "pages": sum(entry.pages or 0 for _item, entry in leaflets)}
        guides = [
            {"href": f"epub/{g.slug}.epub", "title": g.title, "size": human_size(listed[f"epub/{g.slug}.epub"].bytes, locale),
             "status": _status(g, locale), "description": g.description,
             "reference": g.reference, "version": g.approval.version}
            for g in sorted(library.guides.values(), key=lambda g: g.title.lower())
            if f"epub/{g.slug}.epub" in listed
        ]
        # The same guides in the publisher's other languages, after the English.
        guides += [
            {"href": path, "title": f"{g.title}, in {language}", "size": human_size(listed[path].bytes, locale),
             "status": "a translation; its title page gives its own sign-off", "description": g.description,
             "reference": g.reference, "version": g.approval.version}
            for prefix, language in _other_languages(ctx.publisher)
            for g in sorted(library.guides.values(), key=lambda g: g.title.lower())
            if (path := f"{prefix}epub/{g.slug}.epub") in listed
        ]
        tables = [{"href": path, "label": label, "size": human_size(listed[path].bytes, locale)}
                  for path, label in [("sms/messages.csv", "All text messages (CSV)")] + [
                      (f"{prefix}sms/messages.csv", f"All text messages in {language} (CSV)")
                      for prefix, language in _other_languages(ctx.publisher)]
                  if path in listed]
        items = [*library.conditions.values(), *library.topics.values(), *library.guides.values()]
        html = render_template(
            "catalogue.html.j2",
            publisher=ctx.publisher,
            pack=pack,
            conditions=conditions,
            topics=topics,
            areas=[area for area in areas if area["count"]],
            guides=guides,
            tables=tables,
            drafts=sum(not item.approval.is_approved for item in items),
            hazard_log=human_size(listed[HAZARD_LOG].bytes, locale) if HAZARD_LOG in listed else None,
        )
        return html.encode("utf-8")


register(CatalogueFormat())
