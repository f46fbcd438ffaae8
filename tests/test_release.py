"""Release builds refuse drafts and overdue reviews; approved, current content goes out."""

from __future__ import annotations

import datetime as dt

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
    assert {(d.rule, d.message) for d in refused.value.diagnostics} == {("review-overdue", "review was due on 2027-11-21")}
    assert ("sources/conditions/dvt.yaml", 68, 16) in {(d.path, d.line, d.column) for d in refused.value.diagnostics}


def test_release_accepts_approved_current_content(project):
    approve_everything(project)
    report = build(Project(project), BuildOptions(release=True, today=TODAY, workers=1))
    assert not report.failed
    page = (project / "outputs/html/dvt.html").read_text(encoding="utf-8")
    assert "Draft" not in page
    assert "Status: approved by Fixture Reviewer, MD, on November 21, 2026." in page
