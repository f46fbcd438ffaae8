"""The clinical safety lint rules, each broken by one fixture edit and reported at its line."""

from __future__ import annotations

import pytest

from conftest import edit_source
from pipeline.build import BuildOptions, build
from pipeline.project import Project, lint_project

DVT = "sources/conditions/dvt.yaml"
CALF = "sources/conditions/calf-strain.yaml"


def found(project, rule: str) -> list[tuple[str, int, int, str]]:
    problems, _ = lint_project(Project(project))
    return [(d.path, d.line, d.column, d.message) for d in problems if d.rule == rule and d.is_error]


def remove_block(path, level: str) -> None:
    """Take one care block out of a condition, leaving the rest of the file as it was."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"  - level: {level}")
    end = start + 1
    while lines[end].startswith("    "):
        end += 1
    path.write_text("\n".join(lines[:start] + lines[end:]), encoding="utf-8")


def test_the_fixture_breaks_no_safety_rule(project):
    for rule in ("safety-net", "look-alike", "sms-emergency-line", "sms-milder-action", "locale-words"):
        assert found(project, rule) == [], rule


def test_safety_net_needs_an_urgent_or_emergency_block(project):
    remove_block(project / DVT, "emergency")
    edit_source(project / DVT, "  red_flag: clot-in-lung\n", "")
    remove_block(project / DVT, "urgent")
    assert found(project, "safety-net") == [
        (DVT, 37, 3, "a condition needs an urgent or emergency care block, so that every reader learns which "
                     "signs need help fast"),
    ]


def test_look_alike_must_carry_the_flags(project):
    # Calf strain can be mistaken for a clot; without the clot-in-leg flag it hides that clot.
    edit_source(project / CALF, "    red_flags: [clot-in-leg]\n", "")
    assert found(project, "look-alike") == [
        (CALF, 55, 23, "this condition can be mistaken for 'dvt' but does not carry its red flag 'clot-in-leg' "
                       "(urgent); add it to the care block of the same level"),
    ]


def test_look_alike_flags_must_be_at_the_same_level(project):
    remove_block(project / CALF, "emergency")
    edit_source(project / CALF, "  red_flag: clot-in-lung\n", "")
    edit_source(project / CALF, "  - level: routine\n    signs:\n",
                "  - level: routine\n    signs:\n      - You suddenly have trouble breathing\n")
    assert [m for *_, m in found(project, "look-alike")] == [
        "this condition can be mistaken for 'dvt' but does not carry its red flag 'clot-in-lung' (emergency); "
        "add it to the care block of the same level",
    ]


def test_look_alike_must_link_to_the_dangerous_condition(project):
    edit_source(project / CALF, "  conditions: [dvt]\n", "  conditions: []\n")
    assert found(project, "look-alike") == [
        (CALF, 56, 23, "this condition can be mistaken for 'dvt' but does not link to it; add 'dvt' under "
                       "related: conditions"),
    ]


def test_an_emergency_block_needs_the_emergency_line_in_the_sms(project):
    edit_source(project / DVT, "  red_flag: clot-in-lung\n", "")
    assert found(project, "sms-emergency-line") == [
        (DVT, 59, 3, "the leaflet has an emergency care block, so the text message must carry the emergency line: "
                     "add 'red_flag' to sms and name one of its emergency red flags: clot-in-lung"),
    ]


@pytest.mark.parametrize("message", [
    "A swollen, warm calf may be a clot. See a doctor if it lasts.",
    "A swollen, warm calf may be a clot. Wait and see, then call.",
    "A swollen calf may be a clot. Call a doctor if it doesn't improve.",
])
def test_the_sms_never_defers_what_the_leaflet_says_to_do_today(project, message):
    edit_source(project / DVT, "message: A swollen, warm calf may be a clot. Call your doctor today.",
                f"message: {message}")
    problems = found(project, "sms-milder-action")
    assert len(problems) == 1
    path, line, column, text = problems[0]
    assert (path, line, column) == (DVT, 59, 12)
    assert text.startswith("the message says '") and "a milder action than the leaflet" in text


def test_an_urgent_leaflet_needs_an_urgent_message(project):
    # With no emergency block, the message is all there is: it must say "today" as the leaflet does.
    remove_block(project / DVT, "emergency")
    edit_source(project / DVT, "  red_flag: clot-in-lung\n", "")
    edit_source(project / DVT, "Call your doctor today.", "Call your doctor.")
    assert found(project, "sms-milder-action") == [
        (DVT, 55, 12, "the leaflet's most serious advice is to get help today, so the message must say so too "
                      "('today' or 'now')"),
    ]


def test_a_routine_only_leaflet_may_defer(project):
    remove_block(project / DVT, "emergency")
    edit_source(project / DVT, "  red_flag: clot-in-lung\n", "")
    remove_block(project / DVT, "urgent")
    edit_source(project / DVT, "Call your doctor today.", "See a doctor if it lasts.")
    assert found(project, "sms-milder-action") == []
    assert [rule for rule in ("safety-net",) if found(project, rule)] == ["safety-net"]  # caught there instead


def test_a_uk_word_in_a_us_build_is_located(project):
    edit_source(project / "sources/topics/price-method.yaml", "Wrap it in a clean towel first.",
                "Wrap it in a clean tea towel first.")
    assert found(project, "locale-words") == [
        ("sources/topics/price-method.yaml", 21, 9, "'tea towel' is not en-US usage, and this text is published "
                                                    "by 'us-default' (en-US); write towel"),
    ]


def test_a_us_word_in_a_uk_build_is_located(project):
    edit_source(project / CALF, "A {physio} can help", "A physical therapist can help")
    assert found(project, "locale-words") == [
        (CALF, 36, 18, "'physical therapist' is not en-GB usage, and this text is published by 'uk-example' "
                       "(en-GB); write {physio}"),
    ]


def test_red_flags_and_capital_words_are_checked(project):
    edit_source(project / "sources/red-flags/clot-in-leg.yaml", "text: Your calf is swollen",
                "text: Go to A&E if your calf is swollen")
    edit_source(project / DVT, "Call your doctor today.", "Call your doctor today; a gp may help.")
    assert [(p, m.split(" is not")[0]) for p, *_, m in found(project, "locale-words")] == [
        ("sources/red-flags/clot-in-leg.yaml", "'A&E'"),  # "gp" is not "GP": capitals are matched exactly
    ]


def test_a_profile_is_checked_only_against_its_own_locale(project):
    # "A&E" is right in the UK profile and wrong in the US one.
    assert found(project, "locale-words") == []
    edit_source(project / "sources/publishers/us-default.yaml", "go to the emergency room now", "go to A&E now")
    assert [(p, line) for p, line, *_ in found(project, "locale-words")] == [("sources/publishers/us-default.yaml", 13)]


def test_a_release_refuses_a_safety_error(cli, project):
    # Approved as it is (test data only: a fictional reviewer), then the SMS loses its
    # emergency line and the approval goes with it: the release names both, at their lines.
    result = cli("approve", "--all", "--by", "Dr Test Example, MD", project_dir=project)
    assert result.exit_code == 0, result.output
    edit_source(project / DVT, "  red_flag: clot-in-lung\n", "")
    # Pages and messages are enough to see what the release left out (the refusal comes first,
    # the same for every format).
    report = build(Project(project), BuildOptions(release=True, workers=1, formats=("html", "sms")))
    assert {(d.path, d.rule) for d in report.refused} >= {(DVT, "sms-emergency-line"), (DVT, "review-changed")}
    assert not (project / "outputs/html/dvt.html").exists() and not (project / "outputs/sms/dvt.txt").exists()
    assert (project / "outputs/html/calf-strain.html").exists()
