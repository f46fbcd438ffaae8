"""Every text field of a source, and the plain text of each format, for "is it all there" tests."""

from __future__ import annotations

import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from pipeline.model import Condition, Library, Topic


def condition_texts(c: Condition, paper: bool = False) -> list[tuple[str, str]]:
    """Every text field of a condition; on paper (`paper`), all but the sources, which a leaflet
    names by the address of the web page that lists them."""
    fields = [("title", c.title), ("medical_name", c.medical_name), ("summary", c.summary)]
    fields += [(f"what_it_is/{i}", t) for i, t in enumerate(c.what_it_is)]
    fields += [(f"symptoms/{i}", t) for i, t in enumerate(c.symptoms)]
    fields += [(f"causes/{i}", t) for i, t in enumerate(c.causes)]
    fields += [(f"risk_factors/{i}", t) for i, t in enumerate(c.risk_factors)]
    if c.self_care_intro:
        fields.append(("self_care/intro", c.self_care_intro))
    fields += [(f"self_care/steps/{i}", t) for i, t in enumerate(c.self_care_steps)]
    for i, t in enumerate(c.treatments):
        fields += [(f"treatments/{i}/name", t.name), (f"treatments/{i}/description", t.description)]
    for b in c.care:
        fields += [(f"care/{b.level}/signs/{i}", t) for i, t in enumerate(b.signs)]
    for i, t in enumerate(c.tests):
        fields += [(f"tests/{i}/name", t.name), (f"tests/{i}/purpose", t.purpose)]
    fields += [(f"questions/{i}", t) for i, t in enumerate(c.questions)]
    if not paper:
        for i, s in enumerate(c.sources):
            fields += [(f"sources/{i}/title", s.title), (f"sources/{i}/author", s.author)]
    return fields


def topic_texts(t: Topic) -> list[tuple[str, str]]:
    fields = [("title", t.title), ("summary", t.summary)]
    for i, s in enumerate(t.sections):
        fields.append((f"sections/{i}/heading", s.heading))
        fields += [(f"sections/{i}/paragraphs/{j}", p) for j, p in enumerate(s.paragraphs)]
        fields += [(f"sections/{i}/items/{j}", p) for j, p in enumerate(s.items)]
    return fields


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    return normalize(" ".join(parser.parts))


# The running footer's band at the foot of every page (the bottom page margin), in points.
FOOTER_PT = 13 / 25.4 * 72


def _pdftotext(path: Path, *crop: str) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", *crop, str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def pdf_text(path: Path) -> str:
    """The text of a PDF, the running footers last: text that runs on from one page to the
    next stays in one piece instead of being cut by the footer between them."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        _x0, _y0, width, height = (float(v) for v in pdf.pages[0].mediabox)
    w, h, body_h = str(int(width) + 1), str(int(height) + 1), str(int(height - FOOTER_PT))
    body = _pdftotext(path, "-x", "0", "-y", "0", "-W", w, "-H", body_h)
    footer = _pdftotext(path, "-x", "0", "-y", body_h, "-W", w, "-H", h)
    # A line may end at a word's own hyphen ("anti-" / "inflammatory"); the leaflets never
    # hyphenate words themselves, so such a hyphen joins the next line without a space.
    return normalize(re.sub(r"-\n", "-", body.replace("\f", "\n")) + " " + footer)


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return normalize(" ".join(html_text(book.read(n).decode("utf-8"))
                                  for n in sorted(book.namelist()) if n.endswith(".xhtml")))


def missing(fields: list[tuple[str, str]], text: str) -> list[str]:
    return [name for name, value in fields if normalize(value) not in text]


def missing_by_format(out: Path, library: Library, publisher: str = "us-default",
                      only: tuple[str, ...] = ()) -> dict[str, dict[str, list[str]]]:
    """For each condition (or only these), the fields that a format built into `out` lacks:
    HTML, the three PDFs, the EPUB guide holding it, and the SMS's emergency action."""
    library = library.for_publisher(library.publishers[publisher])  # texts as that build shows them
    guide_for: dict[str, str] = {}
    for guide in library.guides.values():
        for chapter in guide.chapters:
            guide_for.setdefault(chapter.slug, guide.slug)
    epub_texts = {slug: epub_text(out / f"epub/{slug}.epub") for slug in library.guides}
    profile = library.publishers[publisher]
    gaps: dict[str, dict[str, list[str]]] = {}
    for slug, condition in library.conditions.items():
        if only and slug not in only:
            continue
        fields, on_paper = condition_texts(condition), condition_texts(condition, paper=True)
        texts = {
            "html": html_text((out / f"html/{slug}.html").read_text(encoding="utf-8")),
            "pdf a4": pdf_text(out / f"pdf/{slug}.a4.pdf"),
            "pdf letter": pdf_text(out / f"pdf/{slug}.letter.pdf"),
            "pdf large print a4": pdf_text(out / f"pdf/{slug}.large-print.a4.pdf"),
            "pdf large print letter": pdf_text(out / f"pdf/{slug}.large-print.letter.pdf"),
            "epub": epub_texts.get(guide_for.get(slug), ""),
        }
        for fmt, text in texts.items():
            lost = missing(on_paper if fmt.startswith("pdf") else fields, text)
            if lost:
                gaps.setdefault(slug, {})[fmt] = lost
        sms = (out / f"sms/{slug}.txt").read_text(encoding="utf-8")
        if condition.care_block("emergency"):
            action = f"{condition.sms.emergency_sign}? Call {profile.emergency_number} now."
            if action not in sms:
                gaps.setdefault(slug, {})["sms"] = ["care/emergency (emergency sign and number)"]
        if slug not in guide_for:
            gaps.setdefault(slug, {})["epub"] = ["not a chapter of any guide"]
    return gaps
