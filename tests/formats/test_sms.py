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
