"""Translation catalogues: extract, status, and what validate and lint find in them.

The fixture tree carries a complete Spanish translation (sources/locales/es/); each test
edits a copy of it.
"""

from __future__ import annotations

import json
import shutil

import polib
import pytest

from conftest import edit_source
from pipeline.project import Project, lint_project

DVT_PO = "sources/locales/es/conditions/dvt.po"
DVT = "sources/conditions/dvt.yaml"


def entry(project, relative: str, pointer: str) -> polib.POEntry:
    po = polib.pofile(str(project / relative))
    return next(e for e in po if e.msgctxt == pointer)


def set_translation(project, relative: str, pointer: str, msgstr: str, *, fuzzy: bool | None = None) -> None:
    po = polib.pofile(str(project / relative), wrapwidth=78)
    item = next(e for e in po if e.msgctxt == pointer and not e.obsolete)
    item.msgstr = msgstr
    if fuzzy is not None:
        item.flags = ["fuzzy"] if fuzzy else []
    po.save(str(project / relative))


def line_of(project, relative: str, pointer: str, keyword: str = "msgstr") -> int:
    """The line of an entry's msgstr (or msgid) in a PO file, found by reading the text."""
    lines = (project / relative).read_text(encoding="utf-8").split("\n")
    start = lines.index(f'msgctxt "{pointer}"')
    return next(i for i in range(start, len(lines)) if lines[i].startswith(keyword + " ")) + 1


def errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if ": error: " in line]


def warnings(result) -> list[str]:
    return [line for line in result.output.splitlines() if ": warning: " in line]


def status_rows(cli, project, *args) -> dict[str, dict]:
    result = cli("i18n", "status", "--format", "json", *args, project_dir=project)
    assert result.exit_code == 0, result.output
    return {row["path"]: row for row in json.loads(result.output)["catalogues"]}


# --- extract and status -------------------------------------------------------------------------


def test_fixture_translation_is_complete_and_current(cli, project):
    rows = status_rows(cli, project)
    assert set(rows) == {
        "sources/locales/es/conditions/calf-strain.po", "sources/locales/es/conditions/dvt.po",
        "sources/locales/es/topics/price-method.po", "sources/locales/es/topics/tests.po",
        "sources/locales/es/guides/small-guide.po", "sources/locales/es/publishers/us-default.po",
        "sources/locales/es/red-flags/clot-in-leg.po", "sources/locales/es/red-flags/clot-in-lung.po",
        "sources/locales/es/interface.po",
    }
    for row in rows.values():
        assert row["locale"] == "es" and row["exists"]
        assert row["translated"] == row["entries"] > 0
        assert row["fuzzy"] == row["untranslated"] == row["reviewed"] == 0
    before = {p: p.read_bytes() for p in (project / "sources/locales").rglob("*.po")}
    result = cli("i18n", "extract", project_dir=project)
    assert result.exit_code == 0 and "9 catalogues: 0 written, 9 unchanged" in result.output
    assert {p: p.read_bytes() for p in (project / "sources/locales").rglob("*.po")} == before


