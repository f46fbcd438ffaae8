"""A web page printed from Chromium: a tidy document with link addresses, no stranded headings, a QR code."""

from __future__ import annotations

import pickle
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pypdfium2
import pytest

from conftest import shared_folder
from pdfmeasure import page_chars, render_page
from real_sources import slugs

PAGES = slugs("conditions", "topics")

pytestmark = pytest.mark.browser


class _PageFacts(HTMLParser):
    """The headings and the link targets inside <main>, as the page's own HTML has them."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.links: list[str] = []
        self._in_main = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._in_main += 1
        elif self._in_main and tag in ("h1", "h2", "h3"):
            self._heading = []
        elif self._in_main and tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main -= 1
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


def page_facts(path: Path) -> _PageFacts:
    facts = _PageFacts()
    facts.feed(path.read_text(encoding="utf-8"))
    return facts


@pytest.fixture(scope="module")
def publisher(library):
    return library.publishers["us-default"]


@pytest.fixture(scope="session")
def printed(built, chromium, tmp_path_factory):
    """Every page printed to PDF by Chromium, on A4 and on US Letter: {(slug, paper): path}.
    Printed once for the whole run, whichever test worker needs them first."""

    def print_every_page(folder: Path) -> None:
        folder.mkdir()
        page = chromium.new_page()
        for slug in PAGES:
            page.goto((built / f"html/{slug}.html").as_uri())
            for paper in ("A4", "Letter"):
                # No margins given: the page's own @page rule decides, as in a browser's print dialog.
                page.pdf(path=str(folder / f"{slug}.{paper}.pdf"), format=paper)
        page.close()
        # Read once here, not in each of the four tests that look at a print (each parse takes
        # most of a second, and the tests of one print may run in different test processes).
        for printed_pdf in folder.glob("*.pdf"):
            _lines_file(printed_pdf).write_bytes(pickle.dumps(parse_lines_by_page(printed_pdf)))

    folder = shared_folder(tmp_path_factory, "printed", print_every_page)
    return {(slug, paper): folder / f"{slug}.{paper}.pdf" for slug in PAGES for paper in ("A4", "Letter")}


def _lines_file(pdf_path: Path) -> Path:
    return pdf_path.with_suffix(".lines.pickle")


def lines_by_page(pdf_path: Path) -> list[dict]:
    """Each page's text lines (top to bottom), how far down its last line ends, and its characters."""
    return pickle.loads(_lines_file(pdf_path).read_bytes())


def parse_lines_by_page(pdf_path: Path) -> list[dict]:
    """`lines_by_page`, read from the PDF."""
    pages = []
    with pypdfium2.PdfDocument(pdf_path) as pdf:
        for page in pdf:
            on_page = page_chars(page)
            rows: dict[int, list] = {}
            for char in on_page:
                rows.setdefault(round(char["baseline"]), []).append(char)
            lines = []
            for top in sorted(rows):
                chars = sorted(rows[top], key=lambda c: c["x0"])
                text = ""
                for previous, char in zip([None, *chars], chars):
                    gap = char["x0"] - previous["x1"] if previous else 0
                    if gap > char["size"] * 2:
                        # A wide gap parts two columns (the QR code's caption beside the text).
                        lines.append(" ".join(text.split()))
                        text = ""
                    elif gap > char["size"] * 0.2:
                        # Spaces between words need not be among the characters read; a gap
                        # wider than a fifth of the size is one.
                        text += " "
                    text += char["text"]
                lines.append(" ".join(text.split()))
            bottom = max((c["bottom"] for c in on_page), default=0)
            pages.append({"lines": lines, "fill": bottom / page.get_size()[1], "chars": on_page})
    return pages


