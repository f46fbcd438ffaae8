"""Release builds publish only approved, in-date items and name every other one at its line."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import REVIEWER, copy_built, edit_source, manifest, release_output
from pipeline.build import BuildOptions, build
from pipeline.diagnostics import SourceProblems
from pipeline.project import Project

TODAY = dt.date.today()


def approve(cli, project, *names, date: dt.date | None = None, next_review: dt.date | None = None,
            spanish: bool = False):
    options = ["--by", REVIEWER]
    if date:
        options += ["--date", date.isoformat()]
    if next_review:
        options += ["--next-review", next_review.isoformat()]
    result = cli("approve", *(names or ["--all"]), *options, project_dir=project)
    assert result.exit_code == 0, result.output
    if spanish:
        # The fixture's Spanish approved alike (by the same fictional reviewer), every item whose
        # translation is complete, so that a release publishes it too.
        translated = cli("approve", "--all", *options, "--locale", "es", project_dir=project)
        assert translated.exit_code == 0, translated.output
    return result


def test_release_refuses_drafts_with_a_list(cli, project):
    result = cli("build", "--release", project_dir=project)
    assert result.exit_code == 1
    assert "Release refused: these items are not ready to publish." in result.output
    assert ("sources/conditions/dvt.yaml:3:12: error: review-draft: KP-DVT is a draft: no clinician has "
            "approved it (run 'handouts review dvt', then the reviewer runs 'handouts approve dvt --by "
            "\"Name, credential\"') (at /reference)") in result.output
    assert "sources/guides/small-guide.yaml:3:12: error: review-draft: KP-GUIDE-SMALL is a draft" in result.output
    assert not (project / "outputs").exists()


def test_approve_then_release_builds_clean(fixture_released):
    """Every item approved, in English and Spanish: the release builds it all (the run's shared
    release build)."""
    assert "left out" not in release_output(fixture_released)
    out = fixture_released / "outputs"
    page = (out / "html/dvt.html").read_text(encoding="utf-8")
    assert "Draft" not in page and "draft" not in page
    assert f"Status: approved by Dr Test Example, MD, on" in page
    assert "Leaflet reference KP-DVT, version 1, published" in page
    paths = {a["path"] for a in manifest(out)["artifacts"]}
    assert {"html/dvt.html", "pdf/dvt.a4.pdf", "epub/small-guide.epub", "sms/dvt.txt", "html/tests.html",
            "es/html/dvt.html"} <= paths


def test_release_refuses_overdue_reviews(cli, project):
    approve(cli, project, date=TODAY - dt.timedelta(days=800), next_review=TODAY - dt.timedelta(days=1))
    with pytest.raises(SourceProblems) as refused:
        build(Project(project), BuildOptions(release=True, workers=1))
    found = {(d.path, d.line, d.column, d.rule) for d in refused.value.diagnostics}
    assert ("sources/conditions/dvt.yaml", 3, 12, "review-overdue") in found
    message = next(d.message for d in refused.value.diagnostics if d.path.endswith("dvt.yaml"))
    assert message == (f"KP-DVT version 1: clinical review was due on {TODAY - dt.timedelta(days=1)} "
                       f"(approved by Dr Test Example on {TODAY - dt.timedelta(days=800)})")


def test_release_leaves_out_what_changed_and_keeps_the_rest(cli, fixture_released, tmp_path):
    project = copy_built(fixture_released, tmp_path / "project")  # approved and released
    edit_source(project / "sources/conditions/dvt.yaml", "You have chest pain", "You have sudden chest pain")
    result = cli("build", "--release", "-j", "1", project_dir=project)
    assert result.exit_code == 1
    assert "Release: left out 2 item(s) that are not approved and in date:" in result.output
    assert (f"sources/conditions/dvt.yaml:3:12: error: review-changed: KP-DVT changed since clinical review on "
            f"{TODAY} (version 1) and is not yet re-reviewed") in result.output
    # The guide cannot go without its chapter, and says which one at the chapter's line.
    assert ("sources/guides/small-guide.yaml:9:16: error: review-chapter: chapter KP-DVT cannot be released "
            "(see sources/conditions/dvt.yaml), so neither can this guide") in result.output
    out = project / "outputs"
    paths = {a["path"] for a in manifest(out)["artifacts"]}
    assert "html/calf-strain.html" in paths and "pdf/calf-strain.a4.pdf" in paths
    assert not {p for p in paths if "dvt" in p or "small-guide" in p}
    assert not (out / "html/dvt.html").exists()
    # Pages that show the left-out item keep its title, without a link to a page not published.
    calf = (out / "html/calf-strain.html").read_text(encoding="utf-8")
    assert "<li>Blood clot in a deep vein (deep vein thrombosis, DVT)</li>" in calf
    assert 'href="dvt.html"' not in calf
    csv = (out / "sms/messages.csv").read_text(encoding="utf-8")
    assert "dvt" not in csv and "calf-strain" in csv
    # The incremental release equals a clean one: the pages that named the item left out were
    # rebuilt to name it without a link (failed before: they kept their links to the removed page).
    clean = cli("build", "--release", "-j", "1", "--format", "html", "--out", str(tmp_path / "clean"),
                project_dir=project)
    assert clean.exit_code == 1
    pages = {p.name: p.read_bytes() for p in (tmp_path / "clean/html").glob("*.html")}
    assert "calf-strain.html" in pages and {name: (out / "html" / name).read_bytes() for name in pages} == pages
    # Nothing changed: the next release says the same, without building anything.
    again = cli("build", "--release", "-j", "1", project_dir=project)
    assert again.exit_code == 1 and "review-changed: KP-DVT" in again.output
    state = json.loads((out / ".handouts/state.json").read_text())
    assert state["refused"]


def test_a_release_build_removes_earlier_draft_outputs(cli, prebuilt):
    project = prebuilt  # a draft build of everything
    assert (project / "outputs/html/dvt.html").exists()
    approve(cli, project, "calf-strain", "price-method")
    cli("build", "--release", "-j", "1", project_dir=project)
    assert not (project / "outputs/html/dvt.html").exists()
    assert (project / "outputs/html/calf-strain.html").exists()
    # The Spanish is not approved: its draft messages go too.
    assert (project / "outputs/sms/calf-strain.txt").exists() and not (project / "outputs/es/sms").exists()
