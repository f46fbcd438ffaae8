"""What a reader of a printed leaflet sees, measured from the PDF itself: type sizes, line
lengths, pages, and the QR code as a phone camera reads it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdfium2
from PIL import Image

MM_PER_PT = 25.4 / 72
# A gap this wide between two words on one baseline is a gutter between columns (the text
# and the strip beside it), not a space inside a line of text.
COLUMN_GAP_PT = 12


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    top: float  # points from the top of the page
    text: str
    size: float  # the largest character size on the line


@dataclass(frozen=True)
class Measure:
    pages: int
    sizes: Counter  # points (rounded to 0.1) -> number of characters printed at that size
    lines: tuple[Line, ...]
    page_width_pt: float

    @property
    def body_pt(self) -> float:
        """The size most characters are printed at."""
        return self.sizes.most_common(1)[0][0]

    @property
    def min_pt(self) -> float:
        return min(self.sizes)

    def min_pt_above(self, bottom_margin_pt: float, page_height_pt: float) -> float:
        """The smallest size printed outside the running footer (the bottom margin)."""
        return min(line.size for line in self.lines if line.top < page_height_pt - bottom_margin_pt)

    @property
    def longest_line(self) -> Line:
        return max(self.lines, key=lambda line: len(line.text))


def _split_columns(words: list[dict]) -> list[list[dict]]:
    """Words on one baseline, split where the gap between two is a column gutter."""
    words = sorted(words, key=lambda w: w["x0"])
    groups = [[words[0]]]
    for word in words[1:]:
        if word["x0"] - groups[-1][-1]["x1"] > COLUMN_GAP_PT:
            groups.append([word])
        else:
            groups[-1].append(word)
    return groups


def measure(path: Path) -> Measure:
    with pdfplumber.open(path) as pdf:
        return measure_open(pdf)


def measure_open(pdf: pdfplumber.PDF) -> Measure:
    """`measure` of a PDF already open, for a test that reads more from it (pdfplumber parses
    each page once per opening, and that parse is most of a check's time)."""
    sizes: Counter = Counter()
    lines: list[Line] = []
    width = float(pdf.pages[0].width)
    for number, page in enumerate(pdf.pages, start=1):
        for char in page.chars:
            if char["text"].strip():
                sizes[round(char["size"], 1)] += 1
        words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False, use_text_flow=False)
        rows: dict[int, list[dict]] = {}
        for word in words:
            # Words whose bottoms are within 2 pt share a line.
            key = round(word["bottom"] / 2)
            rows.setdefault(key, []).append(word)
        for row in rows.values():
            for group in _split_columns(row):
                lines.append(Line(number, min(w["top"] for w in group), " ".join(w["text"] for w in group),
                                  max(w["size"] for w in group)))
    return Measure(len(pdf.pages), sizes, tuple(sorted(lines, key=lambda l: (l.page, l.top))), width)


@dataclass(frozen=True)
class QrCode:
    page: int
    text: str
    size_mm: float  # the printed width of the symbol, quiet zone excluded
    top_mm: float
    bottom_mm: float


def render_page(pdf: pypdfium2.PdfDocument, page: int, dpi: int = 200) -> Image.Image:
    """One page (1-based) as a grey picture at `dpi`, as a phone camera sees the printed sheet.
    PDFium (Chromium's PDF engine) renders in the test's own process: about 0.01 s a page,
    where pdftoppm took 0.6 s to write the same page as a PNG."""
    # A copy: the bitmap's memory goes with the document when it is closed.
    return pdf[page - 1].render(scale=dpi / 72, grayscale=True).to_pil().copy()


def read_qr_codes(path: Path, dpi: int = 200, page: int | None = None) -> list[QrCode]:
    """Every QR code a camera finds on the rendered pages (or one page), with its printed size."""
    import zxingcpp

    found = []
    with pypdfium2.PdfDocument(path) as pdf:
        for number in [page] if page else range(1, len(pdf) + 1):
            for code in zxingcpp.read_barcodes(render_page(pdf, number, dpi)):
                if code.format != zxingcpp.BarcodeFormat.QRCode:
                    continue
                pos = code.position
                xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
                ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
                to_mm = 25.4 / dpi
                found.append(QrCode(number, code.text, (max(xs) - min(xs)) * to_mm, min(ys) * to_mm, max(ys) * to_mm))
    return found


@dataclass(frozen=True)
class Box:
    """Where text sits on a page, in points from its top left corner (as pdfplumber measures)."""
    x0: float
    top: float
    x1: float
    bottom: float


class PageText:
    """A page's text, where a string sits on it and what a rectangle of it says, read by PDFium:
    a check that needs only these is spared pdfplumber's parse (about 0.5 s a leaflet)."""

    def __init__(self, page: pypdfium2.PdfPage):
        self._text = page.get_textpage()
        self.width, self.height = page.get_size()

    def __str__(self) -> str:
        return self._text.get_text_range()

    def find(self, needle: str) -> list[Box]:
        """Every place `needle` is printed (case as given), each the box of its characters."""
        boxes = []
        searcher = self._text.search(needle, match_case=True)
        while (match := searcher.get_next()) is not None:
            start, count = match
            # Loose boxes span the font's ascent and descent, as pdfplumber's characters do;
            # spaces have no glyph to measure.
            chars = [self._text.get_charbox(i, loose=True) for i in range(start, start + count)
                     if not self._text.get_text_range(i, 1).isspace()]
            boxes.append(Box(min(c[0] for c in chars), self.height - max(c[3] for c in chars),
                             max(c[2] for c in chars), self.height - min(c[1] for c in chars)))
        return boxes

    def within(self, x0: float, top: float, x1: float, bottom: float) -> str:
        """The text printed inside a rectangle given in points from the top left corner."""
        return self._text.get_text_bounded(left=x0, bottom=self.height - bottom, right=x1, top=self.height - top)
