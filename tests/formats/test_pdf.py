"""PDF leaflets: complete, short enough to print on one sheet, tagged and self-contained."""

from __future__ import annotations

import pikepdf
import pytest

from conftest import ROOT
from pipeline.fetcher import AssetsOnlyFetcher, ResourceRefused
from real_sources import slugs
from textfields import condition_texts, missing, pdf_text

SUFFIXES = {"a4": "", "letter": ".letter", "large-print": ".large-print"}
CASES = [(slug, variant) for slug in slugs("conditions") for variant in SUFFIXES]


def pdf_path(out, slug, variant):
    return out / f"pdf/{slug}{SUFFIXES[variant]}.pdf"


@pytest.mark.parametrize("slug,variant", CASES)
def test_every_field_is_in_the_leaflet(built, library, slug, variant):
    text = pdf_text(pdf_path(built, slug, variant))
    assert missing(condition_texts(library.conditions[slug]), text) == []
    for must in ("Knee Pain Handouts (example publisher)", "202-555-0143", "https://knee.example/",
                 "Draft: not yet clinically reviewed", "does not replace advice", "Page 1 of",
                 "Last reviewed: November 21, 2026", "Next review due: November 21, 2027"):
        assert must in text, must


@pytest.mark.parametrize("slug", slugs("conditions"))
def test_print_leaflets_fit_one_sheet(built, slug):
    for variant in ("a4", "letter"):
        with pikepdf.open(pdf_path(built, slug, variant)) as pdf:
            assert len(pdf.pages) <= 2, f"{slug} {variant}: {len(pdf.pages)} pages"


def test_page_sizes(built):
    with pikepdf.open(pdf_path(built, "dvt", "a4")) as pdf:
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 595, 842]
    with pikepdf.open(pdf_path(built, "dvt", "letter")) as pdf:
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 612, 792]


def _struct_elements(node, found):
    if isinstance(node, pikepdf.Array):
        for child in node:
            _struct_elements(child, found)
    elif isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            _struct_elements(node.K, found)


@pytest.mark.parametrize("slug,variant", CASES)
def test_pdf_ua_structure(built, library, slug, variant):
    with pikepdf.open(pdf_path(built, slug, variant)) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en-US"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.docinfo.Title).startswith(library.conditions[slug].title)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        elements = []
        _struct_elements(root.StructTreeRoot.K, elements)
        kinds = {str(e.S) for e in elements}
        assert {"/H1", "/H2", "/P", "/L", "/LI", "/Figure"} <= kinds
        figures = [e for e in elements if str(e.S) == "/Figure"]
        assert figures and all(str(f.get("/Alt", "")).startswith("QR code that opens this handout online at https://")
                               for f in figures)
        for page in pdf.pages:
            for name, font in page.Resources.Font.items():
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{name} not embedded"


def font_sizes(path) -> list[float]:
    """The size in points of every run of text drawn, from the content streams.

    WeasyPrint flips the page with a first `cm`, then draws in CSS pixels under a second,
    page-wide `cm` scale (0.75 pt per px); a `Tf` size is multiplied by the product.
    """
    sizes = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            size, scale, seen = None, 1.0, 0
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "cm" and seen < 2:
                    scale *= abs(float(operands[0])) or 1.0
                    seen += 1
                elif str(operator) == "Tf":
                    size = float(operands[1])
                elif str(operator) in ("Tj", "TJ") and size:
                    sizes.append(round(size * scale, 2))
    return sizes


@pytest.mark.parametrize("slug", slugs("conditions"))
def test_large_print_body_text_is_at_least_16pt(built, slug):
    sizes = font_sizes(pdf_path(built, slug, "large-print"))
    body = [s for s in sizes if s < 16]
    # Only the running footer may be smaller: per page, the title with the leaflet reference
    # (WeasyPrint draws the pieces of its content() as separate runs) and "Page N of M".
    with pikepdf.open(pdf_path(built, slug, "large-print")) as pdf:
        pages = len(pdf.pages)
    assert len(body) <= 4 * pages, f"{len(body)} small text runs: {sorted(set(body))}"
    assert min(sizes) >= 7 and max(font_sizes(pdf_path(built, slug, "a4"))) == 17


def test_uk_leaflet_uses_the_uk_profile(built_uk):
    text = pdf_text(built_uk / "pdf/dvt.pdf")
    assert "Call 999 or go to A&E now if:" in text and "0808 157 0192" in text
    assert "911" not in text
    assert "Last reviewed: 21 November 2026" in text


def test_fetcher_refuses_everything_outside_the_assets(tmp_path):
    fetcher = AssetsOnlyFetcher()
    for url in ("file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.org/a.css",
                "file:///" + str(tmp_path) + "/../../etc/passwd", "ftp://example.org/x"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)
    font = AssetsOnlyFetcher().fetch((ROOT / "pipeline/assets/fonts/OFL.txt").as_uri())
    assert b"Open Font License" in font.read()