def test_extract_creates_one_entry_per_translatable_field(cli, project):
    shutil.rmtree(project / "sources/locales")
    result = cli("i18n", "extract", "--locale", "es-US", project_dir=project)
    assert result.exit_code == 0, result.output
    assert "created sources/locales/es/conditions/dvt.po" in result.output
    # The UK profile publishes in English only: its wording is not offered for translation.
    assert not (project / "sources/locales/es/publishers/uk-example.po").exists()
    po = polib.pofile(str(project / DVT_PO))
    assert po.metadata["Language"] == "es" and po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    contexts = [e.msgctxt for e in po]
    assert contexts[:3] == ["/title", "/medical_name", "/summary"]
    assert "/care/0/signs/0" in contexts and "/sms/message" in contexts
    # Identifiers, levels, dates, addresses, references and bibliographic records stay out.
    for never in ("/slug", "/level", "/review", "/sources", "/related", "/chapters", "/red_flag"):
        assert not [c for c in contexts if never in c], never
    item = next(e for e in po if e.msgctxt == "/care/0/signs/0")
    assert item.msgid == "You have chest pain" and item.msgstr == ""
    assert item.occurrences == [(DVT, "40")]
    publisher = polib.pofile(str(project / "sources/locales/es/publishers/us-default.po"))
    assert [e.msgctxt for e in publisher] == ["/care_headings/emergency", "/care_headings/urgent",
                                              "/care_headings/routine", "/terms/physio", "/terms/physiotherapy",
                                              "/terms/emergency_room", "/terms/sport", "/feedback"]
    # Shared red flags are translated once, like any source; their basis is not.
    flag = polib.pofile(str(project / "sources/locales/es/red-flags/clot-in-lung.po"))
    assert [(e.msgctxt, e.msgid) for e in flag] == [("/text", "You suddenly have trouble breathing"),
                                                    ("/sms", "sudden trouble breathing")]
    rows = status_rows(cli, project, "--locale", "es")
    assert rows[DVT_PO]["untranslated"] == rows[DVT_PO]["entries"] == len(po)


def test_an_english_edit_makes_the_translation_fuzzy_with_the_old_english_kept(cli, project):
    edit_source(project / DVT, "  - Sometimes a fever", "  - Sometimes a high temperature (fever)")
    # Counted as fuzzy before anyone extracts...
    assert status_rows(cli, project)[DVT_PO]["fuzzy"] == 1
    # ...and validate says the catalogue is behind, at the entry's msgid.
    result = cli("validate", project_dir=project)
    assert result.exit_code == 0
    assert warnings(result) == [
        f"{DVT_PO}:{line_of(project, DVT_PO, '/symptoms/4', 'msgid')}:1: warning: the English of /symptoms/4 "
        "changed since this entry was extracted; run 'handouts i18n extract' (the translation becomes fuzzy) "
        "(at /symptoms/4)"]
    result = cli("i18n", "extract", project_dir=project)
    assert f"updated {DVT_PO}" in result.output
    item = entry(project, DVT_PO, "/symptoms/4")
    assert item.fuzzy and item.msgid == "Sometimes a high temperature (fever)"
    assert item.previous_msgid == "Sometimes a fever" and item.msgstr == "A veces, fiebre"
    # A second edit keeps the English the translation was made from.
    edit_source(project / DVT, "  - Sometimes a high temperature (fever)", "  - Sometimes a fever or chills")
    cli("i18n", "extract", project_dir=project)
    item = entry(project, DVT_PO, "/symptoms/4")
    assert item.fuzzy and item.previous_msgid == "Sometimes a fever" and item.msgid == "Sometimes a fever or chills"
    assert status_rows(cli, project)[DVT_PO]["fuzzy"] == 1


def test_a_removed_field_becomes_obsolete_and_comes_back(cli, project):
    edit_source(project / DVT, "  - Sometimes a fever\n", "")
    result = cli("validate", project_dir=project)
    assert any("msgctxt '/symptoms/4' is no longer a translatable field of sources/conditions/dvt.yaml" in w
               for w in warnings(result))
    cli("i18n", "extract", project_dir=project)
    text = (project / DVT_PO).read_text(encoding="utf-8")
    assert '#~ msgctxt "/symptoms/4"\n#~ msgid "Sometimes a fever"\n#~ msgstr "A veces, fiebre"' in text
    assert status_rows(cli, project)[DVT_PO]["fuzzy"] == 0
    # Put back, the old translation is found again.
    edit_source(project / DVT, "  - Pain when the calf muscle is squeezed\n",
                "  - Pain when the calf muscle is squeezed\n  - Sometimes a fever\n")
    cli("i18n", "extract", project_dir=project)
    item = entry(project, DVT_PO, "/symptoms/4")
    assert item.msgstr == "A veces, fiebre" and not item.fuzzy and not item.obsolete


