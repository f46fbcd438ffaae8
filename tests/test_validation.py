"""`handouts validate`: every problem, in every file, located by file, line, column and field."""

from __future__ import annotations

import json
import re

from conftest import ROOT, edit_source, write_source


def errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if ": error: " in line]


def test_real_sources_are_valid(cli):
    result = cli("validate", project_dir=ROOT)
    assert result.exit_code == 0, result.output
    assert re.search(r"^\d+ files checked: 0 errors, 0 warnings$", result.output, re.M), result.output


def test_fixture_sources_are_valid(cli, project):
    result = cli("validate", project_dir=project)
    assert result.exit_code == 0, result.output


def test_missing_required_field(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "medical_name: Deep vein thrombosis\n", "")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    assert errors(result) == ["sources/conditions/dvt.yaml:2:1: error: missing required field 'medical_name'"]


def test_wrong_type(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "  - Swelling in the leg\n", "  - 42\n")
    result = cli("validate", project_dir=project)
    assert errors(result) == ["sources/conditions/dvt.yaml:14:5: error: 42 is not of type 'string' (at /symptoms/0)"]


def test_unknown_field_points_at_the_key_and_suggests(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "summary: >-", "sumary: >-")
    result = cli("validate", project_dir=project)
    assert errors(result) == [
        "sources/conditions/dvt.yaml:2:1: error: missing required field 'summary'",
        "sources/conditions/dvt.yaml:6:1: error: unknown field 'sumary' (did you mean 'summary'?) (at /sumary)",
    ]


def test_bad_enum_value(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "  - level: emergency", "  - level: emergncy")
    result = cli("validate", project_dir=project)
    assert errors(result)[0] == (
        "sources/conditions/dvt.yaml:37:12: error: 'emergncy' is not one of "
        "['emergency', 'urgent', 'routine'] (at /care/0/level)"
    )


def test_bad_date(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "next_review: 2027-11-21", "next_review: 2027-02-30")
    result = cli("validate", project_dir=project)
    assert errors(result) == [
        "sources/conditions/dvt.yaml:68:16: error: '2027-02-30' is not a 'date' (at /review/next_review)"
    ]


def test_review_more_than_three_years_away(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "next_review: 2027-11-21", "next_review: 2029-11-22")
    result = cli("validate", project_dir=project)
    assert errors(result) == [
        "sources/conditions/dvt.yaml:68:16: error: next review 2029-11-22 is more than 3 years after "
        "the last review 2026-11-21 (at /review/next_review)"
    ]


def test_a_typed_status_is_refused_with_the_command_to_use(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "review:\n", "review:\n  status: approved\n")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    assert errors(result) == [
        "sources/conditions/dvt.yaml:67:3: error: 'status' is no longer typed in a source: clinical sign-off "
        "is derived from the approvals ledger. Remove it, and have the reviewing clinician run "
        "'handouts approve dvt --by \"Name, credential\"' (at /review/status)"
    ]


def test_every_item_needs_a_reference_in_the_expected_form(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "reference: KP-DVT\n", "")
    edit_source(project / "sources/topics/tests.yaml", "reference: KP-TESTS", "reference: kp tests")
    result = cli("validate", project_dir=project)
    assert errors(result) == [
        "sources/conditions/dvt.yaml:2:1: error: missing required field 'reference'",
        "sources/topics/tests.yaml:3:12: error: 'kp tests' is not in the expected form: The leaflet reference "
        "printed on every format, for example 'KP-DVT': capital letters, digits and hyphens, starting with a "
        "2 to 4 letter prefix. Unique across all sources; never reuse or change one once published (at /reference)",
    ]


def test_a_reference_names_one_item(cli, project):
    edit_source(project / "sources/topics/tests.yaml", "reference: KP-TESTS", "reference: KP-DVT")
    result = cli("validate", project_dir=project)
    assert errors(result) == [
        "sources/topics/tests.yaml:3:12: error: reference 'KP-DVT' is already used by "
        "sources/conditions/dvt.yaml:3; each item needs its own (at /reference)"
    ]


