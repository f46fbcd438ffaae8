"""PDF leaflets: complete, clear print measured from the PDF itself, one sheet, tagged,
self-contained, with a QR code a phone reads and an address for every page they point to."""

from __future__ import annotations

import re

import pikepdf
import pypdfium2
import pytest

from conftest import ROOT, copy_project, edit_source
from pdfmeasure import MM_PER_PT, PageText, measure, read_qr_codes, render_page
from pipeline import body_map
from pipeline.build import BuildOptions, build
from pipeline.fetcher import AssetsOnlyFetcher, ResourceRefused
from pipeline.formats.pdf import VARIANTS, DoesNotFit, Paper, fit_to_paper, pdf_path
from pipeline.project import Project
from real_sources import slugs
from textfields import condition_texts, missing, pdf_text, topic_texts

ITEMS = [("condition", slug) for slug in slugs("conditions")] + [("topic", slug) for slug in slugs("topics")]
CASES = [(kind, slug, variant) for kind, slug in ITEMS for variant in VARIANTS]
IDS = [f"{slug}.{variant}" for _kind, slug, variant in CASES]
# The running footer sits in the bottom page margin; every other line is running text.
FOOTER_ZONE_MM = 13


@pytest.fixture(scope="module")
def publisher(library):
    return library.publishers["us-default"]


def item_of(library, kind, slug):
    return (library.conditions if kind == "condition" else library.topics)[slug]


@pytest.mark.parametrize("kind,slug,variant", CASES, ids=IDS)
def test_every_field_is_in_the_leaflet(built, library, publisher, kind, slug, variant):
    text = pdf_text(built / pdf_path(slug, variant))
    item = item_of(library, kind, slug)
    assert missing(condition_texts(item, paper=True) if kind == "condition" else topic_texts(item), text) == []
    # The sources are named by the address of the page that lists them.
    sources_line = f"Sources: listed on the web page of this handout, {publisher.short_page_url(slug)}"
    assert re.sub(r"\s+", "", sources_line) in re.sub(r"\s+", "", text)
    for must in ("Knee Pain Handouts (example publisher)", "202-555-0143", "knee.example",
                 "Draft: not yet clinically reviewed", "does not replace advice", "Page 1 of",
                 "Last reviewed: November 21, 2026", "Next review due: November 21, 2027",
                 publisher.feedback, "Your clinic", "Read this online"):
        assert must in text, must


@pytest.mark.parametrize("kind,slug,variant", CASES, ids=IDS)
def test_clear_print_measured(built, library, kind, slug, variant):
    """RNIB clear print, measured from the printed characters: size, line length, pages."""
    paper = VARIANTS[variant]
    m = measure(built / pdf_path(slug, variant))
    height = m.page_height_pt
    # Nothing runs into the side margins (12 mm and more) or off the page.
    edge = 10 / MM_PER_PT
    outside = [line.text for line in m.lines if line.x0 < edge or line.x1 > m.page_width_pt - edge]
    # Left aligned, ragged right: long lines of the text column end at different places.
    ends = [round(line.x1) for line in m.lines if len(line.text) > 55]
    assert outside == [], "text in the margin or off the page"
    running = [line for line in m.lines if line.top < height - FOOTER_ZONE_MM / MM_PER_PT]
    footer = [line for line in m.lines if line not in running]
    assert m.pages <= paper.max_pages, f"{m.pages} pages"
    if paper.large_print:
        assert m.body_pt >= 16
        assert min(line.size for line in m.lines) >= 14 - 0.01  # the footer included
    else:
        assert m.body_pt >= 12
        assert min(line.size for line in running) >= 11 - 0.01, "only the running footer may be under 11 pt"
    footer_text = " ".join(line.text for line in footer)
    assert f"Page 1 of {m.pages}" in footer_text and item_of(library, kind, slug).reference in footer_text
    longest = max(running, key=lambda line: len(line.text))
    assert len(longest.text) <= 75, f"{len(longest.text)} characters: {longest.text!r}"
    # No italic and no capitals for running text.
    assert not [f for f in m.fonts if re.search("italic|oblique", f, re.I)], m.fonts
    shouting = [line.text for line in running if len(line.text) > 12 and line.text.upper() == line.text
                and re.search("[A-Z]{4}", line.text)]
    assert shouting == []
    assert len(set(ends)) > len(ends) / 3, "lines end flush: justified text?"