def test_a_moved_text_keeps_its_translation(cli, project):
    edit_source(project / DVT, "  - Swelling in the leg\n", "  - Your leg feels heavy\n  - Swelling in the leg\n")
    cli("i18n", "extract", project_dir=project)
    new, moved = entry(project, DVT_PO, "/symptoms/0"), entry(project, DVT_PO, "/symptoms/1")
    assert (new.msgid, new.msgstr, new.fuzzy) == ("Your leg feels heavy", "", False)
    assert (moved.msgid, moved.msgstr, moved.fuzzy) == ("Swelling in the leg", "Hinchazón en la pierna", False)


def obsolete(project, relative: str) -> dict[tuple[str, str], polib.POEntry]:
    po = polib.pofile(str(project / relative))
    return {(e.msgctxt, e.msgid): e for e in po.obsolete_entries()}


def test_a_deleted_list_item_keeps_its_translation_as_obsolete_while_the_rest_move_up(cli, project):
    # /symptoms/2..4 become /symptoms/1..3: the field /symptoms/1 still exists, with other English.
    history = len(obsolete(project, DVT_PO))
    edit_source(project / DVT, "  - Cramping or sore pain in the calf\n", "")
    result = cli("i18n", "extract", project_dir=project)
    assert result.exit_code == 0 and f"updated {DVT_PO}" in result.output
    moved = [(e.msgid, e.msgstr, e.fuzzy) for e in (entry(project, DVT_PO, f"/symptoms/{i}") for i in range(1, 4))]
    assert moved == [("Red or blue skin that feels warm", "Piel roja o azulada que se siente caliente", False),
                     ("Pain when the calf muscle is squeezed", "Dolor al apretar el músculo de la pantorrilla", False),
                     ("Sometimes a fever", "A veces, fiebre", False)]
    gone = obsolete(project, DVT_PO)[("/symptoms/1", "Cramping or sore pain in the calf")]
    assert gone.msgstr == "Dolor como un calambre en la pantorrilla" and not gone.fuzzy
    # History is no problem for validate or lint, counted as obsolete and not as an entry.
    result = cli("validate", project_dir=project)
    assert result.exit_code == 0 and not errors(result) and not warnings(result), result.output
    assert not [line for line in cli("lint", project_dir=project).output.splitlines() if DVT_PO in line]
    row = status_rows(cli, project)[DVT_PO]
    assert (row["entries"], row["translated"], row["fuzzy"], row["obsolete"]) == (32, 32, 0, history + 1)
    assert "0 written, 9 unchanged" in cli("i18n", "extract", project_dir=project).output
    # Put back (anywhere), the translation is found again and leaves the history.
    edit_source(project / DVT, "  - Sometimes a fever\n", "  - Sometimes a fever\n  - Cramping or sore pain in the calf\n")
    cli("i18n", "extract", project_dir=project)
    item = entry(project, DVT_PO, "/symptoms/4")
    assert (item.msgstr, item.fuzzy) == ("Dolor como un calambre en la pantorrilla", False)
    assert ("/symptoms/1", "Cramping or sore pain in the calf") not in obsolete(project, DVT_PO)


def test_an_edited_text_that_moved_is_fuzzy_with_its_own_translation(cli, project):
    # The item before it is deleted and it is edited: its translation, not its new neighbour's
    # old one, is offered; the deleted item's translation is kept as obsolete.
    edit_source(project / DVT, "  - Pain when the calf muscle is squeezed\n", "")
    edit_source(project / DVT, "  - Sometimes a fever", "  - Sometimes a high fever")
    cli("i18n", "extract", project_dir=project)
    item = entry(project, DVT_PO, "/symptoms/3")
    assert (item.msgid, item.msgstr, item.fuzzy, item.previous_msgid) == (
        "Sometimes a high fever", "A veces, fiebre", True, "Sometimes a fever")
    gone = obsolete(project, DVT_PO)
    assert gone[("/symptoms/3", "Pain when the calf muscle is squeezed")].msgstr == \
        "Dolor al apretar el músculo de la pantorrilla"
    assert ("/symptoms/4", "Sometimes a fever") not in gone  # it lives on, fuzzy, at /symptoms/3
    assert status_rows(cli, project)[DVT_PO]["fuzzy"] == 1


