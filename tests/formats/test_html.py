"""Accessible HTML pages: complete, structured, marked up for search engines, country-neutral."""

from __future__ import annotations

import json
import re

import pytest

from real_sources import slugs
from textfields import condition_texts, html_text, missing, topic_texts


@pytest.mark.parametrize("slug", slugs("conditions"))
def test_every_condition_field_is_on_its_page(built, library, slug):
    page = (built / f"html/{slug}.html").read_text(encoding="utf-8")
    assert missing(condition_texts(library.conditions[slug]), html_text(page)) == []


@pytest.mark.parametrize("slug", slugs("topics"))
def test_every_topic_field_is_on_its_page(built, library, slug):
    page = (built / f"html/{slug}.html").read_text(encoding="utf-8")
    assert missing(topic_texts(library.topics[slug]), html_text(page)) == []


def headings(page: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])\b", page)]


@pytest.mark.parametrize("slug", slugs("conditions", "topics"))
def test_page_structure(built, slug):
    page = (built / f"html/{slug}.html").read_text(encoding="utf-8")
    assert '<html lang="en-US"' in page
    assert page.count("<main") == 1 and 'id="main"' in page
    assert '<a class="skip-link" href="#main">' in page
    levels = headings(page)
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"heading levels skip: {levels}"
    # Nothing needs script to read: the only script is structured data.
    assert re.findall(r"<script\b[^>]*>", page) == ['<script type="application/ld+json">']


def test_care_blocks_carry_the_publishers_headings_and_labels(built, fixture_built_uk):
    us = (built / "html/dvt.html").read_text(encoding="utf-8")
    uk = (fixture_built_uk / "outputs/html/dvt.html").read_text(encoding="utf-8")
    assert "Emergency:</span> Call 911 or go to the emergency room now if:" in us
    assert "Emergency:</span> Call 999 or go to A&amp;E now if:" in uk
    assert "911" not in html_text(uk) and "999" not in html_text(us)
    assert '<html lang="en-GB"' in uk


def test_draft_is_marked(built):
    page = html_text((built / "html/dvt.html").read_text(encoding="utf-8"))
    assert "Draft: not yet clinically reviewed." in page
    assert "Status: draft, not yet clinically reviewed." in page


def test_structured_data(built, library):
    page = (built / "html/dvt.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "MedicalWebPage"
    assert data["lastReviewed"] == "2026-11-21"
    assert data["audience"]["audienceType"] == "Patient"
    about = data["about"]
    dvt = library.conditions["dvt"]
    assert about["@type"] == "MedicalCondition"
    assert [s["name"] for s in about["signOrSymptom"]] == list(dvt.symptoms)
    assert [t["name"] for t in about["possibleTreatment"]] == [t.name for t in dvt.treatments]
    assert [r["name"] for r in about["riskFactor"]] == list(dvt.risk_factors)
    assert [t["name"] for t in about["typicalTest"]] == [t.name for t in dvt.tests]


def test_links_between_conditions_and_topics_resolve(built):
    for page in (built / "html").glob("*.html"):
        for href in re.findall(r'href="([^"#:]+\.html)"', page.read_text(encoding="utf-8")):
            assert (page.parent / href).resolve().is_file(), f"{page.name} links to missing {href}"
