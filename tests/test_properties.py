"""Property-based tests: arbitrary input gives a valid result or a clean, located error;
never a crash, and never markup made from text."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from functools import cache
from html.parser import HTMLParser

from conftest import FIXTURES
from pipeline import model, red_flags
from pipeline.diagnostics import SourceProblems
from pipeline.formats import RenderContext
from pipeline.formats.html import render_page, web_link
from pipeline.loading import Document, load_bytes, load_document
from pipeline.project import Project
from pipeline.validation import SCHEMA_FOR_KIND, file_diagnostics, schema_diagnostics
from textfields import html_text, normalize

FIXTURE = FIXTURES / "minimal"


@cache
def fixture_library() -> model.Library:
    # Loaded when first needed, never at import: a broken source must not break collection.
    return Project(FIXTURE).library()

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
    first_line = f"# yaml-language-server: $schema=../../schemas/{SCHEMA_FOR_KIND[kind]}"
    problems = schema_diagnostics(doc, kind) + file_diagnostics(doc, kind, "x", first_line)
    assert problems  # every kind has required fields that these keys cannot all fill validly
    assert all(p.line >= 1 and p.message and p.path == "x.yaml" for p in problems)


@cache
def valid_condition() -> Document:
    return load_document(FIXTURE / "sources/conditions/dvt.yaml")


def replaced(data, pointer: str, value):
    """A deep copy of `data` with the value at a JSON Pointer replaced."""
    if not pointer:
        return value
    head, _, rest = pointer[1:].partition("/")
    if isinstance(data, list):
        copy = list(data)
        copy[int(head)] = replaced(data[int(head)], "/" + rest if rest else "", value)
        return copy
    return {**data, head: replaced(data[head], "/" + rest if rest else "", value)}


@st.composite
def one_field_changed(draw):
    doc = valid_condition()
    pointer = draw(st.sampled_from(sorted(p for p in doc.positions if p and p != "/slug")))
    # Values of every shape, and values taken from elsewhere in a valid condition, so that
    # many changed documents are still valid and the model has to be built from them.
    subtrees = [v for v in (_value_at(doc.data, p) for p in doc.positions) if v is not doc.data]
    value = draw(json_values | st.text(min_size=1, max_size=60) | st.sampled_from(subtrees))
    return pointer, replaced(doc.data, pointer, value)


def _value_at(data, pointer: str):
    for token in pointer[1:].split("/") if pointer else []:
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


@settings(max_examples=300)
@given(one_field_changed())
def test_data_the_schema_accepts_always_builds_a_model(change):
    """One value of a valid condition replaced by any other: either validation names a problem,
    or the model is built from it. A model that fails on data the checks let through is a bug."""
    pointer, data = change
    doc = Document("x.yaml", data, {}, {})
    first_line = "# yaml-language-server: $schema=../../schemas/condition.schema.json"
    flag_documents, flags = fixture_red_flags()
    problems = (schema_diagnostics(doc, "conditions") + file_diagnostics(doc, "conditions", "dvt", first_line)
                # The red flags a care block names are checked against the flags that exist.
                + red_flags.reference_diagnostics({"conditions": {"dvt": doc}, "red-flags": flag_documents}))
    if not problems:
        condition = model.condition_from_data(data, flags)
        assert condition.slug == "dvt"


@cache
def fixture_red_flags():
    """The fixture's red flag files, and the model's flags built from them."""
    return Project(FIXTURE).gather().documents["red-flags"], Project(FIXTURE).library().red_flags


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
    library = fixture_library()
    dvt = library.conditions["dvt"]
    changed = dataclasses.replace(dvt, summary=text, symptoms=(text, "Swelling"),
                                  treatments=(dataclasses.replace(dvt.treatments[0], description=text),))
    ctx = RenderContext(library, library.publishers["us-default"], "2026-11-21T00:00:00+00:00")
    return render_page(changed, ctx, variant="web", link=web_link)


@cache
def baseline_tags() -> list[str]:
    return tags(page_with("plain"))


@settings(max_examples=150)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120)
       .filter(lambda t: t.strip()))
def test_any_text_stays_text_in_the_page(text):
    page = page_with(text)
    assert tags(page) == baseline_tags()  # no element was made from the text
    assert normalize(text) in html_text(page)