def test_a_field_replaced_in_place_offers_the_old_translation_and_keeps_none_twice(cli, project):
    edit_source(project / DVT, "  - Sometimes a fever", "  - You may feel hot and shivery")
    cli("i18n", "extract", project_dir=project)
    item = entry(project, DVT_PO, "/symptoms/4")
    assert (item.msgstr, item.fuzzy, item.previous_msgid) == ("A veces, fiebre", True, "Sometimes a fever")
    assert ("/symptoms/4", "Sometimes a fever") not in obsolete(project, DVT_PO)


def test_extract_writes_nothing_when_a_source_or_catalogue_is_broken(cli, project):
    before = (project / DVT_PO).read_bytes()
    edit_source(project / DVT, "medical_name: Deep vein thrombosis\n", "")
    edit_source(project / DVT, "  - Sometimes a fever", "  - Sometimes a fever or chills")
    result = cli("i18n", "extract", project_dir=project)
    assert result.exit_code == 1 and "missing required field 'medical_name'" in result.output
    assert (project / DVT_PO).read_bytes() == before
    edit_source(project / DVT, "title: Blood", "medical_name: Deep vein thrombosis\ntitle: Blood")
    tests_po = project / "sources/locales/es/topics/tests.po"
    tests_po.write_text(tests_po.read_text(encoding="utf-8").replace('msgstr "Pruebas comunes"', 'msgstr "Pruebas'),
                        encoding="utf-8")
    result = cli("i18n", "extract", project_dir=project)
    assert result.exit_code == 1 and "sources/locales/es/topics/tests.po:" in result.output
    assert (project / DVT_PO).read_bytes() == before


def test_status_text_table(cli, project):
    set_translation(project, DVT_PO, "/symptoms/4", "")
    set_translation(project, DVT_PO, "/symptoms/3", "Dolor al apretar", fuzzy=True)
    result = cli("i18n", "status", project_dir=project)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["locale", "catalogue", "entries", "translated", "fuzzy", "untranslated", "reviewed"]
    assert [line for line in lines if "dvt.po" in line][0].split() == ["es", DVT_PO, "33", "31", "1", "1", "0"]


# --- validate -------------------------------------------------------------------------------------


def test_the_fixture_catalogues_are_valid(cli, project):
    result = cli("validate", project_dir=project)
    assert result.exit_code == 0, result.output
    assert "21 files checked: 0 errors, 0 warnings" in result.output  # 12 sources, 9 catalogues


def test_placeholders_numbers_and_addresses_must_match_the_english(cli, project):
    edit_source(project / DVT, "  - Sometimes a fever", "  - Ask your {physio} about a fever")
    edit_source(project / DVT, "  - Swelling in the leg", "  - Swelling in the leg (see https://knee.example/dvt)")
    cli("i18n", "extract", project_dir=project)
    set_translation(project, DVT_PO, "/symptoms/4", "Pregunte a su fisioterapeuta por la fiebre", fuzzy=False)
    set_translation(project, DVT_PO, "/symptoms/0", "Hinchazón en la pierna (vea https://knee.example/es/dvt)",
                    fuzzy=False)
    set_translation(project, DVT_PO, "/care/0/signs/0", "Tiene dolor en el pecho: llame al 112")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    assert errors(result) == [
        f"{DVT_PO}:{line_of(project, DVT_PO, '/symptoms/0')}:1: error: translation: web addresses must match the "
        "English (missing https://knee.example/dvt; not in the English: https://knee.example/es/dvt) (at /symptoms/0)",
        f"{DVT_PO}:{line_of(project, DVT_PO, '/symptoms/4')}:1: error: translation: placeholders must match the "
        "English (missing {physio}) (at /symptoms/4)",
        f"{DVT_PO}:{line_of(project, DVT_PO, '/care/0/signs/0')}:1: error: translation: emergency numbers must "
        "match the English (not in the English: 112) (at /care/0/signs/0)",
    ]