@pytest.fixture
def fixture_leaflets(fixture_built_uk):
    """The small fixture project's outputs for the UK profile (which names its clinic)."""
    return fixture_built_uk / "outputs"


def test_14pt_where_the_content_fits_12pt_where_it_does_not(fixture_leaflets, tmp_path):
    # The fixture's topic is short: 14 pt, and a notes box.
    short = fixture_leaflets / pdf_path("price-method", "a4")
    assert measure(short).body_pt == 14
    assert "My notes" in pdf_text(short)
    # Every standard leaflet at 12 or 14 pt.
    bodies = {measure(leaflet).body_pt for leaflet in (fixture_leaflets / "pdf").glob("*.pdf")
              if "large-print" not in leaflet.name}
    assert bodies <= {12.0, 14.0}


def test_clinic_details_from_the_profile(fixture_leaflets):
    text = pdf_text(fixture_leaflets / pdf_path("calf-strain", "a4"))
    assert "Your clinic Riverside Example Surgery Phone: 0808 157 0999" in text
    assert "Name:" not in text
    assert "uk.knee.example/html/calf-strain.html" in text.replace(" ", "")


def _lay_out_from(table):
    """A stand-in for WeasyPrint: (size, notes) -> pages needed, from a table."""
    calls = []

    class Page:
        def __init__(self, fill):
            self.fill = fill

    class Document:
        def __init__(self, needed):
            whole = int(needed) if needed == int(needed) else int(needed) + 1
            self.pages = [Page(1.0)] * (whole - 1) + [Page(needed - whole + 1)]

    def lay_out(size, notes):
        calls.append((size, notes))
        return f"{size}-{notes}", Document(table[(size, notes)])

    return lay_out, calls


@pytest.fixture
def fake_fill(monkeypatch):
    import pipeline.formats.pdf as pdf_module
    monkeypatch.setattr(pdf_module, "page_fill", lambda page: page.fill)


def test_fit_prefers_larger_type_then_the_notes_box(fake_fill):
    paper = Paper("A4", False, 2, (14, 12))
    # Short: 14 pt with notes fits.
    lay_out, calls = _lay_out_from({(12, True): 1.4, (14, True): 1.7})
    assert fit_to_paper(paper, lay_out, "x")[0] == "14-True"
    # 14 pt fits only without the notes box: larger type wins over the notes box.
    lay_out, calls = _lay_out_from({(12, True): 1.6, (14, True): 2.1, (14, False): 1.95})
    assert fit_to_paper(paper, lay_out, "x")[0] == "14-False"
    # Long: 14 pt is not even tried (its estimate is far over); 12 pt with notes.
    lay_out, calls = _lay_out_from({(12, True): 1.97})
    assert fit_to_paper(paper, lay_out, "x")[0] == "12-True" and calls == [(12, True)]
    # Only without the notes box.
    lay_out, calls = _lay_out_from({(12, True): 2.1, (12, False): 1.96})
    assert fit_to_paper(paper, lay_out, "x")[0] == "12-False"


def test_fit_never_shrinks_the_type_below_the_smallest_size(fake_fill):
    paper = Paper("letter", False, 2, (14, 12))
    lay_out, calls = _lay_out_from({(12, True): 2.5, (12, False): 2.4})
    with pytest.raises(DoesNotFit, match=r"pdf/x.letter.pdf \(x\): does not fit: at 12 pt it needs 2.40 pages "
                                         r"where 2 are allowed, 0.40 of a page over"):
        fit_to_paper(paper, lay_out, "pdf/x.letter.pdf (x)")
    # 14 pt is never tried for a leaflet too long at 12; how far over is measured without notes.
    assert calls == [(12, True), (12, False)]
    # A float cut off at the bottom of the last page fills it completely: not a fit.
    lay_out, calls = _lay_out_from({(12, True): 2.0, (12, False): 1.9})
    assert fit_to_paper(paper, lay_out, "x")[0] == "12-False"
    # Filled to the bottom edge of the last page even without notes: said in words, never as
    # "-0.00 of a page over".
    lay_out, calls = _lay_out_from({(12, True): 2.0, (12, False): 1.998})
    with pytest.raises(DoesNotFit, match=r"\(x\): does not fit: at 12 pt it fills page 2 to the bottom edge, "
                                         r"where 2 pages are allowed\. Shorten"):
        fit_to_paper(paper, lay_out, "pdf/x.letter.pdf (x)")


