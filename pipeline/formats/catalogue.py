"""The catalogue page of each locale (index.html, es/index.html): a card for every handout with
its files, pages, sizes and status, in the locale's words, and a switch to the other languages."""

from __future__ import annotations

import posixpath

from .. import body_map
from ..interface import pgettext, rendering, translate
from ..locales import language_name, output_prefix
from ..presentation import format_date, format_number, render_template
from . import Format, Job, Listed, RenderContext, all_formats, register
from .hazard_log import PATH as HAZARD_LOG
from .pdf import VARIANTS
from .printpack import members, pack_path, page_count, paper_name, paper_size, title_order

MIME_TYPES = {".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv",
              ".epub": "application/epub+zip", ".zip": "application/zip"}


def human_size(size: int, locale: str = "en-US") -> str:
    """A file size in the locale's numbers and the words of the language being rendered."""
    if size < 1024:
        return pgettext("size.bytes", "{size} bytes").format(size=format_number(size, locale))
    if size < 1024 * 1024:
        return pgettext("size.kb", "{size} KB").format(size=format_number(size / 1024, locale))
    return pgettext("size.mb", "{size} MB").format(size=format_number(size / 1024 / 1024, locale, 1))


def own_name(tag: str) -> str:
    """A language named in itself, capitalised as a label: "English", "Español"."""
    name = language_name(tag, tag)
    return name[:1].upper() + name[1:]


def _status(item, locale: str) -> str:
    """The item's sign-off status in words, from the approvals of the locale's own library."""
    state = item.approval
    latest = state.latest
    if state.status == "approved":
        return pgettext("catalogue.status-approved", "approved by {reviewer}, {credential}").format(
            reviewer=latest.reviewer.name, credential=latest.reviewer.credential)
    if state.status == "overdue":
        return pgettext("catalogue.status-overdue", "clinical review overdue since {date}").format(
            date=format_date(latest.next_review, locale))
    if state.status == "changed":
        return pgettext("catalogue.status-changed", "changed since clinical review on {date}, not yet re-reviewed").format(
            date=format_date(latest.date, locale))
    return pgettext("catalogue.status-draft", "draft, not yet clinically reviewed")


def _dates(item) -> tuple:
    """(last reviewed, next review): the approval's when one is in force, else the editor's."""
    approval = item.approval.in_force
    if approval:
        return approval.date, approval.next_review
    return item.review.last_reviewed, item.review.next_review


def _mime(path: str) -> str | None:
    return MIME_TYPES.get(path[path.rfind("."):])


def _pdf_paper(variant: str) -> tuple[bool, str]:
    """(large print?, paper) of a leaflet variant, as pdf.VARIANTS describes it: the paper is
    its CSS page size, whose keywords are case-insensitive ("A4" is the publisher's "a4")."""
    paper = VARIANTS[variant]
    return paper.large_print, paper.size.lower()


def download(job: Job, entry: Listed, paper: str, locale: str = "en-US") -> dict:
    """One file of a card: link text, what kind of file it is, and where it sorts. `job.path`
    is relative to the catalogue (its locale's folder)."""
    facts = []
    if job.format == "pdf":
        large, size = _pdf_paper(job.variant)
        label = (pgettext("catalogue.large-print-leaflet", "Large-print leaflet, {paper}") if large
                 else pgettext("catalogue.leaflet", "Leaflet, {paper}")).format(paper=paper_name(size))
        # The publisher's own paper first, then the other size; large print after standard.
        order = (0, large, size != paper)
        facts.append("PDF")
        if entry.pages:
            facts.append(page_count(entry.pages))
    elif job.format == "html":
        label, order = pgettext("catalogue.web-page", "Web page"), (1,)
    elif job.format == "sms":
        label, order = pgettext("catalogue.text-message", "Text message"), (2,)
        facts.append(pgettext("catalogue.plain-text", "plain text"))
    else:
        label, order = job.path.rsplit("/", 1)[-1], (3,)
    facts.append(human_size(entry.bytes, locale))
    return {"href": job.path, "format": job.format, "label": label, "type": _mime(job.path),
            "facts": ", ".join(facts), "order": (*order, job.path)}


# The catalogue's filter: body areas a reader would name, in order from the back down, and the
# areas each drawn body location belongs to; a location may span several.
AREAS = {
    "lower-back": pgettext("catalogue.area.lower-back", "Lower back"),
    "thigh": pgettext("catalogue.area.thigh", "Back of the thigh"),
    "behind-knee": pgettext("catalogue.area.behind-knee", "Behind the knee"),
    "front": pgettext("catalogue.area.front", "Front of the knee"),
    "whole-knee": pgettext("catalogue.area.whole-knee", "Inside the knee joint"),
    "calf": pgettext("catalogue.area.calf", "Calf"),
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


def area_label(key: str) -> str:
    """A filter area in the language being rendered."""
    return translate(f"catalogue.area.{key}", AREAS[key])


def card(item, files: list[dict], locale: str, twins: list[dict] = ()) -> dict:
    """One card: the item in the locale's words, its files, and its pages in other languages."""
    web = next((f["href"] for f in files if f["format"] == "html"), None)
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
        "twins": list(twins),
    }


