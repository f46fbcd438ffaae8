"""Release builds refuse drafts and overdue reviews; approved, current content goes out."""

from __future__ import annotations

import datetime as dt
import shutil

import polib
import pytest

from conftest import edit_source
from pipeline.build import BuildOptions, build
from pipeline.diagnostics import SourceProblems
from pipeline.project import Project

TODAY = dt.date(2027, 3, 1)
# Test data only: real content never names an approver who did not approve it.
APPROVED = """review:
  status: approved
  last_reviewed: 2026-11-21
  next_review: 2027-11-21
  approved_by:
    name: Fixture Reviewer
    credential: MD
  approved_on: 2026-11-21"""
DRAFT = """review:
  status: draft
  last_reviewed: 2026-11-21
  next_review: 2027-11-21"""


def approve_everything(project):
    for path in (project / "sources").glob("*/*.yaml"):
        # Red flags are reviewed as part of each item that shows them; profiles and word lists are not content.
        if path.parent.name in ("conditions", "topics", "guides"):
            edit_source(path, DRAFT, APPROVED)


def test_release_refuses_drafts_with_a_list(cli, project):
    result = cli("build", "--release", project_dir=project)
    assert result.exit_code == 1
    assert "Release refused: these items are not ready to publish." in result.output
    assert ("sources/conditions/dvt.yaml:66:11: error: review-draft: a release cannot include drafts "
            "(at /review/status)") in result.output
    assert "sources/guides/small-guide.yaml:13:11: error: review-draft:" in result.output
    assert not (project / "outputs").exists()


def test_release_refuses_overdue_reviews(project):
    approve_everything(project)
    with pytest.raises(SourceProblems) as refused:
        build(Project(project), BuildOptions(release=True, today=dt.date(2028, 1, 1), workers=1))
    english = {(d.rule, d.message) for d in refused.value.diagnostics if not d.path.startswith("sources/locales/")}
    assert english == {("review-overdue", "review was due on 2027-11-21")}
    assert ("sources/conditions/dvt.yaml", 68, 16) in {(d.path, d.line, d.column) for d in refused.value.diagnostics}


def test_release_accepts_approved_current_content(project):
    approve_everything(project)
    # English only: no medical translator has approved the fixture's Spanish (see below).
    shutil.rmtree(project / "sources/locales")
    report = build(Project(project), BuildOptions(release=True, today=TODAY, workers=1))
    assert not report.failed
    page = (project / "outputs/html/dvt.html").read_text(encoding="utf-8")
    assert "Draft" not in page
    assert "Status: approved by Fixture Reviewer, MD, on November 21, 2026." in page


def test_release_refuses_unreviewed_and_fuzzy_translations_at_the_po_line(project):
    approve_everything(project)
    po_path = project / "sources/locales/es/conditions/dvt.po"
    edit_source(project / "sources/conditions/dvt.yaml", "  - Sometimes a fever", "  - Sometimes a fever or chills")
    po = polib.pofile(str(po_path), wrapwidth=79)
    # What 'handouts i18n extract' does to the entry whose English changed.
    item = next(e for e in po if e.msgctxt == "/symptoms/4")
    item.previous_msgid, item.msgid, item.flags = item.msgid, "Sometimes a fever or chills", ["fuzzy"]
    po.save(str(po_path))
    lines = po_path.read_text(encoding="utf-8").split("\n")
    line = next(i for i in range(lines.index('msgctxt "/symptoms/4"'), len(lines)) if lines[i].startswith("msgstr")) + 1
    with pytest.raises(SourceProblems) as refused:
        build(Project(project), BuildOptions(release=True, today=TODAY, workers=1))
    found = {(d.path, d.line, d.rule) for d in refused.value.diagnostics}
    assert found == {
        ("sources/locales/es/conditions/dvt.po", line, "translation-fuzzy"),
        ("sources/locales/es/conditions/calf-strain.po", 1, "translation-unreviewed"),
        ("sources/locales/es/topics/price-method.po", 1, "translation-unreviewed"),
        ("sources/locales/es/topics/tests.po", 1, "translation-unreviewed"),
        ("sources/locales/es/guides/small-guide.po", 1, "translation-unreviewed"),
        ("sources/locales/es/red-flags/clot-in-leg.po", 1, "translation-unreviewed"),
        ("sources/locales/es/red-flags/clot-in-lung.po", 1, "translation-unreviewed"),
    }
    assert not (project / "outputs").exists()
    # A publisher that does not publish in Spanish is not held back by it.
    report = build(Project(project), BuildOptions(publisher="uk-example", release=True, today=TODAY, workers=1))
    assert not report.failed
