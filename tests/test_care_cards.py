"""Care cards: filled panels with an icon and the level in words, readable contrast, right
after the summary, the same meaning on the web page, the leaflets and the e-book."""

from __future__ import annotations

import re
import zipfile

import pytest
import tinycss2

from conftest import ROOT
from pipeline.formats.pdf import pdf_path
from pipeline.model import CARE_LEVELS
from pipeline.presentation import CARE_LABELS, care_icon
from textfields import html_text, normalize, pdf_text

STYLES = ROOT / "pipeline/styles"
INK = "#1a1a1a"


def _declarations(path) -> dict[str, dict[str, str]]:
    """selector -> {property: value} for the plain rules of a stylesheet."""
    rules = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
    found: dict[str, dict[str, str]] = {}
    for rule in rules:
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
            if decl.type == "declaration":
                found.setdefault(selector, {})[decl.name] = tinycss2.serialize(decl.value).strip()
    return found


def _resolve(value: str, variables: dict[str, str]) -> str:
    while (match := re.fullmatch(r"var\((--[\w-]+)\)", value)):
        value = variables[match.group(1)]
    return value


def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#767676", "#fff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("sheet", ["leaflet.css", "site.css"])
def test_care_card_colours_have_at_least_4_5_to_1_contrast(sheet):
    rules = _declarations(STYLES / sheet)
    variables = rules.get(":root", {})
    heading = rules[".care-card h3"]
    assert _resolve(heading["color"], variables) == "#fff"
    for level in CARE_LEVELS:
        card = rules[f".care-{level}"]
        band, tint = _resolve(card["--band"], variables), _resolve(card["--tint"], variables)
        # The level and heading: white on the band. The signs: ink on the tint.
        assert contrast("#fff", band) >= 4.5, (level, band)
        assert contrast(INK, tint) >= 4.5, (level, tint)
        # The panel stands out from white paper, not only by its hue.
        assert contrast(band, "#fff") >= 3
    # No dashed rules and no capitals for the level names any more.
    text = (STYLES / sheet).read_text(encoding="utf-8")
    assert "dashed" not in "".join(v for s, d in rules.items() if "care" in s for v in d.values())
    assert "uppercase" not in text


def test_icons_are_hidden_from_assistive_technology_and_the_level_is_in_words():
    for level in CARE_LEVELS:
        icon = str(care_icon(level))
        assert icon.startswith('<svg class="care-icon" aria-hidden="true" focusable="false" ')
        assert "<title" not in icon and "<text" not in icon
    with pytest.raises(ValueError):
        care_icon("soon")


def test_web_page_cards_follow_the_summary(built, library):
    publisher = library.publishers["us-default"]
    for slug, condition in library.conditions.items():
        page = (built / f"html/{slug}.html").read_text(encoding="utf-8")
        # In the page's order: the summary, then the care section, nothing between.
        assert re.search(r'<p class="summary">[^<]*</p>\s*<section class="care"', page), slug
        for block in condition.care:
            card = re.search(rf'<section class="care-card care-{block.level}".*?</section>', page, re.S).group(0)
            assert 'aria-hidden="true"' in card and "<svg" in card
            words = normalize(f"{CARE_LABELS[block.level]}: {publisher.care_headings[block.level]}")
            assert words in html_text(card)
            for sign in block.signs:
                assert normalize(sign) in html_text(card)


def test_same_cards_in_leaflets_and_guides(built, library):
    publisher = library.publishers["us-default"]
    books = {}
    for path in (built / "epub").glob("*.epub"):
        with zipfile.ZipFile(path) as book:
            books[path.stem] = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    for slug, condition in library.conditions.items():
        headings = [normalize(f"{CARE_LABELS[b.level]}: {publisher.care_headings[b.level]}") for b in condition.care]
        for variant in ("a4", "letter", "large-print.a4", "large-print.letter"):
            text = pdf_text(built / pdf_path(slug, variant))
            # The cards come straight after the summary.
            after = text.split(normalize(condition.summary), 1)[1]
            assert after.lstrip().startswith("When to get help " + headings[0]), (slug, variant)
            for heading in headings:
                assert heading in text
        chapters = [book for book in books.values() if f'id="{slug}"' in book]
        for book in chapters:
            for block in condition.care:
                assert f'care-card care-{block.level}' in book