def test_a_translation_must_fit_the_field_schema(cli, project):
    set_translation(project, DVT_PO, "/treatments/1/name", "Un filtro " + "muy " * 30 + "pequeño")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    [problem] = errors(result)
    assert problem.startswith(f"{DVT_PO}:{line_of(project, DVT_PO, '/treatments/1/name')}:1: error: ")
    assert "is too long" in problem and problem.endswith("(at /treatments/1/name)")


@pytest.mark.parametrize("damage, line, message", [
    (lambda t: t.replace('msgstr "Trombosis venosa profunda"', 'msgstr "Trombosis venosa profunda'), 23,
     "PO syntax error: expected msgctxt, msgid or msgstr"),
    (lambda t: t.replace('msgctxt "/medical_name"\n', 'msgctxt "/title"\n'), 20,
     "msgctxt '/title' is already used at line 14"),
    (lambda t: t.replace('msgctxt "/medical_name"\n', ''), 20, "every entry needs msgctxt"),
    (lambda t: t.replace('msgstr "Trombosis venosa profunda"', 'msgstr "Trombosis \\a venosa"'), 23,
     "PO syntax error"),
    (lambda t: t.replace('"Language: es\\n"', '"Language: fr\\n"'), 1, "the Language header says 'fr'"),
    (lambda t: t.replace('msgstr "Trombosis venosa profunda"', 'msgstr "Trombosis ve\u200bnosa profunda"'), 23,
     "invisible character U+200B ZERO WIDTH SPACE is not allowed in a translation"),
])
def test_a_malformed_catalogue_is_a_located_error(cli, project, damage, line, message):
    path = project / DVT_PO
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    [problem] = errors(result)
    assert problem.startswith(f"{DVT_PO}:{line}:1: error: {message}"), problem


def test_bad_bytes_in_a_catalogue_are_located(cli, project):
    path = project / DVT_PO
    data = path.read_bytes().replace("Trombosis venosa".encode(), b"Trombosis \xff venosa")
    path.write_bytes(data)
    result = cli("validate", project_dir=project)
    assert errors(result) == [f"{DVT_PO}:23:1: error: invalid UTF-8 (byte 0xff); save the catalogue as UTF-8"]


def test_catalogues_in_the_wrong_place_or_without_a_source(cli, project):
    shutil.copy(project / DVT_PO, project / "sources/locales/es/condition-typo.po")
    (project / "sources/locales/es/conditions/gone.po").write_bytes((project / DVT_PO).read_bytes())
    (project / "sources/locales/es-US/conditions").mkdir(parents=True)
    shutil.copy(project / DVT_PO, project / "sources/locales/es-US/conditions/dvt.po")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 0
    assert sorted(warnings(result)) == [
        "sources/locales/es-US/conditions/dvt.po:1:1: warning: 'es-US' is not a language to translate into "
        "(a lower-case language code such as 'es'; the sources are English)",
        "sources/locales/es/condition-typo.po:1:1: warning: not where a catalogue belongs: expected "
        "locales/<language>/<conditions|topics|guides|red-flags|publishers>/<slug>.po",
        "sources/locales/es/conditions/gone.po:1:1: warning: no source sources/conditions/gone.yaml for this catalogue",
    ]


def test_validate_paths_narrow_to_catalogues(cli, project):
    set_translation(project, DVT_PO, "/care/0/signs/0", "Llame al 112")
    result = cli("validate", str(project / "sources/locales"), project_dir=project)
    assert result.exit_code == 1 and "9 files checked: 1 error" in result.output
    result = cli("validate", str(project / "sources/topics"), project_dir=project)
    assert result.exit_code == 0 and "2 files checked: 0 errors" in result.output


# --- lint per locale ------------------------------------------------------------------------------


