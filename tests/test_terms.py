"""Locale words: {placeholders} filled from each publisher's terms before any renderer or rule sees them."""

from __future__ import annotations

from conftest import edit_source
from pipeline.formats.sms import compose
from pipeline.project import Project
from pipeline.terms import fill, placeholders
from textfields import epub_text, html_text, pdf_text

CALF = "sources/conditions/calf-strain.yaml"
TERMS = {"physio": "physical therapist", "sport": "sports"}


def errors(cli, project) -> list[str]:
    return [line for line in cli("validate", project_dir=project).output.splitlines() if ": error: " in line]


def test_fill_replaces_known_names_and_capitalises():
    assert fill("See a {physio}. {Physio}s help.", TERMS) == "See a physical therapist. Physical therapists help."
    assert fill("Avoid {sport} and {unknown}.", TERMS) == "Avoid sports and {unknown}."
    # Braces that make no placeholder are text, shown as written.
    assert fill("{{ 7*7 }} {% raw %} { physio }", TERMS) == "{{ 7*7 }} {% raw %} { physio }"
    assert list(placeholders("{a} {B2} {not one} {c_d}")) == ["a", "B2", "c_d"]


def test_the_model_is_filled_per_publisher(project):
    library = Project(project).library()
    raw = library.conditions["calf-strain"]
    assert raw.treatments[1].description == "A {physio} can help you get back to walking and {sport} safely."
    us = library.for_publisher(library.publishers["us-default"]).conditions["calf-strain"]
    uk = library.for_publisher(library.publishers["uk-example"]).conditions["calf-strain"]
    assert (us.treatments[1].name, us.treatments[1].description) == (
        "Physical therapy", "A physical therapist can help you get back to walking and sports safely.")
    assert (uk.treatments[1].name, uk.treatments[1].description) == (
        "Physiotherapy", "A physiotherapist can help you get back to walking and sport safely.")
    assert us.review == raw.review and us.slug == raw.slug  # only texts change


def test_every_format_shows_the_publishers_word(fixture_built, fixture_built_uk):
    # The run's shared builds of the fixture project, one for each publisher.
    for project, word, other in ((fixture_built, "A physical therapist can help", "physiotherapist can"),
                                 (fixture_built_uk, "A physiotherapist can help", "physical therapist can")):
        out = project / "outputs"
        texts = [html_text((out / "html/calf-strain.html").read_text(encoding="utf-8")),
                 pdf_text(out / "pdf/calf-strain.a4.pdf"), pdf_text(out / "pdf/calf-strain.large-print.a4.pdf"),
                 epub_text(out / "epub/small-guide.epub")]
        for text in texts:
            assert word in text and other not in text and "{physio}" not in text


def test_the_sms_is_filled_too(project):
    edit_source(project / CALF, "message: Rest a sore calf. Swollen, red or warm?", "message: See a {physio}. Red, warm calf?")
    library = Project(project).library()
    uk = library.publishers["uk-example"]
    assert compose(library.for_publisher(uk).conditions["calf-strain"], uk).startswith(
        "KneeInfoUK: See a physiotherapist. Red, warm calf?")


def test_unknown_placeholder_is_an_error_at_the_line(cli, project):
    edit_source(project / CALF, "A {physio} can help", "A {physoi} can help")
    assert errors(cli, project) == [
        "sources/conditions/calf-strain.yaml:36:18: error: unknown placeholder '{physoi}': no publisher profile "
        "defines the term 'physoi' (did you mean '{physio}'?) (at /treatments/1/description)",
    ]


def test_a_term_missing_from_one_profile_is_an_error(cli, project):
    edit_source(project / "sources/publishers/uk-example.yaml", "  sport: sport\n", "")
    assert errors(cli, project) == [
        "sources/conditions/calf-strain.yaml:28:7: error: placeholder '{sport}' has no term in publisher profile "
        "'uk-example' (add it under 'terms' in sources/publishers/uk-example.yaml) (at /self_care/steps/1)",
        "sources/conditions/calf-strain.yaml:36:18: error: placeholder '{sport}' has no term in publisher profile "
        "'uk-example' (add it under 'terms' in sources/publishers/uk-example.yaml) (at /treatments/1/description)",
    ]


def test_lint_reads_the_filled_text(project):
    from pipeline.project import lint_project

    # The same placeholder is fine per locale; the raw word is not, in a US build.
    edit_source(project / CALF, "A {physio} can help", "A physiotherapist can help")
    problems, _ = lint_project(Project(project))
    found = [(d.path, d.line, d.rule, d.message) for d in problems if d.rule == "locale-words"]
    assert found == [(CALF, 36, "locale-words", "'physiotherapist' is not en-US usage, and this text is published "
                                                "by 'us-default' (en-US); write {physio}")]
