"""`handouts lint`, rule by rule: each fixture edit trips exactly the rule it is about."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import ROOT, edit_source
from pipeline.project import Project, lint_project
from pipeline.readability import grade, sentences, syllables

DVT = "sources/conditions/dvt.yaml"


def findings(project, **kwargs):
    problems, _ = lint_project(Project(project), **kwargs)
    return [(d.severity, d.rule, d.path, d.line, d.column, d.message) for d in problems]


def rules(project, **kwargs):
    return {(severity, rule) for severity, rule, *_ in findings(project, **kwargs)}


def test_real_sources_have_no_lint_errors(cli):
    result = cli("lint", project_dir=ROOT)
    assert result.exit_code == 0, result.output
    assert ": error: " not in result.output


def test_fixture_is_clean_of_errors(project):
    assert not [f for f in findings(project) if f[0] == "error"]


def test_scorer_works_offline_on_known_text():
    assert syllables("thrombosis") == 3 and syllables("knee") == 1
    assert syllables("popliteal") == 3  # not in the dictionary: counted by vowel groups (o, i, ea)
    assert sentences("One. Two words! Three?") == ["One.", "Two words!", "Three?"]
    assert grade(["The cat sat on the mat."]) < 1
    assert grade(["Anti-inflammatory medications ameliorate musculoskeletal inflammation considerably."]) > 15


def test_reading_grade_error(project):
    edit_source(project / DVT, "  - The vein behind your knee is one of the most common places for a clot to form.",
                "  - Anatomically, the popliteal vasculature constitutes a particularly predisposed location "
                "for intravascular thrombus consolidation.")
    found = [f for f in findings(project) if f[1] == "reading-grade" and f[0] == "error"]
    assert len(found) == 1
    severity, rule, path, line, column, message = found[0]
    assert (path, line, column) == (DVT, 10, 3)
    assert message.startswith("'What it is' reads at grade ") and message.endswith("; at most 8 (use shorter words and sentences)")


def test_reading_grade_warning(project):
    edit_source(project / DVT, "  - The vein behind your knee is one of the most common places for a clot to form.",
                "  - The vein behind your knee is a common location for clots to develop.")
    assert ("warning", "reading-grade") in rules(project)


def test_sentence_length(project):
    long = " ".join(["word"] * 26) + "."
    edit_source(project / DVT, "A clot needs a doctor. While you get help, do these things.", long)
    found = [f for f in findings(project) if f[1] == "sentence-length" and f[2] == DVT]
    assert found[0][0] == "error" and found[0][3:5] == (26, 10)
    assert found[0][5].startswith("sentence of 26 words; at most 25: 'word word")


def test_paragraph_length(project):
    edit_source(project / DVT, "  - A deep vein thrombosis (DVT) is a blood clot in one of the deep veins of the leg.",
                "  - A clot is bad. It can grow. It can move. It can hurt.")
    assert ("error", "paragraph-length") in rules(project)


def test_jargon_needs_a_plain_explanation(project):
    # The title explains the term where the reader first meets it...
    assert not [f for f in findings(project) if f[1] == "jargon"]
    # ...until the plain words are taken out of it.
    edit_source(project / DVT, "title: Blood clot in a deep vein (deep vein thrombosis, DVT)",
                "title: Deep vein thrombosis (DVT)")
    found = [f for f in findings(project) if f[1] == "jargon"]
    assert [(f[0], f[3], f[4], f[5]) for f in found] == [
        ("error", 4, 8, "'thrombosis' is used without a plain explanation; on first use also say 'blood clot'")
    ]


def test_jargon_list_is_data(project):
    (project / "sources/jargon.yaml").write_text(
        "# yaml-language-server: $schema=../schemas/jargon.schema.json\nterms:\n  - term: calf\n    plain: [lower leg muscle]\n")
    assert ("error", "jargon") in rules(project)


def test_broken_jargon_list_is_reported(project):
    (project / "sources/jargon.yaml").write_text("terms:\n  - term: x\n")
    found = findings(project)
    assert any(f[2] == "sources/jargon.yaml" and "missing required field 'plain'" in f[5] for f in found)


def test_action_section_needs_steps(project):
    text = (project / DVT).read_text()
    start = text.index("  steps:\n") + len("  steps:\n")
    end = text.index("treatments:")
    (project / DVT).write_text(text[:start] + "    - Call your doctor today.\n" + text[end:])
    assert ("error", "action-section") in rules(project)


def test_care_heading_pattern(project):
    edit_source(project / "sources/publishers/us-default.yaml", '"Call your doctor today if:"', '"Call your doctor soon if:"')
    found = [f for f in findings(project) if f[1] == "care-heading"]
    assert [(f[2], f[3], f[5]) for f in found] == [
        ("sources/publishers/us-default.yaml", 14, "urgent heading must read like '... today if:'")
    ]


def test_emergency_blocks_hold_no_links(project):
    edit_source(project / DVT, "      - You have chest pain", "      - You have chest pain (see https://example.org/chest)")
    assert ("error", "emergency-links") in rules(project)


def test_emergency_numbers_only_from_the_publisher(project):
    edit_source(project / DVT, "      - You have chest pain", "      - You have chest pain, so dial 999")
    found = [f for f in findings(project) if f[1] == "emergency-number"]
    assert found and found[0][5].startswith("'999' looks like an emergency number")


def test_overdue_review_is_a_warning_and_an_error_under_release(project):
    later = dt.date(2028, 1, 1)
    assert ("warning", "review-overdue") in rules(project, today=later)
    assert ("error", "review-overdue") in rules(project, today=later, release=True)
    assert ("error", "review-draft") in rules(project, release=True)
    assert not {r for r in rules(project) if r[1].startswith("review")}


def test_lint_formats(cli, project):
    edit_source(project / DVT, "      - You have chest pain", "      - You have chest pain, so dial 999")
    result = cli("lint", "--format", "json", project_dir=project)
    assert result.exit_code == 1
    assert {d["rule"] for d in json.loads(result.output)["diagnostics"]} >= {"emergency-number"}
    result = cli("lint", "--format", "github", project_dir=project)
    assert "::error file=sources/conditions/dvt.yaml,line=40,col=9::emergency-number: '999'" in result.output


@pytest.mark.parametrize("figure", ["1,000", "10,000", "1.000", "1'000", "2,999", "1\u202f000", "1\u00a0112",
                                    "0.111", "112.5", "999,999", "3,911,000"])
def test_digit_groups_are_not_emergency_numbers(project, figure):
    edit_source(project / DVT, "      - You have chest pain", f"      - You have chest pain, one in {figure} people")
    assert not [f for f in findings(project) if f[1] == "emergency-number"]


@pytest.mark.parametrize("text", ["call 000.", "dial 999, then 112", "(911)", "ring 111 24 hours a day", "999!"])
def test_emergency_numbers_next_to_punctuation_are_found(project, text):
    edit_source(project / DVT, "      - You have chest pain", f"      - You have chest pain, so {text}")
    assert [f for f in findings(project) if f[1] == "emergency-number"]
