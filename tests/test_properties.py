"""Property-based tests: arbitrary input gives a valid result or a clean, located error;
never a crash, and never markup made from text."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from conftest import ROOT
from pipeline.diagnostics import SourceProblems
from pipeline.formats import RenderContext
from pipeline.formats.html import render_page, web_link
from pipeline.loading import Document, load_bytes
from pipeline.project import Project
from pipeline.validation import file_diagnostics, schema_diagnostics
from textfields import html_text, normalize
from html.parser import HTMLParser

LIBRARY = Project(ROOT).library()
CTX = RenderContext(LIBRARY, LIBRARY.publishers["us-default"], "2026-11-21T00:00:00+00:00")

yaml_like = st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>#'\"\n \t0129.,?%@`\\") + ["é", "\x00", "\ufeff"]),
                    max_size=200)


def check_located(problems: SourceProblems) -> None:
    assert problems.diagnostics
    for d in problems.diagnostics:
        assert d.line >= 1 and d.column >= 1 and d.message and d.severity == "error"


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_loader_on_any_bytes(raw):
    try:
        doc = load_bytes(raw, "x.yaml")
    except SourceProblems as problems:
        check_located(problems)
    else:
        assert isinstance(doc.data, dict)


@settings(max_examples=300)
@given(yaml_like)
def test_loader_on_yaml_like_text(text):
    try:
        doc = load_bytes(text.encode("utf-8"), "x.yaml")
    except SourceProblems as problems:
        check_located(problems)
    else:
        assert isinstance(doc.data, dict)
        for pointer in doc.positions:
            assert doc.locate(pointer).line >= 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
condition_keys = st.sampled_from(["slug", "title", "care", "sms", "review", "related", "tests", "summary", "x"])


@settings(max_examples=200)
@given(st.dictionaries(condition_keys, json_values, max_size=8), st.sampled_from(["conditions", "topics", "guides", "publishers"]))
def test_validator_on_any_data(data, kind):
    doc = Document("x.yaml", data, {}, {})
    problems = schema_diagnostics(doc, kind) + file_diagnostics(doc, kind, "x", "")
    assert problems  # the first line is never the schema comment here
    assert all(p.line >= 1 and p.message for p in problems)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)


def tags(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def page_with(text: str) -> str:
    # Control characters never reach here: the loader refuses them.
    changed = dataclasses.replace(LIBRARY.conditions["dvt"], summary=text, symptoms=(text, "Swelling"),
                                  treatments=(dataclasses.replace(LIBRARY.conditions["dvt"].treatments[0], description=text),))
    return render_page(changed, CTX, variant="web", link=web_link)


BASELINE_TAGS = tags(page_with("plain"))


@settings(max_examples=150)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120)
       .filter(lambda t: t.strip()))
def test_any_text_stays_text_in_the_page(text):
    page = page_with(text)
    assert tags(page) == BASELINE_TAGS  # no element was made from the text
    assert normalize(text) in html_text(page)