def findings(project, **kwargs):
    problems, _ = lint_project(Project(project), **kwargs)
    return [(d.severity, d.rule, d.path, d.line, d.message) for d in problems]


def test_the_fixture_translation_has_no_lint_errors(project):
    assert not [f for f in findings(project) if f[0] == "error"]


def test_spanish_sentence_length_is_located_at_the_msgstr(project):
    long = "La pierna " + " ".join(["le duele mucho"] * 8) + "."
    set_translation(project, DVT_PO, "/self_care/intro", long)
    found = [f for f in findings(project) if f[1] == "sentence-length" and f[2] == DVT_PO]
    assert found == [("error", "sentence-length", DVT_PO, line_of(project, DVT_PO, "/self_care/intro"),
                      f"sentence of 26 words; at most 25: '{long[:57]}...'")]


def test_spanish_reading_ease_uses_fernandez_huerta(project):
    set_translation(project, DVT_PO, "/what_it_is/1",
                    "La vascularización poplítea constituye una localización particularmente predispuesta "
                    "a la consolidación trombótica intravascular.")
    found = [f for f in findings(project) if f[1] == "reading-ease" and f[2] == DVT_PO and f[0] == "error"]
    assert len(found) == 1
    severity, rule, path, line, message = found[0]
    # The section is located at its first entry.
    assert line == line_of(project, DVT_PO, "/what_it_is/0")
    assert message.startswith("'What it is' reads at Fernández-Huerta ") and "INFLESZ" in message
    assert message.endswith("; at least 60 (use shorter words and sentences)")
    # English formulas never run on Spanish.
    assert not [f for f in findings(project) if f[1] == "reading-grade" and f[2].endswith(".po")]


def test_spanish_jargon_needs_a_plain_explanation(project):
    assert not [f for f in findings(project) if f[1] == "jargon"]
    set_translation(project, DVT_PO, "/title", "Trombosis venosa profunda (TVP)")
    found = [f for f in findings(project) if f[1] == "jargon"]
    assert found == [("error", "jargon", DVT_PO, line_of(project, DVT_PO, "/title"),
                      "'trombosis' is used without a plain explanation; on first use also say 'coágulo'")]


def test_spanish_care_headings_and_emergency_signs(project):
    publisher = "sources/locales/es/publishers/us-default.po"
    set_translation(project, publisher, "/care_headings/urgent", "Llame a su médico pronto si:")
    set_translation(project, DVT_PO, "/care/0/signs/0", "Tiene dolor en el pecho (vea www.example.org)")
    found = {(f[1], f[2], f[3]) for f in findings(project) if f[0] == "error"}
    assert ("care-heading", publisher, line_of(project, publisher, "/care_headings/urgent")) in found
    assert ("emergency-links", DVT_PO, line_of(project, DVT_PO, "/care/0/signs/0")) in found


def test_fuzzy_entries_warn_and_a_release_refuses_them_and_drafts(project):
    set_translation(project, DVT_PO, "/symptoms/3", "Dolor al apretar la pantorrilla", fuzzy=True)
    line = line_of(project, DVT_PO, "/symptoms/3")
    assert ("warning", "translation-fuzzy", DVT_PO, line,
            "fuzzy: the English changed since this was translated; check it and remove the fuzzy flag") in findings(project)
    released = findings(project, release=True)
    assert ("error", "translation-fuzzy", DVT_PO, line,
            "fuzzy: the English changed since this was translated; check it and remove the fuzzy flag") in released
    # Complete translations are drafts until a medical translator approves them.
    unreviewed = sorted(f[2] for f in released if f[1] == "translation-unreviewed")
    # (A shared red flag's translation is approved with each condition that shows it.)
    assert unreviewed == ["sources/locales/es/conditions/calf-strain.po", "sources/locales/es/guides/small-guide.po",
                          "sources/locales/es/topics/price-method.po", "sources/locales/es/topics/tests.po"]
    assert not [f for f in findings(project) if f[1] == "translation-unreviewed"]


