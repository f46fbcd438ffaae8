"""EPUB guides: complete chapters, navigation, accessibility metadata, EPUBCheck and DAISY Ace."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline.formats.epub import CONFORMANCE, guide_identifier
from real_sources import slugs
from textfields import condition_texts, epub_text, missing, topic_texts

GUIDES = slugs("guides")
ACE = ROOT / ".tools" / "node_modules" / ".bin" / "ace-puppeteer"


def opf(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        name = next(n for n in book.namelist() if n.endswith(".opf"))
        return book.read(name).decode("utf-8")


@pytest.mark.parametrize("slug", GUIDES)
def test_package_metadata(built, library, slug):
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
def test_every_chapter_is_in_the_navigation(built, library, slug):
    with zipfile.ZipFile(built / f"epub/{slug}.epub") as book:
        nav = book.read(next(n for n in book.namelist() if n.endswith("nav.xhtml"))).decode("utf-8")
    titles = re.findall(r'<a href="text/[^"]+">([^<]+)</a>', nav)
    guide = library.guides[slug]
    expected = ["Introduction"] + [library.title_of(ch.kind, ch.slug) for ch in guide.chapters]
    assert [t.replace("&#39;", "'") for t in titles] == expected


@pytest.mark.parametrize("slug", GUIDES)
def test_every_field_of_every_chapter_is_in_the_book(built, library, slug):
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
    jar = Path(__import__("epubcheck").__file__).parent / "epubcheck.jar"
    result = subprocess.run(["java", "-jar", str(jar), "--json", "-", str(built / f"epub/{slug}.epub")],
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    messages = [f"{m['severity']} {m['ID']}: {m['message']}" for m in report["messages"]]
    assert messages == []
    assert result.returncode == 0


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
