"""EPUB guides: complete chapters, navigation, accessibility metadata, EPUBCheck and DAISY Ace."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from epubcheck_run import epubcheck_findings
from pipeline.formats.epub import CONFORMANCE, FONT_FILES, guide_identifier, prepare_for_pandoc
from pipeline.presentation import DISCLAIMER
from real_sources import slugs
from textfields import condition_texts, epub_text, html_text, missing, topic_texts

GUIDES = slugs("guides")
ACE = ROOT / ".tools" / "node_modules" / ".bin" / "ace-puppeteer"


def opf(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        name = next(n for n in book.namelist() if n.endswith(".opf"))
        return book.read(name).decode("utf-8")


@pytest.mark.parametrize("slug", GUIDES)
def test_package_metadata(built, slug, library):
    text = opf(built / f"epub/{slug}.epub")
    guide = library.guides[slug]
    assert f'<dc:identifier id="epub-id-1">{guide_identifier("https://knee.example/", slug)}</dc:identifier>' in text
    assert f">{guide.title}</dc:title>" in text
    assert "<dc:language>en-US</dc:language>" in text
    assert "<dc:publisher>Knee Pain Handouts (example publisher)</dc:publisher>" in text
    assert '<meta property="dcterms:modified">2026-11-21T00:00:00Z</meta>' in text
    for prop in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                 "schema:accessibilityHazard", "schema:accessibilitySummary"):
        assert f'<meta property="{prop}">' in text, prop
    assert f'<meta property="dcterms:conformsTo">{CONFORMANCE}</meta>' in text
    assert '<meta property="a11y:certifiedBy">Knee Pain Handouts (example publisher)</meta>' in text
    assert 'properties="cover-image"' in text


@pytest.mark.parametrize("slug", GUIDES)
def test_mimetype_comes_first_and_stored(built, slug):
    with zipfile.ZipFile(built / f"epub/{slug}.epub") as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"


@pytest.mark.parametrize("slug", GUIDES)
def test_every_chapter_is_in_the_navigation(built, slug, library):
    with zipfile.ZipFile(built / f"epub/{slug}.epub") as book:
        nav = book.read(next(n for n in book.namelist() if n.endswith("nav.xhtml"))).decode("utf-8")
    titles = re.findall(r'<a href="text/[^"]+">([^<]+)</a>', nav)
    guide = library.guides[slug]
    expected = ["Introduction"] + [library.title_of(ch.kind, ch.slug) for ch in guide.chapters] + ["About this guide"]
    assert [t.replace("&#39;", "'") for t in titles] == expected


@pytest.mark.parametrize("slug", GUIDES)
def test_every_field_of_every_chapter_is_in_the_book(built, slug, library):
    text = epub_text(built / f"epub/{slug}.epub")
    guide = library.guides[slug]
    for paragraph in guide.introduction:
        assert paragraph in text
    for chapter in guide.chapters:
        if chapter.kind == "condition":
            condition = library.conditions[chapter.slug]
            assert missing(condition_texts(condition), text) == [], chapter.slug
            # The same care-level blocks and review status as the web page.
            assert "Call 911 or go to the emergency room now if:" in text or not condition.care_block("emergency")
        else:
            assert missing(topic_texts(library.topics[chapter.slug]), text) == [], chapter.slug
    assert "Draft: not yet clinically reviewed." in text
    assert "Status: draft, not yet clinically reviewed." in text


@pytest.mark.slow
@pytest.mark.parametrize("slug", GUIDES)
def test_epubcheck_reports_nothing(built, slug):
    assert epubcheck_findings(built / f"epub/{slug}.epub") == (0, [])


@pytest.mark.slow
@pytest.mark.parametrize("slug", GUIDES)
def test_daisy_ace_reports_nothing_serious(built, slug, tmp_path):
    assert ACE.exists(), "DAISY Ace is installed by 'make test' (.tools/)"
    env = {"PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([str(ACE), "-f", "-o", str(tmp_path / "report"), str(built / f"epub/{slug}.epub")],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    serious = [
        f"{a['earl:result']['earl:outcome']} {a['earl:test']['earl:impact']}: {a['earl:test']['dct:title']}"
        for assertion in report.get("assertions", [])
        for a in assertion.get("assertions", [])
        if a["earl:test"]["earl:impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert report["earl:result"]["earl:outcome"] == "pass"


def book_files(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name).decode("utf-8") for name in book.namelist()
                if name.endswith((".xhtml", ".opf", ".css", ".svg"))}


def spine(opf_text: str) -> list[str]:
    hrefs = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf_text))
    return [hrefs[idref] for idref in re.findall(r'<itemref idref="([^"]+)"', opf_text)]


@pytest.mark.parametrize("slug", GUIDES)
def test_every_document_is_titled_by_its_content(built, slug, library):
    files = book_files(built / f"epub/{slug}.epub")
    order = spine(files["EPUB/content.opf"])
    assert order[:2] == ["text/cover.xhtml", "text/title_page.xhtml"]
    guide = library.guides[slug]
    expected = ["Introduction"] + [library.title_of(ch.kind, ch.slug) for ch in guide.chapters] + ["About this guide"]
    titles = []
    for href in order[2:]:
        text = files["EPUB/" + href]
        title = re.search(r"<title>([^<]*)</title>", text).group(1)
        heading = re.search(r"<h1\b[^>]*>([^<]*)</h1>", text).group(1)
        assert title == heading, href
        titles.append(title.replace("&#39;", "'"))
    assert titles == expected
    assert not re.search(r"<title>[^<]*\.xhtml</title>", " ".join(files.values()))


@pytest.mark.parametrize("slug", GUIDES)
def test_title_page_and_about_page(built, slug, library):
    files = book_files(built / f"epub/{slug}.epub")
    guide = library.guides[slug]
    title_page = files["EPUB/text/title_page.xhtml"]
    assert 'epub:type="titlepage"' in title_page
    assert f">{guide.title}</h1>" in title_page
    assert "Knee Pain Handouts (example publisher)" in title_page and "November 21, 2026" in title_page
    if not guide.approval.is_approved:  # a guide not approved says so before anything else
        assert "Not yet approved:" in title_page
    about = next(text for name, text in files.items() if 'id="about-this-guide"' in text)
    assert '<body epub:type="backmatter">' in about
    for expected in ("Published by Knee Pain Handouts (example publisher) on November 21, 2026.",
                     "202-555-0143", "https://knee.example/", DISCLAIMER.replace("This handout", "This guide"),
                     "Atkinson Hyperlegible", "SIL Open Font License"):
        assert expected in about, expected
    sources = {(s.author, s.title) for ch in guide.chapters
               for s in (library.conditions if ch.kind == "condition" else library.topics)[ch.slug].sources}
    for author, title in sources:
        assert f"{author}. {title}" in html_text(about)
    nav = files["EPUB/nav.xhtml"]
    for kind in ("cover", "titlepage", "bodymatter", "backmatter"):
        assert f'epub:type="{kind}"' in nav.split('epub:type="landmarks"', 1)[1], kind


@pytest.mark.parametrize("slug", GUIDES)
def test_publisher_details_are_given_once(built, slug, library):
    text = epub_text(built / f"epub/{slug}.epub")
    assert text.count("202-555-0143") == 1
    assert text.count("does not replace advice from your doctor") == 1
    assert text.count("Published by ") == 1
    # Each chapter still carries its own review status and sources.
    guide = library.guides[slug]
    assert text.count("About this handout") == len(guide.chapters)


@pytest.mark.parametrize("slug", GUIDES)
def test_the_projects_styles_and_typeface_are_carried(built, slug):
    files = book_files(built / f"epub/{slug}.epub")
    css = files["EPUB/styles/stylesheet1.css"]
    for rule in (".draft-banner", ".care-emergency", ".care-urgent", ".care-routine", "figure.body-map",
                 "@font-face"):
        assert rule in css, rule
    opf_text = files["EPUB/content.opf"]
    with zipfile.ZipFile(built / f"epub/{slug}.epub") as book:
        for font in FONT_FILES:
            assert f'href="fonts/{font.name}" media-type="font/ttf"' in opf_text
            assert book.read(f"EPUB/fonts/{font.name}") == font.read_bytes()
            assert f'url("../fonts/{font.name}")' in css
    chapters = " ".join(text for name, text in files.items() if "/text/ch" in name)
    # Classed paragraphs reach the book as classed blocks, so the stylesheet can find them.
    assert '<div class="draft-banner" role="note">' in chapters
    assert '<div class="summary">' in chapters
    assert re.search(r'<section id="[^"]+" class="level3 care-(?:block|card) care-urgent', chapters)
    assert "aria-labelledby" not in chapters


def test_inline_svg_and_classed_paragraphs_survive_pandoc(tmp_path):
    import pypandoc

    icon = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" class="care-icon" aria-hidden="true" '
            'focusable="false"><circle cx="12" cy="12" r="10"/></svg>')
    html = prepare_for_pandoc(
        '<html lang="en"><body><h1 id="a">A</h1>'
        f'<p class="note" role="note">{icon} Text <strong>bold</strong></p>'
        '<section class="care" aria-labelledby="b"><h2 id="b">B</h2><p>x</p></section></body></html>')
    assert "<svg" not in html and "aria-labelledby" not in html
    assert '<div class="note" role="note"><p><img src="data:image/svg+xml;base64,' in html
    data = base64.b64decode(re.search(r'base64,([^"]+)"', html).group(1)).decode()
    assert 'viewBox="0 0 24 24"' in data and "aria-hidden" not in data and "focusable" not in data
    assert 'alt="" class="care-icon"' in html
    target = tmp_path / "t.epub"
    pypandoc.convert_text(html, "epub3", format="html", outputfile=str(target),
                          extra_args=["--sandbox", "--metadata=title:T", "--metadata=lang:en"])
    with zipfile.ZipFile(target) as book:
        media = [n for n in book.namelist() if n.startswith("EPUB/media/")]
        assert len(media) == 1 and 'viewBox="0 0 24 24"' in book.read(media[0]).decode()
        chapter = book.read("EPUB/text/ch001.xhtml").decode()
    assert '<div class="note" role="note">' in chapter and 'class="care-icon"' in chapter


@pytest.mark.parametrize("pictures", [False, True])
def test_accessibility_metadata_follows_the_pictures(library, pictures):
    from pipeline.formats import RenderContext
    from pipeline.formats.epub import has_pictures, metadata

    guide = next(iter(library.guides.values()))
    ctx = RenderContext(library, library.publishers["us-default"], "2026-11-21T00:00:00+00:00")
    data = metadata(guide, ctx, pictures)
    assert data["accessModeSufficient"] == ["textual"]
    assert ("visual" in data["accessModes"]) == pictures
    assert ("alternativeText" in data["accessibilityFeatures"]) == pictures
    assert ("Text only" in data["accessibilitySummary"]) != pictures
    assert has_pictures('<p><img src="x.svg" alt="A leg"></p>') and not has_pictures("<p>text</p>")
