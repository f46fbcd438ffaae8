"""SMS summaries: one GSM-7 segment each, sender first, emergency sign, page address last."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import ROOT
from pipeline.formats.sms import compose
from pipeline.sms_encoding import GSM7, encode
from real_sources import slugs


@pytest.mark.parametrize("publisher", slugs("publishers"))
@pytest.mark.parametrize("slug", slugs("conditions"))
def test_every_message_is_one_gsm7_segment(library, slug, publisher):
    pub = library.publishers[publisher]
    condition = library.for_publisher(pub).conditions[slug]
    message = compose(condition, pub)
    cost = encode(message)
    assert (cost.encoding, cost.segments) == (GSM7, 1), f"{cost.units} septets: {message}"
    assert message.startswith(f"{pub.sms_sender}: ")
    assert message.endswith(" " + pub.page_url(slug))
    if condition.care_block("emergency"):
        assert f"{condition.sms.emergency_sign}? Call {pub.emergency_number} now." in message


def test_files_match_the_composed_messages(built, library):
    us = library.publishers["us-default"]
    for slug, condition in library.conditions.items():
        assert (built / f"sms/{slug}.txt").read_text(encoding="utf-8") == compose(condition, us)


def test_table_for_bulk_sending(built, library):
    rows = list(csv.DictReader(io.StringIO((built / "sms/messages.csv").read_text(encoding="utf-8"))))
    assert [r["slug"] for r in rows] == list(library.conditions)
    dvt = next(r for r in rows if r["slug"] == "dvt")
    assert dvt["encoding"] == "GSM-7" and dvt["segments"] == "1" and dvt["status"] == "draft"
    assert dvt["locale"] == "en-US"
    assert int(dvt["septets"]) == len(dvt["message"])
    assert "Call 911 now." in dvt["message"]


def test_sms_command_prints_message_and_cost(cli):
    result = cli("sms", "dvt", "--publisher", "uk-example", project_dir=ROOT)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("KneeInfoUK: ") and lines[0].endswith("https://uk.knee.example/html/dvt.html")
    assert lines[1] == f"encoding: GSM-7, {len(lines[0])} septets, 1 segment"


def test_sms_command_unknown_slug(cli):
    result = cli("sms", "nope", project_dir=ROOT)
    assert result.exit_code == 1
    assert "error: no condition 'nope'" in result.output


# --- per locale (the fixture tree's Spanish translation) ---------------------------------------


def test_spanish_message_command(cli, project):
    result = cli("sms", "dvt", "--locale", "es", project_dir=project)
    assert result.exit_code == 0, result.output
    message, cost = result.output.splitlines()
    assert message == ("KneeInfo: Una pantorrilla hinchada y caliente puede ser un coágulo. Llame hoy a su médico. "
                       "¿Le cuesta respirar de pronto? Llame al 911 ahora. "
                       "https://knee.example/es/html/dvt.html")
    # á is outside GSM-7 (é and ¿ are in it): UCS-2, 67 characters a part.
    assert cost == f"encoding: UCS-2, {len(message)} UTF-16 units, 3 segments; UCS-2 forced by 'á'; budget 3"


def test_a_locale_the_publisher_does_not_have(cli, project):
    result = cli("sms", "dvt", "--locale", "es", "--publisher", "uk-example", project_dir=project)
    assert result.exit_code == 1
    assert "error: publisher 'uk-example' does not publish in 'es' (its locales: en-GB)" in result.output


def test_no_message_from_an_incomplete_translation(cli, project):
    from conftest import edit_source

    edit_source(project / "sources/conditions/dvt.yaml", "  - Sometimes a fever", "  - Sometimes a fever or chills")
    result = cli("sms", "dvt", "--locale", "es-US", project_dir=project)
    assert result.exit_code == 1
    assert "condition 'dvt' is not built in es-US: 1 of 33 texts not translated" in result.output
    assert "error: 'dvt' has no complete es-US translation, so it has no es-US message" in result.output


def test_the_spanish_budget_is_enforced_at_the_translation(cli, project):
    from conftest import edit_source

    edit_source(project / "sources/publishers/us-default.yaml", "sms_budget: {en-US: 1, es-US: 3}",
                "sms_budget: {en-US: 1, es-US: 2}")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    po = project / "sources/locales/es/conditions/dvt.po"
    lines = po.read_text(encoding="utf-8").split("\n")
    line = next(i for i in range(lines.index('msgctxt "/sms/message"'), len(lines)) if lines[i].startswith("msgstr")) + 1
    errors = [e for e in result.output.splitlines() if ": error: " in e]
    assert len(errors) == 2 and "calf-strain.po" in errors[0] and "'á' (U+00E1)" in errors[0]
    assert errors[1:] == [
        f"sources/locales/es/conditions/dvt.po:{line}:1: error: sms-budget: SMS for publisher 'us-default' in es-US is "
        "3 segments, 179 characters (UCS-2, forced by 'á' (U+00E1)); the budget is 2 (sms_budget in "
        "sources/publishers/us-default.yaml) (at /sms/message)"]


def test_the_sms_table_names_its_locale(project):
    from pipeline.formats import Job, RenderContext
    from pipeline.formats.sms import SmsFormat
    from pipeline.i18n import locale_build
    from pipeline.project import Project

    p = Project(project)
    spanish = locale_build(p, p.documents(), "us-default", "es-US").library
    ctx = RenderContext(spanish, spanish.publishers["us-default"], "2026-11-21T00:00:00+00:00")
    rows = list(csv.DictReader(io.StringIO(SmsFormat().render(Job("sms", "table", "es/sms/messages.csv"), ctx)
                                           .decode("utf-8"))))
    assert [(r["slug"], r["locale"], r["encoding"], r["segments"]) for r in rows] == [
        ("calf-strain", "es-US", "UCS-2", "3"), ("dvt", "es-US", "UCS-2", "3")]
    assert rows[1]["title"].startswith("Coágulo de sangre")
