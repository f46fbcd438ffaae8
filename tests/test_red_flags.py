"""Shared red flags: defined once, resolved into every care block and SMS, checked at the line."""

from __future__ import annotations

import pytest

from conftest import edit_source
from pipeline.build import BuildOptions, build
from pipeline.formats.sms import compose
from pipeline.project import Project
from textfields import epub_text, html_text, pdf_text

DVT = "sources/conditions/dvt.yaml"
CALF = "sources/conditions/calf-strain.yaml"
LUNG = "sources/red-flags/clot-in-lung.yaml"


def errors(cli, project) -> list[str]:
    result = cli("validate", project_dir=project)
    return [line for line in result.output.splitlines() if ": error: " in line]


def test_flag_texts_come_first_then_the_conditions_own_signs(project):
    library = Project(project).library()
    dvt = library.conditions["dvt"]
    emergency = dvt.care_block("emergency")
    assert emergency.signs == ("You suddenly have trouble breathing", "You have chest pain")
    assert emergency.red_flags == ("clot-in-lung",)
    # A block of flags only, as calf strain's emergency block is.
    assert library.conditions["calf-strain"].care_block("emergency").signs == ("You suddenly have trouble breathing",)
    assert dvt.sms.red_flag == "clot-in-lung"
    assert dvt.sms.emergency_sign == "Sudden trouble breathing"  # the flag's sms, capitalised
    assert "Sudden trouble breathing? Call 911 now." in compose(dvt, library.publishers["us-default"])


def test_a_flags_web_basis_is_named_among_the_sources(project):
    library = Project(project).library()
    for slug in ("dvt", "calf-strain"):
        sources = library.conditions[slug].sources
        assert sources[-1].url == "https://www.nhs.uk/conditions/deep-vein-thrombosis-dvt/"
        assert (sources[-1].author, sources[-1].title) == ("NHS", "Deep vein thrombosis (DVT)")
    # A condition that already lists the page does not list it twice.
    edit_source(project / DVT, "    author: Jared S Ernest, PT\n",
                "    author: Jared S Ernest, PT\n    url: https://www.nhs.uk/conditions/deep-vein-thrombosis-dvt/\n")
    urls = [s.url for s in Project(project).library().conditions["dvt"].sources]
    assert urls.count("https://www.nhs.uk/conditions/deep-vein-thrombosis-dvt/") == 1


def test_unknown_red_flag_is_located_with_a_suggestion(cli, project):
    edit_source(project / DVT, "    red_flags: [clot-in-lung]", "    red_flags: [clot-in-lungs]")
    assert errors(cli, project) == [
        "sources/conditions/dvt.yaml:38:17: error: unknown red flag 'clot-in-lungs': no file "
        "sources/red-flags/clot-in-lungs.yaml (did you mean 'clot-in-lung'?) (at /care/0/red_flags/0)",
        # ...and so the text message's flag is no longer one the leaflet shows.
        "sources/conditions/dvt.yaml:60:13: error: the SMS names red flag 'clot-in-lung', which is not in "
        "this condition's emergency care block (at /sms/red_flag)",
    ]


def test_a_flag_must_share_its_blocks_level(cli, project):
    edit_source(project / DVT, "    red_flags: [clot-in-leg]", "    red_flags: [clot-in-lung]")
    assert errors(cli, project) == [
        "sources/conditions/dvt.yaml:42:17: error: red flag 'clot-in-lung' is already in the emergency block "
        "(at /care/1/red_flags/0)",
    ]
    edit_source(project / LUNG, "level: emergency", "level: urgent")
    assert "sources/conditions/dvt.yaml:38:17: error: red flag 'clot-in-lung' is urgent; it cannot be in the " \
           "emergency block (at /care/0/red_flags/0)" in errors(cli, project)


def test_the_sms_names_an_emergency_flag_of_its_emergency_block(cli, project):
    edit_source(project / DVT, "  red_flag: clot-in-lung", "  red_flag: clot-in-leg")
    assert errors(cli, project) == [
        "sources/conditions/dvt.yaml:60:13: error: the SMS names red flag 'clot-in-leg', which is urgent; it must "
        "name an emergency flag (at /sms/red_flag)",
    ]
    edit_source(project / DVT, "  red_flag: clot-in-leg", "  red_flag: no-such-flag")
    assert errors(cli, project)[0].startswith(
        "sources/conditions/dvt.yaml:60:13: error: unknown red flag 'no-such-flag': no file")
    # An emergency flag this condition does not show cannot be its text message's warning.
    edit_source(project / DVT, "  red_flag: no-such-flag", "  red_flag: clot-in-lung")
    edit_source(project / CALF, "    red_flags: [clot-in-lung]\n", "    signs: [You faint]\n")
    assert errors(cli, project) == [
        "sources/conditions/calf-strain.yaml:59:13: error: the SMS names red flag 'clot-in-lung', which is not in "
        "this condition's emergency care block (at /sms/red_flag)",
    ]


