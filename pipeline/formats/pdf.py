"""Printable PDF leaflets for conditions and topics: A4 and US Letter, standard and large print.

Each leaflet is the page's print variant laid out by WeasyPrint at the largest type size that
fits its paper's page limit. When even the smallest allowed size does not fit, the leaflet
fails, naming the item and how far over it is: the remedy is shorter text, never smaller type.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache

from ..interface import pgettext, rendering
from ..pdf_pages import page_count
from ..presentation import ASSETS_DIR, STYLES_DIR
from ..qr import qr_image
from . import Format, Job, RenderContext, register, subject_inputs
from .html import render_page, subject


@dataclass(frozen=True)
class Paper:
    size: str  # the CSS page size
    large_print: bool
    max_pages: int
    # Body type sizes in points, largest first: the leaflet takes the first that fits.
    type_sizes: tuple[int, ...]


# variant -> paper; the file is pdf/<slug>.<variant>.pdf
VARIANTS = {
    "a4": Paper("A4", False, 2, (14, 12)),
    "letter": Paper("letter", False, 2, (14, 12)),
    "large-print.a4": Paper("A4", True, 4, (16,)),
    "large-print.letter": Paper("letter", True, 4, (16,)),
}
# More than the notes box's height, as a share of a page: a leaflet further over than this
# does not fit by leaving the box out either.
NOTES_PAGES = 0.2
# A last page used this far down may have had a float cut off at its bottom margin.
FULL_PAGE = 0.995
# How far an estimate may be over the limit and the layout still be worth trying.
FIT_SLACK_PAGES = 0.1
# The QR code's printed size, quiet zone excluded (at least 25 mm is what phones read easily).
QR_SYMBOL_MM = 26


def pdf_path(slug: str, variant: str) -> str:
    return f"pdf/{slug}.{variant}.pdf"


class RenderError(Exception):
    """A renderer failed or complained; the message names the item."""


class DoesNotFit(RenderError):
    """The leaflet is longer than its paper allows, even at the smallest type size."""


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@lru_cache(maxsize=None)
def warm_weasyprint():
    """WeasyPrint's objects that are costly to make, made once per process and reused."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from ..fetcher import AssetsOnlyFetcher

    fonts = FontConfiguration()
    fetcher = AssetsOnlyFetcher()
    base = ASSETS_DIR.as_uri() + "/"
    leaflet = (STYLES_DIR / "leaflet.css").read_text(encoding="utf-8")
    sheets = {
        size: weasyprint.CSS(string=leaflet + f"\n@page {{ size: {size}; }}\n", base_url=base,
                             url_fetcher=fetcher, font_config=fonts)
        for size in {paper.size for paper in VARIANTS.values()}
    }
    # No shared `cache` dict: it keys images by URL, and every leaflet's QR code is a unique
    # data: URL, so a shared cache only grew (by about 2.4 MB a leaflet, measured) and made a
    # worker's memory grow with the number of conditions.
    return weasyprint, fonts, fetcher, base, sheets


def pdf_link(publisher, locale: str | None = None):
    # A printed leaflet points at the publisher's web pages, which a reader can type or tap.
    return lambda kind, slug: publisher.page_url(slug, locale)


def page_fill(page) -> float:
    """How much of a laid-out page's content area is used: more than 1 when something (a
    float WeasyPrint could not move on) runs past the bottom margin."""
    from weasyprint.formatting_structure import boxes

    page_box = page._page_box
    top, height = page_box.content_box_y(), page_box.height
    bottom = top

    def walk(box):
        nonlocal bottom
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.MarginBox):
                continue  # the running header and footer are outside the content area
            bottom = max(bottom, child.position_y + child.margin_height())
            walk(child)

    walk(page_box)
    return max(0.0, (bottom - top) / height) if height else 1.0


def pages_needed(document) -> float:
    """The length of a laid-out document in pages, the last one counted by how full it is."""
    return len(document.pages) - 1 + page_fill(document.pages[-1])


def fits(document, paper: Paper) -> bool:
    """Within the page limit, with nothing cut off. A float that does not fit the last page
    is cut at the bottom margin (WeasyPrint splits it and drops the rest when no page
    follows), so a last page filled to the very bottom counts as too long."""
    return len(document.pages) <= paper.max_pages and page_fill(document.pages[-1]) < FULL_PAGE


