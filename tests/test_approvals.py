"""Clinical sign-off: approvals bound to the exact content, derived status, the ledger, handouts."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import zipfile

import pytest

from conftest import edit_source
from pipeline.approvals import ledger_path
from pipeline.build import BuildOptions, build
from pipeline.fingerprint import content_of, fingerprint_of
from pipeline.project import Project
from pipeline.validation import add_years
from pipeline.worddiff import ADDED, REMOVED, SAME, diff, words
from test_release import REVIEWER, TODAY, approve

DVT = "sources/conditions/dvt.yaml"
TESTS = "sources/topics/tests.yaml"


def statuses(cli, project) -> dict[str, dict]:
    result = cli("status", "--format", "json", project_dir=project)
    assert result.exit_code == 0, result.output
    return {row["slug"]: row for row in json.loads(result.output)["items"]}


def fingerprints(project) -> dict[str, str]:
    library = Project(project).library()
    return {slug: fingerprint_of(content_of(item, library))
            for slug, item in {**library.conditions, **library.topics, **library.guides}.items()}


# --- the fingerprint ------------------------------------------------------------------------


def test_comment_layout_and_key_order_keep_the_approval(cli, project):
    approve(cli, project)
    before = fingerprints(project)
    path = project / DVT
    text = path.read_text(encoding="utf-8")
    # A comment, a folded paragraph broken at other places, a flow list as a block list, and
    # two fields swapped: the same content in another layout.
    text = text.replace("summary: >-\n  A blood clot can form in a deep vein of your leg, often in the vein behind the knee.\n"
                        "  It is serious,",
                        "# Reviewed wording: keep the same-day advice.\nsummary: >-\n  A blood clot can form in a deep vein of your\n"
                        "  leg, often in the vein behind the knee. It is serious,")
    text = text.replace("  conditions: [calf-strain]\n", "  conditions:\n    - calf-strain   # the other calf problem\n")
    title = re.search(r"^title: .*\n", text, re.M).group(0)
    text = text.replace(title, "").replace("medical_name:", title + "medical_name:")
    path.write_text(text, encoding="utf-8")
    assert cli("validate", project_dir=project).exit_code == 0
    assert fingerprints(project) == before
    assert {row["status"] for row in statuses(cli, project).values()} == {"approved"}


def test_an_edit_to_the_text_makes_it_changed_everywhere(cli, project):
    approve(cli, project)
    edit_source(project / DVT, "Swelling in the leg", "Swelling in one leg")
    rows = statuses(cli, project)
    assert rows["dvt"]["status"] == "changed" and rows["dvt"]["version"] == 2
    assert rows["dvt"]["approved_version"] == 1 and rows["dvt"]["reviewer"] == "Dr Test Example"
    # Only the item itself: the pages and the guide that show it show its title and summary.
    assert {slug for slug, row in rows.items() if row["status"] == "changed"} == {"dvt"}
    # DVT's own files, the guide it is a chapter of and every text message (the catalogue is
    # always built); the other leaflets are made the same way.
    for options in (BuildOptions(workers=1, only=("dvt", "small-guide")), BuildOptions(workers=1, formats=("sms",))):
        assert not build(Project(project), options).failed
    out = project / "outputs"
    notice = f"Changed since clinical review on {TODAY.strftime('%B')} {TODAY.day}, {TODAY.year}, not yet re-reviewed."
    page = (out / "html/dvt.html").read_text(encoding="utf-8")
    assert notice in page and "Draft:" not in page
    assert "Leaflet reference KP-DVT, version 2 (draft)" in page
    pdf_text = subprocess.run(["pdftotext", str(out / "pdf/dvt.a4.pdf"), "-"], capture_output=True, text=True).stdout
    assert notice in " ".join(pdf_text.split())
    with zipfile.ZipFile(out / "epub/small-guide.epub") as book:
        chapters = " ".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert notice in " ".join(chapters.split())
    catalogue = (out / "index.html").read_text(encoding="utf-8")
    assert f"Status: changed since clinical review on {notice.split(' on ', 1)[1].split(',')[0]}" in catalogue
    csv = (out / "sms/messages.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0] == "slug,locale,reference,version,title,message,encoding,septets,segments,status"
    assert next(line for line in csv if line.startswith("dvt,")).startswith("dvt,en-US,KP-DVT,2,")
    assert next(line for line in csv if line.startswith("dvt,")).endswith(",changed")


def test_an_edit_to_a_title_the_item_shows_makes_it_changed(cli, project):
    approve(cli, project)
    edit_source(project / TESTS, "title: Tests your doctor may order", "title: Tests your doctor may ask for")
    rows = statuses(cli, project)
    # The topic itself, the condition that links to it, and the guide with it as a chapter.
    assert {slug for slug, row in rows.items() if row["status"] == "changed"} == {"tests", "dvt", "small-guide"}
    result = cli("build", "--release", "-j", "1", project_dir=project)
    assert result.exit_code == 1
    assert "sources/conditions/dvt.yaml:3:12: error: review-changed: KP-DVT changed since clinical review" in result.output
    assert "sources/topics/tests.yaml:3:12: error: review-changed: KP-TESTS" in result.output


def test_an_edit_to_a_shared_red_flag_makes_every_item_showing_it_changed(cli, project):
    approve(cli, project)
    edit_source(project / "sources/red-flags/clot-in-leg.yaml", "text: Your calf is swollen, red or warm and it hurts",
                "text: Your calf or thigh is swollen, red or warm and it hurts")
    rows = statuses(cli, project)
    assert {slug for slug, row in rows.items() if row["status"] == "changed"} == {"dvt", "calf-strain"}
    result = cli("build", "--release", "-j", "1", project_dir=project)
    assert result.exit_code == 1
    for path, reference in ((DVT, "KP-DVT"), ("sources/conditions/calf-strain.yaml", "KP-CALF-STRAIN")):
        assert f"{path}:3:12: error: review-changed: {reference} changed since clinical review" in result.output


def test_one_approval_covers_every_publishers_words(cli, project):
    # calf-strain says {physio}: "physical therapist" in the US, "physiotherapist" in the UK.
    approve(cli, project, spanish=True)  # (the US release publishes the Spanish too)
    for publisher, word in (("us-default", "physical therapist"), ("uk-example", "physiotherapist")):
        out = project / publisher
        result = cli("build", "--release", "--publisher", publisher, "--out", str(out), "-j", "1",
                     "--format", "html", project_dir=project)
        assert result.exit_code == 0, result.output
        page = (out / "html/calf-strain.html").read_text(encoding="utf-8")
        assert word in page and "Status: approved by Dr Test Example, MD" in page


def test_an_edit_to_a_summary_the_item_shows_makes_it_changed_but_not_its_body(cli, project):
    approve(cli, project)
    edit_source(project / TESTS, "Each test shows a different part of\n  the problem.", "Each test shows a different part.")
    assert statuses(cli, project)["dvt"]["status"] == "changed"
    approve(cli, project)
    # The topic's body is not shown on the condition's page: editing it leaves the condition approved.
    edit_source(project / TESTS, "a picture of the bones in your knee joint", "a picture of the bones of your knee")
    rows = statuses(cli, project)
    assert rows["tests"]["status"] == "changed" and rows["dvt"]["status"] == "approved"


def test_fingerprint_covers_care_blocks_sources_and_sms(project):
    before = fingerprints(project)["dvt"]
    for old, new in (("You have chest pain", "You have chest pains"),
                     ("author: Jared S Ernest, PT", "author: Jared Ernest, PT"),
                     ("Call your doctor today.", "Call a doctor today.")):
        edit_source(project / DVT, old, new)
        after = fingerprints(project)["dvt"]
        assert after != before, old
        before = after


# --- approving ------------------------------------------------------------------------------


def test_approve_records_an_append_only_ledger(cli, project):
    result = approve(cli, project, "dvt")
    assert result.output.startswith(f"Approved KP-DVT version 1 (en) by Dr Test Example, MD on {TODAY}; next review ")
    path = ledger_path(project / "sources", "condition", "dvt")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/approvals.schema.json\n")
    # An editor's comment in the ledger survives the next approval.
    path.write_text(text.replace("approvals:\n", "approvals:\n  # First review, after the summer rewrite.\n"), encoding="utf-8")
    approve(cli, project, "dvt")  # unchanged content: a re-review keeps the version
    edit_source(project / DVT, "Sometimes a fever", "Sometimes a high temperature (fever)")
    approve(cli, project, "dvt")
    text = path.read_text(encoding="utf-8")
    assert "  # First review, after the summer rewrite.\n" in text
    assert re.findall(r"^  - version: (\d+)$", text, re.M) == ["1", "1", "2"]
    assert text.count("    reviewer:\n      name: Dr Test Example\n      credential: MD\n") == 3
    assert text.count(f"    date: {TODAY}\n") == 3
    assert cli("validate", project_dir=project).exit_code == 0


def test_approving_with_lint_errors_is_refused_at_the_line(cli, project):
    long = " ".join(["word"] * 26) + "."
    edit_source(project / DVT, "A clot needs a doctor. While you get help, do these things.", long)
    result = cli("approve", "dvt", "--by", REVIEWER, project_dir=project)
    assert result.exit_code == 1
    assert "Approval refused: fix these problems first; nothing was recorded." in result.output
    assert "sources/conditions/dvt.yaml:26:10: error: sentence-length: sentence of 26 words; at most 25" in result.output
    assert not (project / "sources/approvals").exists()
    # Another item's lint errors do not stop an approval of this one...
    approve(cli, project, "calf-strain")
    # ...but --all is all or nothing.
    result = cli("approve", "--all", "--by", REVIEWER, project_dir=project)
    assert result.exit_code == 1
    assert not ledger_path(project / "sources", "topic", "tests").exists()


def test_approving_with_validation_errors_is_refused(cli, project):
    edit_source(project / TESTS, "reference: KP-TESTS", "reference: KP-DVT")
    result = cli("approve", "calf-strain", "--by", REVIEWER, project_dir=project)
    assert result.exit_code == 1
    assert "sources/topics/tests.yaml:3:12: error: reference 'KP-DVT' is already used" in result.output
    assert not (project / "sources/approvals").exists()


@pytest.mark.parametrize("args, message", [
    (["dvt", "--by", "Dr Nobody"], "--by must be 'Name, credential'"),
    (["dvt", "--by", REVIEWER, "--date", "2999-01-01"], "is in the future"),
    (["dvt", "--by", REVIEWER, "--date", "2026-02-30"], "is not a date"),
    (["dvt", "--by", REVIEWER, "--next-review", "2099-01-01"], "at most 3 years after it"),
    (["nothing", "--by", REVIEWER], "no condition, topic or guide 'nothing'"),
    (["dvt", "--all", "--by", REVIEWER], "name the items to approve, or use --all (not both)"),
    (["dvt", "--by", REVIEWER, "--fingerprint", "sha256:00000000"], "has changed since the review pack was made"),
    (["dvt", "--by", REVIEWER, "--locale", "fr"], "nothing is translated into 'fr' that could be approved"),
])
def test_approve_refuses_bad_requests_and_records_nothing(cli, project, args, message):
    result = cli("approve", *args, project_dir=project)
    assert result.exit_code != 0
    assert message in result.output
    assert not (project / "sources/approvals").exists()


def test_approve_with_the_pack_fingerprint(cli, project):
    fingerprint = fingerprints(project)["dvt"]
    result = cli("approve", "dvt", "--fingerprint", fingerprint[:19], "--by", REVIEWER, project_dir=project)
    assert result.exit_code == 0, result.output


# --- the ledger -----------------------------------------------------------------------------


def test_a_ledger_edited_by_hand_is_a_located_error(cli, project):
    approve(cli, project, "dvt")
    path = ledger_path(project / "sources", "condition", "dvt")
    edit_source(path, '"You have chest pain"', '"You have chest pain or a cough"')
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    assert re.search(r"sources/approvals/conditions/dvt\.yaml:\d+:14: error: the stored content does not match "
                     r"the fingerprint: the ledger was edited by hand; restore it from git \(at /approvals/0/content\)",
                     result.output)
    edit_source(path, "  - version: 1", "  - version: 2")
    result = cli("validate", str(project / "sources/approvals"), project_dir=project)
    assert "sources/approvals/conditions/dvt.yaml:5:14: error: version 2 should be 1: versions go up by one each time new content is approved" \
        in result.output


def test_a_ledger_that_breaks_its_schema_names_the_field(cli, project):
    approve(cli, project, "dvt")
    path = ledger_path(project / "sources", "condition", "dvt")
    edit_source(path, "    locale: en\n", "    locale: en\n    approved: yes\n")
    result = cli("validate", project_dir=project)
    assert "sources/approvals/conditions/dvt.yaml:7:5: error: unknown field 'approved'" in result.output


def test_status_lists_every_item(cli, project):
    approve(cli, project, "dvt", date=TODAY - dt.timedelta(days=3))
    rows = statuses(cli, project)
    assert set(rows) == {"dvt", "calf-strain", "price-method", "tests", "small-guide"}
    assert rows["dvt"] == {
        "kind": "condition", "slug": "dvt", "reference": "KP-DVT", "source": DVT, "status": "approved",
        "version": 1, "approved_version": 1, "reviewer": "Dr Test Example", "credential": "MD",
        "approved_on": (TODAY - dt.timedelta(days=3)).isoformat(),
        "next_review": add_years(TODAY - dt.timedelta(days=3), 1).isoformat(),
        "last_reviewed": "2026-11-21",
    }
    assert rows["calf-strain"]["status"] == "draft" and rows["calf-strain"]["reviewer"] is None
    text = cli("status", project_dir=project).output
    assert re.search(r"^KP-DVT\s+approved\s+1\s+Dr Test Example, MD\s+", text, re.M)
    assert re.search(r"^KP-PRICE\s+draft\s+1\s+-\s+-\s+", text, re.M)


def test_overdue_is_derived_from_the_date(cli, project):
    approve(cli, project, "dvt", date=TODAY - dt.timedelta(days=800), next_review=TODAY - dt.timedelta(days=1))
    assert statuses(cli, project)["dvt"]["status"] == "overdue"
    result = cli("status", "--format", "json", "--today", (TODAY - dt.timedelta(days=2)).isoformat(), project_dir=project)
    assert {r["slug"]: r["status"] for r in json.loads(result.output)["items"]}["dvt"] == "approved"
    report = build(Project(project), BuildOptions(workers=1, formats=("html",)))
    page = (project / "outputs/html/dvt.html").read_text(encoding="utf-8")
    assert not report.failed and "Review overdue: this handout was due for clinical review on" in page


# --- handouts carry reference and version ---------------------------------------------------


def test_approved_handouts_carry_reference_version_and_reviewer(fixture_released):
    """Every item approved today and built (the run's shared release build)."""
    out = fixture_released / "outputs"
    page = (out / "html/dvt.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["identifier"] == "KP-DVT" and data["version"] == "1"
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr Test Example", "honorificSuffix": "MD"}
    assert data["lastReviewed"] == TODAY.isoformat() and data["dateModified"] == TODAY.isoformat()
    assert '<meta name="reviewed-by" content="Dr Test Example, MD">' in page
    info = subprocess.run(["pdfinfo", "-custom", str(out / "pdf/dvt.a4.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"^Keywords:\s+KP-DVT, version 1, approved$", info, re.M)
    assert re.search(r"^reference:\s+KP-DVT$", info, re.M) and re.search(r"^version:\s+1$", info, re.M)
    pdf_text = " ".join(subprocess.run(["pdftotext", str(out / "pdf/dvt.a4.pdf"), "-"],
                                       capture_output=True, text=True).stdout.split())
    assert "KP-DVT · version 1" in pdf_text and "Status: approved by Dr Test Example, MD, on" in pdf_text
    assert "Draft" not in pdf_text and "draft" not in pdf_text
    with zipfile.ZipFile(out / "epub/small-guide.epub") as book:
        opf = book.read(next(n for n in book.namelist() if n.endswith(".opf"))).decode()
    assert '<dc:identifier id="reference">KP-GUIDE-SMALL</dc:identifier>' in opf
    assert '<meta property="schema:version">1</meta>' in opf
    manifest = json.loads((out / "manifest.json").read_text())
    for artifact in manifest["artifacts"]:
        assert {"reference", "version", "status"} <= set(artifact)
    by_path = {a["path"]: a for a in manifest["artifacts"]}
    assert (by_path["pdf/dvt.large-print.a4.pdf"]["reference"], by_path["pdf/dvt.large-print.a4.pdf"]["version"]) == ("KP-DVT", 1)
    assert by_path["html/tests.html"]["reference"] == "KP-TESTS"
    assert by_path["epub/small-guide.epub"]["status"] == "approved"
    assert by_path["index.html"]["reference"] is None


def test_draft_handouts_carry_reference_and_version_too(project):
    build(Project(project), BuildOptions(workers=1, formats=("html", "sms")))
    page = (project / "outputs/html/calf-strain.html").read_text(encoding="utf-8")
    assert "Leaflet reference KP-CALF-STRAIN, version 1 (draft), published November 21, 2026." in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["identifier"] == "KP-CALF-STRAIN" and "version" not in data and "reviewedBy" not in data
    manifest = json.loads((project / "outputs/manifest.json").read_text())
    assert {(a["path"], a["version"], a["status"]) for a in manifest["artifacts"]
            if a["path"] == "sms/calf-strain.txt"} == {("sms/calf-strain.txt", 1, "draft")}


# --- the word diff --------------------------------------------------------------------------


def test_words_mark_what_was_kept_removed_and_added():
    assert words("Call your doctor today.", "Call a doctor today.") == (
        (SAME, "Call "), (REMOVED, "your"), (ADDED, "a"), (SAME, " doctor today."))


def test_diff_pairs_rewordings_and_lists_additions_and_removals():
    old = [("Symptoms", "Swelling"), ("Symptoms", "Pain"), ("Causes", "Surgery")]
    new = [("Symptoms", "Swelling in one leg"), ("Symptoms", "Pain"), ("Symptoms", "Fever"), ("Causes", "Surgery")]
    changes = diff(old, new)
    assert [(c.section, c.kind) for c in changes] == [("Symptoms", "changed"), ("Symptoms", "added")]
    assert changes[0].parts == ((SAME, "Swelling"), (ADDED, " in one leg"))
    assert diff(new, new) == []


def test_anything_but_a_ledger_under_approvals_is_named(cli, project):
    (project / "sources/approvals/conditions").mkdir(parents=True)
    (project / "sources/approvals/dvt.yaml").write_text("approvals: []\n")
    (project / "sources/approvals/conditions/dvt.yml").write_text("approvals: []\n")
    result = cli("validate", project_dir=project)
    assert result.exit_code == 1
    assert "sources/approvals/dvt.yaml:1:1: error: sources/approvals/ holds only the folders conditions, topics, " \
           "guides, one ledger per item" in result.output
    assert "sources/approvals/conditions/dvt.yml:1:1: error: not a ledger: sources/approvals/conditions/ holds " \
           "only <slug>.yaml files" in result.output


def test_diff_pairs_a_rewording_with_the_statement_it_rewords():
    old = [("Symptoms", "Pain when the calf muscle is squeezed"), ("Symptoms", "Sometimes a fever")]
    new = [("Symptoms", "Sometimes a high temperature (fever)")]
    assert [(c.kind, c.parts) for c in diff(old, new)] == [
        ("removed", ((REMOVED, "Pain when the calf muscle is squeezed"),)),
        ("changed", ((SAME, "Sometimes a "), (REMOVED, "fever"), (ADDED, "high temperature (fever)"))),
    ]