# --- the interface strings ------------------------------------------------------------------------


def test_the_interface_template_is_in_step_with_the_code():
    from pipeline.interface import TEMPLATE, extract_messages, template_text

    messages = extract_messages()
    assert ("sms.emergency-line", "{sign}? Call {number} now.") in [(k, m) for k, m, _ in messages]
    assert TEMPLATE.read_text(encoding="utf-8") == template_text(messages), \
        "run 'handouts i18n extract' to refresh pipeline/messages/interface.pot"


def test_interface_translations_keep_placeholders_and_numbers(cli, project):
    interface = "sources/locales/es/interface.po"
    set_translation(project, interface, "sms.emergency-line", "¿{sign}? Llame al 911 ahora.")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    line = line_of(project, interface, "sms.emergency-line")
    assert errors(result) == [
        f"{interface}:{line}:1: error: translation: emergency numbers must match the English (not in the "
        "English: 911) (at sms.emergency-line)",
        f"{interface}:{line}:1: error: translation: placeholders must match the English (missing {{number}}) "
        "(at sms.emergency-line)",
    ]


def test_without_the_interface_strings_a_locale_is_not_built(project):
    from pipeline.i18n import locale_build

    from pipeline.interface import read_template

    (project / "sources/locales/es/interface.po").unlink()
    p = Project(project)
    build = locale_build(p, p.documents(), "us-default", "es-US")
    assert build.library is None
    strings = len(read_template())  # every interface string the code marks
    assert strings > 100
    assert [(n.path, n.message) for n in build.notices] == [
        ("sources/locales/es/interface.po",
         f"es-US is not built: {strings} of {strings} interface strings not translated (about.heading, "
         f"about.last-reviewed, about.next-review and {strings - 3} more)")]
    partial = locale_build(p, p.documents(), "us-default", "es-US", allow_partial=True).library
    assert "sms.emergency-line" in partial.wording.untranslated and len(partial.wording.untranslated) == strings
    assert partial.wording.pgettext("sms.emergency-line", "{sign}? Call {number} now.") == "{sign}? Call {number} now."


def test_a_placeholder_may_change_case_where_the_sentence_moves_it(cli, project):
    calf = "sources/locales/es/conditions/calf-strain.po"
    set_translation(project, calf, "/treatments/1/description",
                    "{Physio}: le puede ayudar a volver a caminar y a hacer {sport} sin riesgo.")
    assert cli("validate", project_dir=project).exit_code == 0
    set_translation(project, calf, "/treatments/1/description", "Le puede ayudar un {fisio}.")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    assert "placeholders must match the English (missing {physio}, {sport}; not in the English: {fisio})" \
        in result.output


# --- sign-off of translations -----------------------------------------------------------------


def test_an_approved_translation_counts_as_reviewed_until_its_words_change(cli, project):
    # Test data only: a fictional reviewer approves a temporary copy.
    result = cli("approve", "dvt", "--by", "Dr Test Example, MD", "--locale", "es", project_dir=project)
    assert result.exit_code == 0, result.output
    assert "Approved KP-DVT version 1 (es)" in result.output
    row = status_rows(cli, project)[DVT_PO]
    assert row["reviewed"] == row["translated"] == row["entries"]
    assert status_rows(cli, project)["sources/locales/es/topics/tests.po"]["reviewed"] == 0
    # The approval covers the exact words: a changed translation is unreviewed again.
    set_translation(project, DVT_PO, "/symptoms/4", "A veces hay fiebre")
    assert status_rows(cli, project)[DVT_PO]["reviewed"] == 0


def test_only_a_complete_translation_can_be_approved(cli, project):
    set_translation(project, DVT_PO, "/symptoms/4", "")
    result = cli("approve", "dvt", "--by", "Dr Test Example, MD", "--locale", "es-US", project_dir=project)
    assert result.exit_code == 1
    assert "error: no condition, topic or guide 'dvt' with a complete 'es' translation" in result.output
    assert not (project / "sources/approvals").exists()
