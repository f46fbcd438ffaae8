"""Review packs: every statement, the warning signs, lint findings, the diff, links and a sign-off."""

from __future__ import annotations

import re
import subprocess

from conftest import edit_source, snapshot
from pipeline.project import Project
from textfields import html_text
from test_release import approve

DVT = "sources/conditions/dvt.yaml"


def pdf_text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def test_first_review_pack_has_every_part(cli, prebuilt):
    result = cli("review", "dvt", project_dir=prebuilt)
    assert result.exit_code == 0, result.output
    out = prebuilt / "outputs"
    assert result.output.split() == [str(out / "review/dvt.html"), str(out / "review/dvt.pdf")]
    page = (out / "review/dvt.html").read_text(encoding="utf-8")
    text = html_text(page)
    dvt = Project(prebuilt).library().conditions["dvt"]
    # Every statement, by section, numbered so a reviewer can point at one.
    for statement in (dvt.summary, *dvt.what_it_is, *dvt.symptoms, *dvt.self_care_steps, *dvt.causes,
                      *(t.description for t in dvt.treatments), dvt.sms.message, "Tests your doctor may order"):
        assert statement in text, statement
    assert re.search(r"<h3 id=\"s-\d+\">\d+\. Signs and symptoms</h3>", page)
    assert re.search(r"Reading grade \d+\.\d · 5 sentences · average [\d.]+ words · longest \d+ words", text)
    # Warning signs with their basis: a shared red flag's from its file, the item's own from its sources.
    assert "Emergency: Call 911 or go to the emergency room now if:" in text
    flag = Project(prebuilt).library().red_flags["clot-in-leg"]
    assert (f'{flag.text} Shared warning sign "clot-in-leg" (sources/red-flags/clot-in-leg.yaml). Basis: '
            f"Seed article: {flag.basis[0].seed}") in text
    assert ("You have chest pain This item's own sign: its basis is the item's sources") in text
    assert "First review: there is no earlier approved version to compare with." in text
    assert "Status now: draft, never clinically approved." in text
    for href in ("../html/dvt.html", "../pdf/dvt.a4.pdf", "../pdf/dvt.large-print.letter.pdf"):
        assert f'href="{href}"' in page
        assert (out / "review" / href).resolve().is_file(), href  # the handouts were built first
    assert "Decision (tick one):" in text and "Name:" in text and "Credential:" in text
    assert re.search(r'handouts approve dvt --fingerprint sha256:[0-9a-f]{12} --by "Name, credential"', text)
    # Open lint findings name their line and rule.
    assert "None: the checks for plain language, care levels and governance pass." in text
    printed = pdf_text(out / "review/dvt.pdf")
    assert "Clinical review pack" in printed and dvt.what_it_is[0] in printed and "Sign-off" in printed
    assert "Page 1 of" in printed and "KP-DVT" in printed


def test_pack_shows_lint_findings_for_the_item(cli, prebuilt):
    edit_source(prebuilt / DVT, "A clot needs a doctor. While you get help, do these things.",
                "A clot needs a doctor, and while you are waiting at home for help to arrive you should calmly do these things.")
    assert cli("review", "dvt", project_dir=prebuilt).exit_code == 0
    text = html_text((prebuilt / "outputs/review/dvt.html").read_text(encoding="utf-8"))
    assert re.search(r"warning at line 26 \(sentence-length\): sentence of 2\d words; aim for 20 or fewer", text)
    assert "a sentence over 20 words: lint warning" in text


def test_pack_shows_the_diff_between_two_approved_versions(cli, prebuilt):
    approve(cli, prebuilt, "dvt")
    edit_source(prebuilt / DVT, "Sometimes a fever", "Sometimes a high temperature (fever)")
    edit_source(prebuilt / DVT, "  - Pain when the calf muscle is squeezed\n", "")
    # Before the second approval: what changed since version 1.
    assert cli("review", "dvt", project_dir=prebuilt).exit_code == 0
    text = html_text((prebuilt / "outputs/review/dvt.html").read_text(encoding="utf-8"))
    assert "Changes since version 1, approved on" in text
    approve(cli, prebuilt, "dvt")
    assert cli("review", "dvt", project_dir=prebuilt).exit_code == 0
    page = (prebuilt / "outputs/review/dvt.html").read_text(encoding="utf-8")
    text = html_text(page)
    assert re.search(r"Changes in version 2, approved on \S+ by Dr Test Example, MD, since version 1, approved on", text)
    assert "Status now: version 2 approved on" in text
    assert "<del>fever</del><ins>high temperature (fever)</ins>" in page
    assert "Signs and symptoms, statement removed:" in text and "<del>Pain when the calf muscle is squeezed</del>" in page
    printed = pdf_text(prebuilt / "outputs/review/dvt.pdf")
    assert "Changes in version 2" in printed and "high temperature (fever)" in printed


def test_review_pack_for_a_topic_and_a_guide(cli, prebuilt):
    assert cli("review", "tests", "small-guide", project_dir=prebuilt).exit_code == 0
    topic = html_text((prebuilt / "outputs/review/tests.html").read_text(encoding="utf-8"))
    assert "Common tests" in topic and "Warning signs" not in topic
    guide = html_text((prebuilt / "outputs/review/small-guide.html").read_text(encoding="utf-8"))
    assert "This guide holds two conditions and two topics." in guide
    assert "Caring for a strain at home: the PRICE method" in guide  # chapter titles are shown content


def test_review_packs_stay_out_of_the_manifest_and_survive_a_build(cli, prebuilt):
    assert cli("review", "dvt", project_dir=prebuilt).exit_code == 0
    manifest = (prebuilt / "outputs/manifest.json").read_text()
    assert "review/" not in manifest
    assert cli("build", "-j", "1", project_dir=prebuilt).exit_code == 0
    assert (prebuilt / "outputs/review/dvt.pdf").is_file()


def test_review_of_an_unknown_item_or_a_broken_source_writes_nothing(cli, prebuilt):
    result = cli("review", "nothing", project_dir=prebuilt)
    assert result.exit_code == 1 and "error: no condition, topic or guide 'nothing'" in result.output
    edit_source(prebuilt / DVT, "  - level: emergency", "  - level: emergncy")
    before = snapshot(prebuilt / "outputs") if (prebuilt / "outputs").exists() else {}
    result = cli("review", "dvt", project_dir=prebuilt)
    assert result.exit_code == 1 and "sources/conditions/dvt.yaml:37:12: error:" in result.output
    assert (snapshot(prebuilt / "outputs") if (prebuilt / "outputs").exists() else {}) == before


def test_pack_shows_the_publishers_words_and_diffs_the_source_text(cli, prebuilt_uk):
    project = prebuilt_uk
    approve(cli, project, "calf-strain")
    edit_source(project / "sources/conditions/calf-strain.yaml", "Rest your leg and avoid {sport}.",
                "Rest your leg and stop {sport} for now.")
    assert cli("review", "calf-strain", "--publisher", "uk-example", project_dir=project).exit_code == 0
    page = (project / "outputs/review/calf-strain.html").read_text(encoding="utf-8")
    assert "{" not in html_text(page).replace("{{", "")
    assert "A physiotherapist can help you" in page
    # Only the words the editor changed are marked, not the publisher's fill.
    assert "Rest your leg and <del>avoid</del><ins>stop</ins> " in page
    assert "<del>sport.</del><ins>sport for now.</ins>" in page  # the UK word, in both versions