def pdf_text(pdf_path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("slug", PAGES)
def test_no_heading_ends_a_page(built, printed, slug, paper):
    headings = page_facts(built / f"html/{slug}.html").headings
    pages = lines_by_page(printed[slug, paper])
    for number, page in enumerate(pages[:-1], start=1):
        last = page["lines"][-1]
        stranded = [h for h in headings if h == last or (len(last) > 3 and h.endswith(last))]
        assert not stranded, f"{slug} ({paper}): page {number} ends with the heading {stranded[0]!r}"


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("slug", PAGES)
def test_page_count_is_sensible(printed, slug, paper):
    pages = lines_by_page(printed[slug, paper])
    # Pages are full but for the last: no block pushed to a new page leaving half a page empty.
    for number, page in enumerate(pages[:-1], start=1):
        assert page["fill"] > 0.7, f"{slug} ({paper}): page {number} is only {page['fill']:.0%} used"
    assert len(pages) <= 3, f"{slug} ({paper}) prints on {len(pages)} pages"


@pytest.mark.parametrize("slug", PAGES)
def test_clear_print_sizes_and_line_length(printed, slug):
    from collections import Counter

    pages = lines_by_page(printed[slug, "A4"])
    sizes = Counter(round(c["size"], 1) for page in pages for c in page["chars"])
    body = sizes.most_common(1)[0][0]
    assert body >= 12, f"{slug}: body text is {body} pt"
    assert min(sizes) >= 11, f"{slug}: text as small as {min(sizes)} pt"
    # Running text at most about 75 characters a line; a long web address may run longer.
    long = [line for page in pages for line in page["lines"] if len(line) > 75 and "://" not in line]
    assert long == []


@pytest.mark.parametrize("slug", PAGES)
def test_link_addresses_are_printed(built, printed, slug, publisher):
    links = page_facts(built / f"html/{slug}.html").links
    text = pdf_text(printed[slug, "A4"])
    # Addresses wrap across lines: compare with all white space removed.
    flat = re.sub(r"\s+", "", text)
    expected = set()
    for href in links:
        if href.startswith("#") or href.startswith("tel:"):
            continue
        expected.add(href if "://" in href else publisher.website + "html/" + href)
    assert expected, f"{slug} has no links to check"
    missing = [url for url in sorted(expected) if url not in flat]
    assert missing == []
    # In-page anchors and the site navigation print nothing.
    assert "#main" not in flat and "Skiptomaincontent" not in flat and "Allhandouts" not in flat


@pytest.mark.parametrize("slug", PAGES)
def test_printed_qr_code_opens_the_page(printed, slug, publisher):
    import zxingcpp

    with pypdfium2.PdfDocument(printed[slug, "A4"]) as pdf:
        image = render_page(pdf, 1, dpi=200)
    codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == [publisher.page_url(slug)]
    # At least 25 mm wide on paper (200 dots per inch).
    position = codes[0].position
    width_mm = (position.top_right.x - position.top_left.x) / 200 * 25.4
    assert width_mm >= 25, f"{slug}: the QR code is {width_mm:.1f} mm wide"
    # Its caption is under it, on the same page: the text in the QR code's column below it.
    left, bottom = min(position.top_left.x, position.bottom_left.x) * 72 / 200, position.bottom_left.y * 72 / 200
    chars = lines_by_page(printed[slug, "A4"])[0]["chars"]
    # The caption is centred under the code and wider: up to 12 mm to its left.
    column = sorted((c for c in chars if c["x0"] >= left - 12 / 25.4 * 72 and c["top"] > bottom),
                    key=lambda c: (round(c["top"]), c["x0"]))
    caption = "".join(c["text"] for c in column if not c["text"].isspace())
    short = publisher.page_url(slug).split("://", 1)[1]
    assert caption.startswith("Scantoreadthispageonline:" + short), caption[:80]


def test_qr_code_is_for_paper_only(built, chromium):
    page = chromium.new_page()
    page.goto((built / "html/dvt.html").as_uri())
    assert not page.locator(".print-qr").is_visible()
    assert page.get_by_role("navigation", name="Site").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".print-qr").is_visible()
    assert not page.get_by_role("navigation", name="Site").is_visible()
    page.close()