def test_the_old_emergency_sign_key_is_refused(cli, project):
    edit_source(project / DVT, "  red_flag: clot-in-lung", "  emergency_sign: Chest pain or trouble breathing")
    assert errors(cli, project) == [
        "sources/conditions/dvt.yaml:60:3: error: unknown field 'emergency_sign' "
        "(at /sms/emergency_sign)",
    ]


def test_a_block_needs_flags_or_signs(cli, project):
    edit_source(project / CALF, "  - level: emergency\n    red_flags: [clot-in-lung]\n", "  - level: emergency\n")
    assert "sources/conditions/calf-strain.yaml:38:5: error: needs 'red_flags' or 'signs' (at /care/0)" \
        in errors(cli, project)


def test_the_id_is_the_file_name(cli, project):
    edit_source(project / LUNG, "id: clot-in-lung", "id: lung-clot")
    assert errors(cli, project) == [
        "sources/red-flags/clot-in-lung.yaml:2:5: error: id 'lung-clot' must match the file name "
        "'clot-in-lung.yaml' (at /id)",
    ]


@pytest.mark.parametrize("basis, expected", [
    ("basis: []\n", "[] should be non-empty (at /basis)"),
    ("basis:\n  - publisher: NHS\n    title: Deep vein thrombosis (DVT)\n    consulted: 2026-11-22\n",
     "missing required field 'url' (at /basis/0)"),
    ("basis:\n  - publisher: A blog\n    title: Clots\n    url: https://blog.example/clots\n    consulted: 2026-11-22\n",
     "'A blog' is not one of ['NHS', 'NICE CKS', 'NICE', 'MedlinePlus'] (at /basis/0/publisher)"),
    ("basis:\n  - seed: an-article-we-never-read\n",
     "'an-article-we-never-read' is not one of ['knee-pain-article-1', 'knee-pain-article-2'] (at /basis/0/seed)"),
])
def test_every_flag_records_its_basis(cli, project, basis, expected):
    path = project / LUNG
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("basis:")] + basis, encoding="utf-8")
    found = errors(cli, project)
    assert len(found) == 1 and found[0].startswith("sources/red-flags/clot-in-lung.yaml:") and found[0].endswith(expected)


def test_a_seed_is_basis_enough(cli, project):
    path = project / LUNG
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("basis:")] + "basis:\n  - seed: knee-pain-article-1\n", encoding="utf-8")
    assert errors(cli, project) == []


def test_changing_a_flag_changes_every_handout_that_uses_it_in_every_format(prebuilt):
    """The conref promise: one edit, every condition that names the flag, every format."""
    project = prebuilt  # built once already
    out = project / "outputs"
    edit_source(project / LUNG, "text: You suddenly have trouble breathing",
                "text: You suddenly feel breathless or your lips turn blue")
    edit_source(project / LUNG, "sms: sudden trouble breathing", "sms: breathless or blue lips")
    report = build(Project(project), BuildOptions(workers=2))
    assert not report.failed
    rebuilt = {o.job.path for o in report.outcomes if o.status == "built"}
    new_text, new_sms = "You suddenly feel breathless or your lips turn blue", "Breathless or blue lips? Call 911 now."
    book = epub_text(out / "epub/small-guide.epub")
    assert new_text in book and "You suddenly have trouble breathing" not in book
    for slug in ("dvt", "calf-strain"):  # both name clot-in-lung
        assert new_text in html_text((out / f"html/{slug}.html").read_text(encoding="utf-8"))
        for pdf in (f"{slug}.a4.pdf", f"{slug}.letter.pdf", f"{slug}.large-print.a4.pdf", f"{slug}.large-print.letter.pdf"):
            assert new_text in pdf_text(out / "pdf" / pdf), pdf
        assert new_sms in (out / f"sms/{slug}.txt").read_text(encoding="utf-8")
        assert {f"html/{slug}.html", f"pdf/{slug}.a4.pdf", f"sms/{slug}.txt"} <= rebuilt
    assert new_sms in (out / "sms/messages.csv").read_text(encoding="utf-8")
    # A page that shows no red flag is left alone.
    assert "html/price-method.html" not in rebuilt
