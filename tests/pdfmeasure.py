"""What a reader of a printed leaflet sees, measured from the PDF itself: type sizes, line
lengths, pages, and the QR code as a phone camera reads it."""

from __future__ import annotations

import ctypes
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image

MM_PER_PT = 25.4 / 72
# A gap this wide between two words on one baseline is a gutter between columns (the text
# and the strip beside it), not a space inside a line of text.
COLUMN_GAP_PT = 12
# PDFium's code for the hyphen a line break was hyphenated at (printed as "-").
PDFIUM_HYPHEN = "\x02"
# A wider gap between two characters on one baseline is a space (pdfplumber's x_tolerance).
WORD_GAP_PT = 3


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    top: float  # points from the top of the page
    text: str
    size: float  # the largest character size on the line
    x0: float  # where it starts and ends across the page, in points
    x1: float


@dataclass(frozen=True)
class Measure:
    pages: int
    sizes: Counter  # points (rounded to 0.1) -> number of characters printed at that size
    lines: tuple[Line, ...]
    page_width_pt: float
    page_height_pt: float
    fonts: frozenset[str]  # the names of the fonts the text is printed in

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


def page_chars(page: pypdfium2.PdfPage) -> list[dict]:
    """The characters printed on a page, each described as pdfplumber describes one: its
    `text`, `fontname`, `size` in points, `x0` and `x1` across, `top` and `bottom` down from
    the page's top edge (the box from the font's descent up by its size), and the `baseline`
    it sits on, which characters of one line share whatever their font. Read by PDFium,
    about ten times faster than pdfplumber's parse (0.06 s against 0.65 s for one leaflet's
    page, measured). The spaces PDFium adds between words and lines are left out; spaces the
    PDF itself prints stay."""
    textpage = page.get_textpage()
    height = page.get_size()[1]
    font = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    matrix = pdfium_c.FS_MATRIX()
    chars = []
    for index in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1:
            continue
        # PDFium's size leaves out the page's own scaling (WeasyPrint draws in CSS pixels, 0.75
        # of a point each), which the character's matrix carries.
        pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix))
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index) * math.hypot(matrix.c, matrix.d)
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, font, len(font), ctypes.byref(flags))
        x0, y0, x1, _ = textpage.get_charbox(index, loose=True)
        text = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
        chars.append({"text": "-" if text == PDFIUM_HYPHEN else text,
                      "fontname": font.value.decode("utf-8", "replace"), "size": size,
                      "x0": x0, "x1": x1, "top": height - (y0 + size), "bottom": height - y0,
                      "baseline": height - matrix.f})
    textpage.close()
    return chars


def _split_columns(chars: list[dict]) -> list[list[dict]]:
    """The characters of one baseline, left to right, split where a gap is a column gutter."""
    chars = sorted(chars, key=lambda c: c["x0"])
    groups = [[chars[0]]]
    for char in chars[1:]:
        if char["x0"] - groups[-1][-1]["x1"] > COLUMN_GAP_PT:
            groups.append([char])
        else:
            groups[-1].append(char)
    return groups


def _line_text(chars: list[dict]) -> str:
    """The words of a run of characters, one space between each: a word ends at a printed space
    or at a gap wider than pdfplumber's word tolerance."""
    text = ""
    for previous, char in zip([None, *chars], chars):
        if previous is not None and char["x0"] - previous["x1"] > WORD_GAP_PT:
            text += " "
        text += char["text"]
    return " ".join(text.split())


def measure(path: Path) -> Measure:
    sizes: Counter = Counter()
    fonts: set[str] = set()
    lines: list[Line] = []
    with pypdfium2.PdfDocument(path) as pdf:
        width, height = pdf[0].get_size()
        for number, page in enumerate(pdf, start=1):
            rows: dict[int, list[dict]] = {}
            for char in page_chars(page):
                fonts.add(char["fontname"])
                if char["text"].strip():
                    sizes[round(char["size"], 1)] += 1
                # Characters whose bottoms are within 2 pt share a line.
                rows.setdefault(round(char["bottom"] / 2), []).append(char)
            for row in rows.values():
                for group in _split_columns(row):
                    printed = [c for c in group if c["text"].strip()]
                    if printed:
                        lines.append(Line(number, min(c["top"] for c in printed), _line_text(group),
                                          max(c["size"] for c in printed), printed[0]["x0"], printed[-1]["x1"]))
        pages = len(pdf)
    return Measure(pages, sizes, tuple(sorted(lines, key=lambda l: (l.page, l.top))), width, height,
                   frozenset(fonts))


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
    """Where text sits on a page, in points from its top left corner."""
    x0: float
    top: float
    x1: float
    bottom: float


class PageText:
    """A page's text, where a string sits on it and what a rectangle of it says, read by PDFium:
    a check that needs only these is spared reading every character (`page_chars`)."""

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
            # Loose boxes span the font's ascent and descent; spaces have no glyph to measure.
            chars = [self._text.get_charbox(i, loose=True) for i in range(start, start + count)
                     if not self._text.get_text_range(i, 1).isspace()]
            boxes.append(Box(min(c[0] for c in chars), self.height - max(c[3] for c in chars),
                             max(c[2] for c in chars), self.height - min(c[1] for c in chars)))
        return boxes

    def within(self, x0: float, top: float, x1: float, bottom: float) -> str:
        """The text printed inside a rectangle given in points from the top left corner."""
        return self._text.get_text_bounded(left=x0, bottom=self.height - bottom, right=x1, top=self.height - top)
