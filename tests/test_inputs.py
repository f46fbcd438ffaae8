"""Inputs that used to slip through: each is a located error from validate, lint and build alike."""

from __future__ import annotations

import pytest

from conftest import edit_source, write_source
from pipeline.sources import OTHER_ENTRIES
from pipeline.validation import KINDS

DVT = "sources/conditions/dvt.yaml"
COMMANDS = ("validate", "lint", "build")


def errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if ": error: " in line]


def run_all(cli, project) -> dict[str, list[str]]:
    """Each command's error lines; every command must fail, and the build must write nothing."""
    found = {}
    for command in COMMANDS:
        result = cli(command, project_dir=project)
        assert result.exit_code == 1, (command, result.output)
        found[command] = errors(result)
    assert not (project / "outputs").exists()
    return found


def assert_everywhere(cli, project, expected: str) -> None:
    for command, lines in run_all(cli, project).items():
        assert expected in lines, (command, lines)


def test_a_5000_digit_number(cli, project):
    edit_source(project / DVT, "medical_name: Deep vein thrombosis", "medical_name: " + "9" * 5000)
    assert_everywhere(cli, project, "sources/conditions/dvt.yaml:5:15: error: number 99999999999999999999... "
                                    "(5000 characters) is out of range: numbers in sources must be between "
                                    "-9007199254740991 and 9007199254740991")


def test_an_infinite_float(cli, project):
    edit_source(project / DVT, "medical_name: Deep vein thrombosis", "medical_name: 1.0e+400")
    assert_everywhere(cli, project, "sources/conditions/dvt.yaml:5:15: error: number 1.0e+400 is out of range: "
                                    "numbers in sources must be between -9007199254740991 and 9007199254740991")


def test_a_bidi_override_in_patient_text(cli, project):
    edit_source(project / DVT, "medical_name: Deep vein thrombosis", "medical_name: Deep vein \u202esisobmorht")
    assert_everywhere(cli, project, "sources/conditions/dvt.yaml:5:25: error: invisible character U+202E "
                                    "RIGHT-TO-LEFT OVERRIDE is not allowed in sources: it changes how text is "
                                    "shown without being seen; delete it")


def test_a_zero_width_space(cli, project):
    edit_source(project / DVT, "medical_name: Deep vein thrombosis", "medical_name: Deep vein throm\u200bbosis")
    assert_everywhere(cli, project, "sources/conditions/dvt.yaml:5:30: error: invisible character U+200B "
                                    "ZERO WIDTH SPACE is not allowed in sources: it changes how text is shown "
                                    "without being seen; delete it")


def test_a_yml_file_is_refused_not_ignored(cli, project):
    (project / DVT).rename(project / "sources/conditions/dvt.yml")
    found = run_all(cli, project)
    message = ("sources/conditions/dvt.yml:1:1: error: rename it to 'dvt.yaml': sources are read only "
               "from .yaml files")
    for command, lines in found.items():
        assert message in lines, (command, lines)


def test_a_nested_folder_is_refused_not_ignored(cli, project):
    (project / "sources/conditions/archive").mkdir()
    (project / "sources/conditions/calf-strain.yaml").rename(project / "sources/conditions/archive/calf-strain.yaml")
    assert_everywhere(cli, project, "sources/conditions/archive:1:1: error: sub-folders are not read: "
                                    "sources/conditions/ holds .yaml files directly; move the files in "
                                    "'archive/' up into sources/conditions/")


def test_other_files_in_a_kind_folder_are_refused(cli, project):
    write_source(project, "sources/topics/notes.txt", "to do\n")
    assert_everywhere(cli, project, "sources/topics/notes.txt:1:1: error: not a source: sources/topics/ holds "
                                    "only .yaml files, one source each")


def test_an_unknown_entry_under_sources_is_named(cli, project):
    write_source(project, "sources/condition/extra.yaml", "slug: extra\n")
    lines = run_all(cli, project)["validate"]
    assert lines == ["sources/condition:1:1: error: 'condition' is not something sources/ holds (did you mean "
                     "'conditions'?); it may hold only: " + ", ".join(sorted(
                         [*KINDS, *OTHER_ENTRIES]))]


def test_a_top_level_yml_is_named(cli, project):
    (project / "sources/jargon.yaml").rename(project / "sources/jargon.yml")
    assert "did you mean 'jargon.yaml'?" in run_all(cli, project)["lint"][0]


def test_hidden_files_and_the_known_entries_are_accepted(cli, project):
    write_source(project, "sources/conditions/.dvt.yaml.swp", b"\x00swap")
    write_source(project, "sources/.DS_Store", b"\x00")
    for name in OTHER_ENTRIES:
        if name.endswith(".yaml"):
            if not (project / "sources" / name).exists():
                write_source(project, f"sources/{name}", "# read by its own step\n")
        elif name == "approvals":  # its own step checks what it holds: one folder per kind
            (project / "sources/approvals/conditions").mkdir(parents=True)
        else:
            write_source(project, f"sources/{name}/placeholder.txt", "read by its own step\n")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 0, result.output


def test_paths_narrow_stray_entries_like_sources(cli, project):
    write_source(project, "sources/topics/notes.yml", "slug: notes\n")
    narrowed = cli("validate", str(project / "sources/conditions"), project_dir=project)
    assert narrowed.exit_code == 0, narrowed.output
    wide = cli("validate", str(project / "sources/topics"), project_dir=project)
    assert errors(wide) == ["sources/topics/notes.yml:1:1: error: rename it to 'notes.yaml': sources are read "
                            "only from .yaml files"]


@pytest.mark.parametrize("decomposed", ["Cafe\u0301", "cre\u0300me"])
def test_decomposed_accents_count_as_gsm7(cli, project, decomposed):
    # é and è are GSM-7 characters; spelled as e + a combining accent they are not, unless
    # the text is NFC-normalised when it is loaded.
    edit_source(project / DVT, "message: A swollen, warm calf may be a clot.",
                f"message: A warm calf may be a clot ({decomposed}).")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 0, result.output
