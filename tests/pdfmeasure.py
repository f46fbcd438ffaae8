"""What a reader of a printed leaflet sees, measured from the PDF itself: type sizes, line
lengths, pages, and the QR code as a phone camera reads it."""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

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


def read_qr_codes(path: Path, dpi: int = 200, page: int | None = None) -> list[QrCode]:
    """Every QR code a camera finds on the rendered pages (or one page), with its printed size."""
    import zxingcpp
    from PIL import Image

    found = []
    with tempfile.TemporaryDirectory() as folder:
        pages = ["-f", str(page), "-l", str(page)] if page else []
        subprocess.run(["pdftoppm", "-r", str(dpi), *pages, "-png", str(path), f"{folder}/page"], check=True)
        for image_path in sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1])):
            page = int(image_path.stem.split("-")[1])
            with Image.open(image_path) as image:
                for code in zxingcpp.read_barcodes(image):
                    if code.format != zxingcpp.BarcodeFormat.QRCode:
                        continue
                    pos = code.position
                    xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
                    ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
                    to_mm = 25.4 / dpi
                    found.append(QrCode(page, code.text, (max(xs) - min(xs)) * to_mm,
                                        min(ys) * to_mm, max(ys) * to_mm))
    return found
