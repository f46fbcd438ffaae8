"""The hazard log page: every hazard, risk and control as text, linked from the catalogue."""

from __future__ import annotations

import re

from conftest import edit_source
from pipeline.build import BuildOptions, build
from pipeline.project import Project
from textfields import html_text

OPTIONS = BuildOptions(formats=("html", "hazard-log", "catalogue"), workers=1)


def built_page(project) -> tuple[str, str]:
    report = build(Project(project), OPTIONS)
    assert not report.failed
    out = project / "outputs"
    return (out / "html/hazard-log.html").read_text(encoding="utf-8"), (out / "index.html").read_text(encoding="utf-8")


def test_every_hazard_risk_and_control_is_on_the_page(project):
    page, _ = built_page(project)
    text = html_text(page)
    log = Project(project).library().hazard_log
    for hazard in log.hazards:
        for value in (f"{hazard.id}: {hazard.title}", hazard.description, hazard.cause, hazard.effect):
            assert value in text
        for control in hazard.controls:
            assert control.target in text
            if control.note:
                assert control.note in text
    # Risks in words as well as numbers, never by colour alone.
    assert "4 (high): catastrophic severity, medium likelihood. Unacceptable." in text
    assert "3 (medium): catastrophic severity, very low likelihood. Undesirable" in text
    # A red flag control shows the words it puts on every handout.
    assert 'Red flag: clot-in-lung ("You suddenly have trouble breathing")' in text
    assert '<html lang="en-US">' in page
    assert [int(level) for level in re.findall(r"<h([1-6])\b", page)][:3] == [1, 2, 2]


def test_the_catalogue_links_the_page(project):
    _, catalogue = built_page(project)
    assert re.search(r'<a href="html/hazard-log.html">[^<]*hazard log</a> \(\d+ KB\)', catalogue)


def test_log_text_is_shown_as_text(project):
    edit_source(project / "sources/hazard-log.yaml", "description: Text in a source is read as markup in a page.",
                'description: "<script>alert(1)</script> in a source"')
    page, _ = built_page(project)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; in a source" in page


def test_the_page_follows_the_log_and_the_flags_it_names(project):
    built_page(project)
    edit_source(project / "sources/red-flags/clot-in-lung.yaml", "text: You suddenly have trouble breathing",
                "text: You suddenly cannot catch your breath")
    report = build(Project(project), OPTIONS)
    assert "html/hazard-log.html" in {o.job.path for o in report.outcomes if o.status == "built"}
    assert "You suddenly cannot catch your breath" in (project / "outputs/html/hazard-log.html").read_text()


def test_no_log_no_page_and_no_link(project):
    (project / "sources/hazard-log.yaml").unlink()
    report = build(Project(project), OPTIONS)
    assert not report.failed
    assert not (project / "outputs/html/hazard-log.html").exists()
    assert "hazard-log.html" not in (project / "outputs/index.html").read_text(encoding="utf-8")
