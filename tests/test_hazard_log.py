"""The hazard log: risks checked against the DCB0129 matrix, and every control checked to exist."""

from __future__ import annotations

import pytest

from conftest import ROOT, edit_source
from pipeline.hazard_log import why_no_schema_part, why_no_test
from pipeline.lint import rule_ids
from pipeline.model import LIKELIHOODS, SEVERITIES, risk_of
from pipeline.project import Project

LOG = "sources/hazard-log.yaml"


def errors(cli, project) -> list[str]:
    return [line for line in cli("validate", project_dir=project).output.splitlines() if ": error: " in line]


def test_the_matrix_never_falls_as_severity_or_likelihood_rises():
    for s, severity in enumerate(SEVERITIES):
        for l, likelihood in enumerate(LIKELIHOODS):
            risk = risk_of(severity, likelihood)
            assert 1 <= risk <= 5
            if s:
                assert risk >= risk_of(SEVERITIES[s - 1], likelihood)
            if l:
                assert risk >= risk_of(severity, LIKELIHOODS[l - 1])
    assert risk_of("minor", "very low") == 1 and risk_of("catastrophic", "very high") == 5
    assert risk_of("catastrophic", "very low") == 3 and risk_of("minor", "very high") == 3


def test_the_log_is_in_the_model(project):
    log = Project(project).library().hazard_log
    first = log.hazards[0]
    assert (first.id, first.initial.rating, first.residual.rating) == ("HAZ-001", 4, 3)
    assert [(c.kind, c.target) for c in first.controls] == [
        ("lint_rule", "sms-emergency-line"), ("red_flag", "clot-in-lung"),
        ("schema", "condition.schema.json#/properties/sms/properties/red_flag")]
    assert first.controls[1].note == "The emergency line comes from the shared red flag."


def test_a_risk_that_disagrees_with_the_matrix_is_located(cli, project):
    edit_source(project / LOG, "initial: {severity: catastrophic, likelihood: medium, risk: 4}",
                "initial: {severity: catastrophic, likelihood: medium, risk: 2}")
    assert errors(cli, project) == [
        "sources/hazard-log.yaml:12:65: error: severity 'catastrophic' with likelihood 'medium' is risk 4 (high) "
        "in the DCB0129 matrix, not 2 (at /hazards/0/initial/risk)",
    ]


def test_controls_cannot_raise_the_risk(cli, project):
    edit_source(project / LOG, "residual: {severity: major, likelihood: very low, risk: 2}",
                "residual: {severity: major, likelihood: high, risk: 4}")
    assert errors(cli, project) == [
        "sources/hazard-log.yaml:27:15: error: residual risk 4 is higher than the initial risk 3; controls cannot "
        "add risk (at /hazards/1/residual)",
    ]


@pytest.mark.parametrize("old, new, line, column, expected", [
    ("lint_rule: sms-emergency-line", "lint_rule: sms-emergency-lines", 14, 20,
     "no lint rule 'sms-emergency-lines' (rules: "),
    ("red_flag: clot-in-lung", "red_flag: clot-in-brain", 15, 19,
     "no red flag 'clot-in-brain' (no file sources/red-flags/clot-in-brain.yaml)"),
    ("schema: condition.schema.json#/properties/sms/properties/red_flag",
     "schema: condition.schema.json#/properties/sms/properties/emergency_sign", 17, 17,
     "condition.schema.json has nothing at '/properties/sms/properties/emergency_sign' (no 'emergency_sign')"),
    ("schema: condition.schema.json#", "schema: conditions.schema.json#", 17, 17,
     "no schema conditions.schema.json in schemas/"),
    ("test: tests/test_properties.py::test_any_text_stays_text_in_the_page",
     "test: tests/test_properties.py::test_any_text_stays_text", 26, 15,
     "tests/test_properties.py has no test 'test_any_text_stays_text'"),
    ("test: tests/test_properties.py::", "test: tests/test_nowhere.py::", 26, 15, "no test file tests/test_nowhere.py"),
])
def test_a_control_that_names_nothing_is_located(cli, project, old, new, line, column, expected):
    edit_source(project / LOG, old, new)
    found = errors(cli, project)
    assert len(found) == 1, found
    prefix = f"sources/hazard-log.yaml:{line}:{column}: error: control names something that does not exist: "
    assert found[0].startswith(prefix + expected), found[0]


def test_a_control_names_exactly_one_thing(cli, project):
    edit_source(project / LOG, "      - lint_rule: sms-emergency-line\n",
                "      - lint_rule: sms-emergency-line\n        test: tests/test_lint.py::test_lint_formats\n")
    assert errors(cli, project) == [
        "sources/hazard-log.yaml:14:9: error: needs exactly one of 'lint_rule' or 'test' or 'red_flag' or 'schema' "
        "(at /hazards/0/controls/0)",
    ]


def test_hazard_ids_are_unique(cli, project):
    edit_source(project / LOG, "  - id: HAZ-002", "  - id: HAZ-001")
    assert errors(cli, project) == [
        "sources/hazard-log.yaml:19:9: error: hazard id HAZ-001 is already used by hazard 1 (at /hazards/1/id)",
    ]


def test_lookups_name_what_they_find():
    assert why_no_test("tests/test_hazard_log.py::test_hazard_ids_are_unique") is None
    assert why_no_test("tests/test_hazard_log.py::errors") == "tests/test_hazard_log.py has no test 'errors'"
    assert why_no_schema_part("common.schema.json#/$defs/review/properties/next_review") is None
    assert why_no_schema_part("condition.schema.json#/properties/care/items/anyOf/1") is None
    assert why_no_schema_part("condition.schema.json#/properties/care/items/anyOf/2") is not None
    assert {"review-overdue", "review-draft", "sms-emergency-line", "locale-words"} <= rule_ids()


def test_the_real_log_names_only_what_exists():
    library = Project(ROOT).library()  # raises, naming the line, if any control names nothing
    log = library.hazard_log
    assert log is not None
    ids = [hazard.id for hazard in log.hazards]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for hazard in log.hazards:
        assert hazard.controls and hazard.residual.rating <= hazard.initial.rating
