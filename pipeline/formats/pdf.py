"""Printable PDF leaflets (A4, US Letter, large print): the page's print variant through WeasyPrint."""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache

from ..presentation import ASSETS_DIR, STYLES_DIR
from ..qr import qr_data_uri
from . import Format, Job, RenderContext, register, subject_inputs
from .html import render_page, subject

# variant -> (file suffix, CSS page size, large print?)
VARIANTS = {
    "a4": ("", "A4", False),
    "letter": (".letter", "letter", False),
    "large-print": (".large-print", "A4", True),
}


class RenderError(Exception):
    """A renderer failed or complained; the message names the item."""


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
        for size in {v[1] for v in VARIANTS.values()}
    }
    # No shared `cache` dict: it keys images by URL, and every leaflet's QR code is a unique
    # data: URL, so a shared cache only grew (by about 2.4 MB a leaflet, measured) and made a
    # worker's memory grow with the number of conditions.
    return weasyprint, fonts, fetcher, base, sheets


def pdf_link(publisher):
    # A printed leaflet points at the publisher's web pages, which a reader can type or tap.
    return lambda kind, slug: publisher.page_url(slug)


class PdfFormat(Format):
    name = "pdf"
    heavy = True

    def jobs(self, ctx: RenderContext) -> list[Job]:
        return [
            Job("pdf", variant, f"pdf/{slug}{suffix}.pdf", condition=slug, subject=("condition", slug))
            for slug in ctx.library.conditions
            for variant, (suffix, _size, _large) in VARIANTS.items()
        ]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        return job.variant + subject_inputs(subject(job, ctx), ctx)

    def warm_up(self) -> None:
        warm_weasyprint()

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        weasyprint, fonts, fetcher, base, sheets = warm_weasyprint()
        item = subject(job, ctx)
        _suffix, size, large = VARIANTS[job.variant]
        url = ctx.publisher.page_url(item.slug)
        html = render_page(item, ctx, variant="print", link=pdf_link(ctx.publisher), large_print=large,
                           qr_src=qr_data_uri(url, f"QR code for {url}"))
        collector = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        try:
            document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher)
            data = document.write_pdf(
                stylesheets=[sheets[size]], font_config=fonts,
                pdf_variant="pdf/ua-1",
                # Keeps the page's reference, version and review status as document metadata.
                custom_metadata=True,
                # Derived from the content, so the same input gives the same bytes.
                pdf_identifier=hashlib.sha256(html.encode()).hexdigest()[:32].encode(),
            )
        except Exception as exc:  # WeasyPrint raises many kinds; all are this item's failure
            raise RenderError(f"{job.path} ({item.slug}): WeasyPrint failed: {exc}") from exc
        finally:
            logger.removeHandler(collector)
        if collector.records:
            messages = "; ".join(r.getMessage() for r in collector.records)
            raise RenderError(f"{job.path} ({item.slug}): WeasyPrint reported: {messages}")
        return data


register(PdfFormat())