def _languages(ctx: RenderContext, folder: str) -> list[dict]:
    """The language switch: each locale whose catalogue this build makes (the locales it has
    a context for), named in itself, with how many handouts it lists."""
    primary = ctx.publisher.locale
    built = ctx.built_in or {ctx.locale: ()}
    return [{"hreflang": tag, "name": own_name(tag), "current": tag == ctx.locale,
             "count": len(built.get(tag, ())) if ctx.built_in else None,
             "href": posixpath.relpath(f"{output_prefix(tag, primary)}index.html", folder),
             "url": f"{ctx.publisher.website}{output_prefix(tag, primary)}index.html"}
            for tag in ctx.publisher.locales or (primary,) if tag == ctx.locale or tag in built]


class CatalogueFormat(Format):
    name = "catalogue"
    aggregate = 2  # after the print pack, which it offers first
    localized = True  # one catalogue per locale, listing that locale's handouts

    def jobs(self, ctx: RenderContext) -> list[Job]:
        return [Job("catalogue", "index", "index.html")]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        # Sizes and page counts are shown; a file whose bytes change but not its size is not.
        # What each locale holds is shown too (the language switch counts it).
        return repr((ctx.library, ctx.publisher, [(e.path, e.bytes, e.pages) for e in ctx.listed],
                     sorted((locale, sorted(items)) for locale, items in ctx.built_in.items())))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        locale = ctx.locale
        with rendering(ctx.library.wording, locale):
            page = self._page(ctx)
        return render_template("catalogue.html.j2", wording=ctx.library.wording, locale=locale, **page).encode("utf-8")

    def _page(self, ctx: RenderContext) -> dict:
        """What the template shows, in the locale's words; every href relative to the catalogue."""
        listed = {entry.path: entry for entry in ctx.listed}
        locale = ctx.locale
        primary = ctx.publisher.locale
        prefix = output_prefix(locale, primary)  # the catalogue's folder, '' or 'es/'
        folder = prefix.rstrip("/") or "."
        library = ctx.library
        paper = paper_size(ctx.publisher)

        def here(path: str) -> str:
            return posixpath.relpath(path, folder)

        files: dict[tuple[str, str], list[dict]] = {}
        for fmt in all_formats().values():
            if fmt.aggregate or (prefix and not fmt.localized):
                continue
            for other in fmt.jobs(ctx):
                if other.subject and prefix + other.path in listed:  # only link what exists
                    files.setdefault(other.subject, []).append(
                        download(other, listed[prefix + other.path], paper, locale))

        def twins(kind: str, slug: str) -> list[dict]:
            """The item's web page in the other languages it is built in."""
            found = []
            for tag in ctx.publisher.locales:
                path = f"{output_prefix(tag, primary)}html/{slug}.html"
                if tag != locale and (kind, slug) in ctx.built_in.get(tag, ()) and path in listed:
                    found.append({"href": here(path), "hreflang": tag, "name": own_name(tag)})
            return found

        def cards(items, kind):
            ordered = sorted(items, key=title_order)
            return [card(item, files.get((kind, item.slug), []), locale, twins(kind, item.slug)) for item in ordered]

        conditions = cards(library.conditions.values(), "condition")
        topics = cards(library.topics.values(), "topic")
        areas = [{"key": key, "label": area_label(key), "count": sum(key in entry["areas"] for entry in conditions)}
                 for key in AREAS]

        pack = None
        leaflets = members(ctx)
        if prefix + pack_path(paper) in listed and leaflets:
            pack = {"href": pack_path(paper), "paper": paper_name(paper), "count": len(leaflets),
                    "size": human_size(listed[prefix + pack_path(paper)].bytes, locale),
                    "pages": sum(entry.pages or 0 for _item, entry in leaflets)}
        guides = [
            {"href": f"epub/{g.slug}.epub", "title": g.title,
             "size": human_size(listed[f"{prefix}epub/{g.slug}.epub"].bytes, locale),
             "status": _status(g, locale), "description": g.description,
             "reference": g.reference, "version": g.approval.version}
            for g in sorted(library.guides.values(), key=title_order)
            if f"{prefix}epub/{g.slug}.epub" in listed
        ]
        tables = [{"href": "sms/messages.csv", "label": pgettext("catalogue.all-messages", "All text messages (CSV)"),
                   "size": human_size(listed[f"{prefix}sms/messages.csv"].bytes, locale)}
                  ] if f"{prefix}sms/messages.csv" in listed else []
        hazard_log = None
        if HAZARD_LOG in listed:  # written in the primary locale only
            hazard_log = {"href": here(HAZARD_LOG), "size": human_size(listed[HAZARD_LOG].bytes, locale),
                          "hreflang": None if locale == primary else primary,
                          "language": None if locale == primary else language_name(primary, locale)}
        languages = _languages(ctx, folder)
        items = [*library.conditions.values(), *library.topics.values(), *library.guides.values()]
        return dict(
            publisher=ctx.publisher,
            assets=here("html/assets") + "/",
            languages=languages if len(languages) > 1 else [],
            pack=pack,
            conditions=conditions,
            topics=topics,
            areas=[area for area in areas if area["count"]],
            guides=guides,
            tables=tables,
            drafts=sum(not item.approval.is_approved for item in items),
            hazard_log=hazard_log,
        )


register(CatalogueFormat())
