"""Accessible HTML pages: one per condition and topic, plus the stylesheet and fonts they use."""

from __future__ import annotations

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
    """The page for one item, as the web ("web") or the leaflet ("print") variant.

    The leaflet also takes `address` (prints where each linked page is), `fit` (classes
    for the type size) and `notes` (whether a notes box fits)."""
    return render_template(
        "page.html.j2",
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
        page_url=ctx.publisher.page_url(item.slug),
        short_url=ctx.publisher.short_page_url(item.slug),
        qr_src=qr_src,
        qr_width_mm=qr_width_mm,
        structured_data=json_for_script(medical_web_page(item, ctx.publisher)),
    )


def web_link(kind: str, slug: str) -> str:
    # Conditions and topics share one folder, so a link is just the file name.
    return f"{slug}.html"


class HtmlFormat(Format):
    name = "html"

    def jobs(self, ctx: RenderContext) -> list[Job]:
        jobs = [
            Job("html", "page", f"html/{slug}.html", condition=slug, subject=("condition", slug))
            for slug in ctx.library.conditions
        ] + [
            Job("html", "page", f"html/{slug}.html", subject=("topic", slug))
            for slug in ctx.library.topics
        ]
        jobs.append(Job("html", "asset", "html/assets/site.css"))
        jobs += [Job("html", "asset", f"html/assets/fonts/{name}") for name in FONT_FILES]
        return jobs

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        if job.variant == "asset":
            return job.path
        return subject_inputs(subject(job, ctx), ctx)

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        if job.variant == "asset":
            if job.path.endswith("site.css"):
                return (STYLES_DIR / "site.css").read_bytes()
            return (ASSETS_DIR / "fonts" / job.path.rsplit("/", 1)[1]).read_bytes()
        item = subject(job, ctx)
        url = ctx.publisher.page_url(item.slug)
        # Shown only when the page is printed (see site.css), so the paper leads back here.
        return render_page(item, ctx, variant="web", link=web_link,
                           qr_src=qr_data_uri(url, f"QR code for {url}")).encode("utf-8")


register(HtmlFormat())