def test_a_leaflet_that_does_not_fit_fails_naming_it_and_how_far_over(tmp_path):
    project = copy_project(tmp_path / "p")
    path = project / "sources/conditions/calf-strain.yaml"
    extra = "".join(f"  - A made-up sign number {n} that only makes this leaflet long\n" for n in range(40))
    edit_source(path, "symptoms:\n", "symptoms:\n" + extra)
    report = build(Project(project), BuildOptions(out_dir=project / "out", workers=1, formats=("pdf",),
                                                  only=("calf-strain", "dvt")))
    failed = {o.job.path: o.error for o in report.failed}
    assert set(failed) == {pdf_path("calf-strain", v) for v in VARIANTS}, failed
    for path, error in failed.items():
        paper = VARIANTS[path.split(".", 1)[1][:-len(".pdf")]]
        size, pages = paper.type_sizes[-1], paper.max_pages
        assert re.search(rf"\(calf-strain\): does not fit: at {size} pt it needs \d\.\d\d pages where {pages} "
                         rf"are allowed, \d\.\d\d of a page over\. Shorten the text", error), error
        assert not (project / "out" / path).exists()  # no leaflet in smaller type instead
    # The other leaflets are built as usual.
    assert all((project / "out" / pdf_path("dvt", v)).exists() for v in VARIANTS)


def test_page_sizes(built):
    sizes = {"a4": [0, 0, 595, 842], "letter": [0, 0, 612, 792]}
    for variant, paper in VARIANTS.items():
        with pikepdf.open(built / pdf_path("dvt", variant)) as pdf:
            expected = sizes["a4" if paper.size == "A4" else "letter"]
            assert all([round(float(v)) for v in page.mediabox] == expected for page in pdf.pages), variant


def test_every_condition_and_topic_has_every_paper_variant(built):
    made = {p.name for p in (built / "pdf").iterdir()}
    for _kind, slug in ITEMS:
        assert {f"{slug}.a4.pdf", f"{slug}.letter.pdf", f"{slug}.large-print.a4.pdf",
                f"{slug}.large-print.letter.pdf"} <= made, slug


def _struct_elements(node, found):
    if isinstance(node, pikepdf.Array):
        for child in node:
            _struct_elements(child, found)
    elif isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            _struct_elements(node.K, found)


@pytest.mark.parametrize("kind,slug,variant", CASES, ids=IDS)
def test_pdf_ua_structure(built, library, publisher, kind, slug, variant):
    with pikepdf.open(built / pdf_path(slug, variant)) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en-US"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.docinfo.Title).startswith(item_of(library, kind, slug).title)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        elements = []
        _struct_elements(root.StructTreeRoot.K, elements)
        kinds = {str(e.S) for e in elements}
        assert {"/H1", "/H2", "/P", "/L", "/LI", "/Figure", "/Caption"} <= kinds
        # The figures are the QR code and the picture of where it hurts, each with its text;
        # the care cards' icons are drawn as artifacts, not figures without words.
        alts = sorted(str(f.get("/Alt", "")) for f in elements if str(f.S) == "/Figure")
        expected = [f"QR code that opens this handout online at {publisher.page_url(slug)}"]
        if kind == "condition":
            expected.append(body_map.alt_text(library.conditions[slug].body_location))
        assert alts == sorted(expected)
        for page in pdf.pages:
            for name, font in page.Resources.Font.items():
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{name} not embedded"


def _caption_page(pdf: pypdfium2.PdfDocument) -> tuple[int, PageText]:
    """The page (1-based) that carries the QR code's caption, and its text."""
    for number, page in enumerate(pdf, start=1):
        text = PageText(page)
        if "Scan the code" in str(text):
            return number, text
    raise AssertionError("no QR caption")


@pytest.mark.parametrize("kind,slug,variant", CASES, ids=IDS)
def test_qr_code_reads_as_the_page_address_beside_its_caption(built, publisher, kind, slug, variant):
    path = built / pdf_path(slug, variant)
    with pypdfium2.PdfDocument(path) as pdf:
        page, sheet = _caption_page(pdf)
        scan = sheet.find("Scan the code")[0]
        # The caption's own column: from the page's left edge (a long address runs on under
        # the code) to the clinic's box beside it, if any.
        beside = [box.x0 for box in sheet.find("Your clinic") if box.x0 > scan.x1 and abs(box.top - scan.top) < 40]
        caption = sheet.within(0, scan.top - 1, min(beside, default=sheet.width) - 1, sheet.height)
    # The caption's page rendered at 200 dpi, as a phone camera would see it.
    codes = read_qr_codes(path, page=page)
    assert [code.text for code in codes] == [publisher.page_url(slug)]
    code = codes[0]
    assert code.size_mm >= 25, f"{code.size_mm:.1f} mm"
    caption_top = scan.top * MM_PER_PT
    # The caption, with the address a reader can type, is on the same page, beside or just
    # below the code.
    assert publisher.short_page_url(slug) in re.sub(r"\s+", "", caption)
    assert code.top_mm - 8 <= caption_top <= code.bottom_mm + 12, (code, caption_top)