def test_broken_reference(cli, project):
    edit_source(project / "sources/guides/small-guide.yaml", "condition: calf-strain", "condition: calf-strian")
    result = cli("validate", project_dir=project)
    assert errors(result) == [
        "sources/guides/small-guide.yaml:10:16: error: unknown condition 'calf-strian': no file "
        "sources/conditions/calf-strian.yaml (did you mean 'calf-strain'?) (at /chapters/1/condition)"
    ]


def test_slug_must_match_file_name(cli, project):
    edit_source(project / "sources/topics/tests.yaml", "slug: tests", "slug: medical-tests")
    result = cli("validate", project_dir=project)
    assert "sources/topics/tests.yaml:2:7: error: slug 'medical-tests' must match the file name 'tests.yaml' (at /slug)" in errors(result)


def test_slug_that_tries_to_leave_its_folder(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "conditions: [calf-strain]", "conditions: [../../etc/passwd]")
    result = cli("validate", project_dir=project)
    assert errors(result)[0].startswith("sources/conditions/dvt.yaml:56:16: error: '../../etc/passwd' is not in the expected form")


def test_schema_comment_is_required(cli, project):
    edit_source(project / "sources/topics/tests.yaml", "# yaml-language-server: $schema=../../schemas/topic.schema.json\n", "")
    result = cli("validate", project_dir=project)
    assert errors(result)[0].startswith("sources/topics/tests.yaml:1:1: error: first line must be '# yaml-language-server")


def test_every_problem_in_every_file_in_one_run(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "medical_name: Deep vein thrombosis\n", "")
    write_source(project, "sources/topics/broken.yaml", "slug: broken\ntitle: [oops\n")
    edit_source(project / "sources/publishers/uk-example.yaml", 'emergency_number: "999"', "emergency_number: 999")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    paths = {line.split(":", 1)[0] for line in errors(result)}
    assert paths == {"sources/conditions/dvt.yaml", "sources/topics/broken.yaml", "sources/publishers/uk-example.yaml"}
    # 13 sources and the 9 Spanish catalogues of the fixture.
    assert "22 files checked: 3 errors, 0 warnings" in result.output


def test_paths_narrow_the_report(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "medical_name: Deep vein thrombosis\n", "")
    result = cli("validate", str(project / "sources/topics"), project_dir=project)
    assert result.exit_code == 0
    assert "2 files checked: 0 errors" in result.output


def test_github_format(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "  - level: emergency", "  - level: emergncy")
    result = cli("validate", "--format", "github", project_dir=project)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "::error file=sources/conditions/dvt.yaml,line=37,col=12::'emergncy' is not one of "
        "['emergency', 'urgent', 'routine'] (at /care/0/level)"
    )


def test_json_format(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "  - level: emergency", "  - level: emergncy")
    result = cli("validate", "--format", "json", project_dir=project)
    assert result.exit_code == 1
    report = json.loads(result.output)
    first = report["diagnostics"][0]
    assert first == {
        "path": "sources/conditions/dvt.yaml", "line": 37, "column": 12, "severity": "error",
        "message": "'emergncy' is not one of ['emergency', 'urgent', 'routine']",
        "pointer": "/care/0/level", "rule": "",
    }


def test_sms_over_budget_is_a_validation_error(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml",
                "message: A swollen, warm calf may be a clot. Call your doctor today.",
                "message: A swollen, warm calf may be a clot. Call your doctor today, or as soon as you can. Please.")
    result = cli("validate", project_dir=project)
    assert errors(result) == [
        "sources/conditions/dvt.yaml:59:12: error: SMS for publisher 'uk-example' is 180 septets; one message "
        "holds 160 (shorten it by 20) (at /sms/message)",
        "sources/conditions/dvt.yaml:59:12: error: SMS for publisher 'us-default' is 175 septets; one message "
        "holds 160 (shorten it by 15) (at /sms/message)",
    ]


def test_sms_outside_gsm7_is_a_validation_error(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "Call your doctor today.\n", "Call your doctor today 🙂\n")
    result = cli("validate", project_dir=project)
    assert "outside GSM-7: '🙂' (U+1F642) (at /sms)" in errors(result)[0]
