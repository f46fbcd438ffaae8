"""Accessible HTML pages: one per condition and topic, plus the stylesheet and fonts they use."""

from __future__ import annotations

import posixpath

from ..interface import pgettext, rendering
from ..locales import language_name, output_prefix
from ..model import Condition, Topic
from ..presentation import (ASSETS_DIR, STYLES_DIR, json_for_script, medical_web_page,
                            render_template)
from ..qr import qr_data_uri
from . import Format, Job, RenderContext, register, subject_inputs

FONT_FILES = sorted(p.name for p in (ASSETS_DIR / "fonts").iterdir() if p.is_file())


def subject(job: Job, ctx: RenderContext) -> Condition | Topic:
    kind, slug = job.subject
    return (ctx.library.conditions if kind == "condition" else ctx.library.topics)[slug]


def render_page(item: Condition | Topic, ctx: RenderContext, *, variant: str, link,
                large_print: bool = False, qr_src: str = "", qr_width_mm: float = 0, address=None,
                fit: str = "", notes: bool = False) -> str:
    """The page for one item, as the web ("web") or the leaflet ("print") variant, in the
    context's locale.

    The leaflet also takes `address` (prints where each linked page is), `fit` (classes
    for the type size) and `notes` (whether a notes box fits)."""
    locale = ctx.locale
    primary = ctx.publisher.locale
    here = f"{output_prefix(locale, primary)}html/{item.slug}.html"
    folder = posixpath.dirname(here)
    # The other languages this item is built in, each named in itself (hreflang alternates and
    # the visible switch): only pages that exist are linked.
    languages = [{"hreflang": other, "name": language_name(other, other)[:1].upper() + language_name(other, other)[1:], "current": other == locale,
                  "href": posixpath.relpath(f"{output_prefix(other, primary)}html/{item.slug}.html", folder),
                  "url": ctx.publisher.page_url(item.slug, other)}
                 for other in ctx.publisher.locales or (primary,)
                 if other == locale or (item.kind, item.slug) in ctx.built_in.get(other, ())]
    alternates = []
    if len(languages) > 1:
        alternates = [{"hreflang": language["hreflang"], "href": language["url"]} for language in languages]
        alternates.append({"hreflang": "x-default", "href": ctx.publisher.page_url(item.slug, primary)})
    return render_template(
        "page.html.j2",
        wording=ctx.library.wording,
        locale=locale,
        assets=posixpath.relpath("html/assets", folder) + "/",
        # Each locale has its own catalogue (es/index.html), listing its handouts.
        home=posixpath.relpath(f"{output_prefix(locale, primary)}index.html", folder),
        # A leaflet in another language is built only when it fits its paper: the page links
        # the primary locale's leaflet alone, the catalogue lists the others.
        leaflet_href=(posixpath.relpath(f"pdf/{item.slug}.{ctx.publisher.paper_size}.pdf", folder)
                      if locale == primary else None),
        languages=languages if len(languages) > 1 else [],
        alternates=alternates,
        item=item,
        library=ctx.library,
        publisher=ctx.publisher,
        variant=variant,
        large_print=large_print,
        link=link,
        address=address,
        fit=fit,
        notes=notes,
        created=ctx.created,
        page_url=ctx.publisher.page_url(item.slug, locale),
        short_url=ctx.publisher.short_page_url(item.slug, locale),
        qr_src=qr_src,
        qr_width_mm=qr_width_mm,
        structured_data=json_for_script(medical_web_page(item, ctx.publisher, locale)),
    )


def web_link(kind: str, slug: str) -> str:
    # Conditions and topics share one folder, so a link is just the file name.
    return f"{slug}.html"


class HtmlFormat(Format):
    name = "html"
    localized = True

    def jobs(self, ctx: RenderContext) -> list[Job]:
        jobs = [
            Job("html", "page", f"html/{slug}.html", condition=slug, subject=("condition", slug))
            for slug in ctx.library.conditions
        ] + [
            Job("html", "page", f"html/{slug}.html", subject=("topic", slug))
            for slug in ctx.library.topics
        ]
        if ctx.locale == ctx.publisher.locale:  # shared by every locale's pages
            jobs.append(Job("html", "asset", "html/assets/site.css"))
            jobs += [Job("html", "asset", f"html/assets/fonts/{name}") for name in FONT_FILES]
        return jobs

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        if job.variant == "asset":
            return job.path
        item = subject(job, ctx)
        return repr((subject_inputs(item, ctx), ctx.library.wording,
                     sorted(locale for locale, built in ctx.built_in.items() if (item.kind, item.slug) in built)))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        if job.variant == "asset":
            if job.path.endswith("site.css"):
                return (STYLES_DIR / "site.css").read_bytes()
            return (ASSETS_DIR / "fonts" / job.path.rsplit("/", 1)[1]).read_bytes()
        item = subject(job, ctx)
        url = ctx.publisher.page_url(item.slug, ctx.locale)
        with rendering(ctx.library.wording, ctx.locale):
            title = pgettext("qr.title", "QR code for {address}").format(address=url)
        # Shown only when the page is printed (see site.css), so the paper leads back here.
        return render_page(item, ctx, variant="web", link=web_link,
                           qr_src=qr_data_uri(url, title)).encode("utf-8")


register(HtmlFormat())
