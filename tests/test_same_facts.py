"""The same facts in every format: every source sentence in HTML, the three PDFs and the guide;
every emergency sign's action in the SMS. Reports what is missing by condition, format and field."""

from __future__ import annotations

from conftest import ROOT
from pipeline.project import Project
from textfields import condition_texts, epub_text, html_text, missing, pdf_text

LIBRARY = Project(ROOT).library()


def test_every_condition_says_the_same_in_every_format(built):
    guide_for = {}
    for guide in LIBRARY.guides.values():
        for chapter in guide.chapters:
            guide_for.setdefault(chapter.slug, guide.slug)
    epub_texts = {slug: epub_text(built / f"epub/{slug}.epub") for slug in LIBRARY.guides}
    publisher = LIBRARY.publishers["us-default"]
    gaps: dict[str, dict[str, list[str]]] = {}
    for slug, condition in LIBRARY.conditions.items():
        fields, on_paper = condition_texts(condition), condition_texts(condition, paper=True)
        texts = {
            "html": html_text((built / f"html/{slug}.html").read_text(encoding="utf-8")),
            "pdf a4": pdf_text(built / f"pdf/{slug}.a4.pdf"),
            "pdf letter": pdf_text(built / f"pdf/{slug}.letter.pdf"),
            "pdf large print a4": pdf_text(built / f"pdf/{slug}.large-print.a4.pdf"),
            "pdf large print letter": pdf_text(built / f"pdf/{slug}.large-print.letter.pdf"),
            "epub": epub_texts.get(guide_for.get(slug), ""),
        }
        for fmt, text in texts.items():
            lost = missing(on_paper if fmt.startswith("pdf") else fields, text)
            if lost:
                gaps.setdefault(slug, {})[fmt] = lost
        sms = (built / f"sms/{slug}.txt").read_text(encoding="utf-8")
        if condition.care_block("emergency"):
            action = f"{condition.sms.emergency_sign}? Call {publisher.emergency_number} now."
            if action not in sms:
                gaps.setdefault(slug, {})["sms"] = ["care/emergency (emergency sign and number)"]
        if slug not in guide_for:
            gaps.setdefault(slug, {})["epub"] = ["not a chapter of any guide"]
    assert gaps == {}, "missing, by condition and format: " + repr(gaps)