def test_qr_code_has_a_four_module_quiet_zone(built, publisher):
    """Around the symbol, 4 modules' width of white, measured on the rendered page."""
    import segno
    from zxingcpp import read_barcodes

    path = built / pdf_path("cruciate-ligament-injury", "a4")  # the longest address
    with pypdfium2.PdfDocument(path) as pdf:
        page, _text = _caption_page(pdf)
        image = render_page(pdf, page, dpi=200)
    code = read_qr_codes(path, page=page)[0]
    modules = segno.make(publisher.page_url("cruciate-ligament-injury"), error="m").symbol_size(border=0)[0]
    px_per_mm = 200 / 25.4
    module_px = code.size_mm / modules * px_per_mm
    pos = read_barcodes(image)[0].position
    left, top = min(pos.top_left.x, pos.bottom_left.x), min(pos.top_left.y, pos.top_right.y)
    right, bottom = max(pos.top_right.x, pos.bottom_right.x), max(pos.bottom_left.y, pos.bottom_right.y)
    zone = 4 * module_px
    for x0, y0, x1, y1 in ((left - zone, top, left - 1, bottom), (right + 1, top, right + zone, bottom),
                           (left, top - zone, right, top - 1), (left, bottom + 1, right, bottom + zone)):
        box = image.crop((int(x0) + 1, int(y0) + 1, int(x1) - 1, int(y1) - 1))
        assert box.getextrema()[0] > 200, "dark pixels inside the quiet zone"


@pytest.mark.parametrize("kind,slug", ITEMS)
def test_read_more_prints_where_to_find_each_page(built, library, publisher, kind, slug):
    item = item_of(library, kind, slug)
    for variant in VARIANTS:
        # An address may run over two lines: compare without the spaces.
        text = re.sub(r"\s+", "", pdf_text(built / pdf_path(slug, variant)))
        for _kind, other, title in library.related(item):
            assert re.sub(r"\s+", "", f"{title}: {publisher.short_page_url(other)}") in text, (variant, other)


def test_leaflet_furniture(built, library):
    for _kind, slug in ITEMS:
        text = pdf_text(built / pdf_path(slug, "a4"))
        large = pdf_text(built / pdf_path(slug, "large-print.letter"))
        if slug in library.conditions:
            assert "Questions to ask your doctor" in text
            assert "Also available in large print, as a web page and by text message." in text
            assert "Also available in standard print, as a web page and by text message." in large
        else:
            assert "Also available in large print and as a web page." in text
        for leaflet in (text, large):
            assert "Your clinic Name: Phone: Next visit:" in leaflet  # lines the clinic fills in
    # A notes box wherever it fits: the shortest leaflets have one.
    assert "My notes" in pdf_text(built / pdf_path(min(library.topics), "a4"))


def test_uk_leaflet_uses_the_uk_profile(fixture_leaflets):
    text = pdf_text(fixture_leaflets / "pdf/dvt.a4.pdf")
    assert "Call 999 or go to A&E now if:" in text and "0808 157 0192" in text
    assert "911" not in text
    assert "Last reviewed: 21 November 2026" in text
    assert "uk.knee.example/html/dvt.html" in text.replace(" ", "")


def test_fetcher_refuses_everything_outside_the_assets(tmp_path):
    fetcher = AssetsOnlyFetcher()
    for url in ("file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.org/a.css",
                "file:///" + str(tmp_path) + "/../../etc/passwd", "ftp://example.org/x"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)
    font = AssetsOnlyFetcher().fetch((ROOT / "pipeline/assets/fonts/OFL.txt").as_uri())
    assert b"Open Font License" in font.read()
    icon = AssetsOnlyFetcher().fetch((ROOT / "pipeline/assets/icons/emergency.svg").as_uri())
    assert b"<svg" in icon.read()