def fit_to_paper(paper: Paper, lay_out, name: str):
    """(html, document) of the best layout within the paper's page limit: the largest type
    that fits, with the notes box if it fits too (type size comes first).

    Each try is a whole layout, so tries that cannot succeed are skipped. The smallest size is
    laid out first; the length scales with the type size (the measure is set in em), so a
    larger size is tried only when that estimate says it may fit. A leaflet that does not fit
    is measured without the notes box, so the report says how much text must go.
    """
    smallest = paper.type_sizes[-1]
    html, document = lay_out(smallest, True)
    base = pages_needed(document)
    fits_small = fits(document, paper)
    for type_size in paper.type_sizes[:-1]:
        estimate = base * type_size / smallest
        if estimate > paper.max_pages + FIT_SLACK_PAGES:
            continue
        for notes in (True, False):
            if not notes and estimate - paper.max_pages > NOTES_PAGES:
                break
            larger_html, larger = lay_out(type_size, notes)
            if fits(larger, paper):
                return larger_html, larger
            estimate = pages_needed(larger)
    if fits_small:
        return html, document
    # Without the notes box: it may fit then, and if not, how far over is measured without it.
    html, document = lay_out(smallest, False)
    if fits(document, paper):
        return html, document
    needed = pages_needed(document)
    if needed - paper.max_pages < 0.01:
        # The last allowed page is filled to its bottom edge: nothing may be cut off there.
        over = f"it fills page {paper.max_pages} to the bottom edge, where {paper.max_pages} pages are allowed"
    else:
        over = (f"it needs {needed:.2f} pages where {paper.max_pages} are allowed, "
                f"{needed - paper.max_pages:.2f} of a page over")
    raise DoesNotFit(f"{name}: does not fit: at {smallest} pt {over}. "
                     f"Shorten the text; the type stays at {smallest} pt or larger.")


class PdfFormat(Format):
    localized = True
    name = "pdf"
    heavy = True

    def jobs(self, ctx: RenderContext) -> list[Job]:
        items = [("condition", slug) for slug in ctx.library.conditions]
        items += [("topic", slug) for slug in ctx.library.topics]
        return [
            Job("pdf", variant, pdf_path(slug, variant), condition=slug if kind == "condition" else None,
                subject=(kind, slug))
            for kind, slug in items
            for variant in VARIANTS
        ]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        return job.variant + subject_inputs(subject(job, ctx), ctx)

    def warm_up(self) -> None:
        warm_weasyprint()

    def left_out(self, job: Job, error: str) -> bool:
        # A translated leaflet that does not fit its paper is not built in that locale (the
        # web page still is); an English one that does not fit fails the build.
        return not job.path.startswith("pdf/") and f"{job.path} " in error and ": does not fit: " in error

    def describe(self, job: Job, data: bytes) -> dict[str, int]:
        # The catalogue shows each leaflet's page count.
        return {"pages": page_count(data) or 0}

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        weasyprint, fonts, fetcher, base, sheets = warm_weasyprint()
        item = subject(job, ctx)
        paper = VARIANTS[job.variant]
        publisher = ctx.publisher
        locale = ctx.locale
        url = publisher.page_url(item.slug, locale)
        with rendering(ctx.library.wording, locale):
            title = pgettext("qr.title", "QR code for {address}").format(address=url)
        qr_src, qr_width_mm = qr_image(url, title, QR_SYMBOL_MM)

        def lay_out(type_size: int, notes: bool):
            html = render_page(item, ctx, variant="print", link=pdf_link(publisher, locale),
                               large_print=paper.large_print, qr_src=qr_src, qr_width_mm=qr_width_mm,
                               address=lambda kind, slug: publisher.short_page_url(slug, locale),
                               fit=f"fit-{type_size}", notes=notes)
            document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render(
                stylesheets=[sheets[paper.size]], font_config=fonts, pdf_variant="pdf/ua-1")
            return html, document

        collector = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        try:
            html, document = fit_to_paper(paper, lay_out, f"{job.path} ({item.slug})")
            data = document.write_pdf(
                pdf_variant="pdf/ua-1",
                # Keeps the page's reference, version and review status as document metadata.
                custom_metadata=True,
                # Derived from the content, so the same input gives the same bytes.
                pdf_identifier=hashlib.sha256(html.encode()).hexdigest()[:32].encode(),
            )
        except RenderError:
            raise
        except Exception as exc:  # WeasyPrint raises many kinds; all are this item's failure
            raise RenderError(f"{job.path} ({item.slug}): WeasyPrint failed: {exc}") from exc
        finally:
            logger.removeHandler(collector)
        if collector.records:
            messages = "; ".join(r.getMessage() for r in collector.records)
            raise RenderError(f"{job.path} ({item.slug}): WeasyPrint reported: {messages}")
        return data


register(PdfFormat())
