"""`handouts serve`: a real browser sees an edit appear, and a broken source's error."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import copy_project, edit_source

pytestmark = pytest.mark.browser


def wait_for_line(process, pattern: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            time.sleep(0.05)
            continue
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match.group(0)
    raise AssertionError(f"no line matching {pattern!r} in: {''.join(seen)}")


def test_edits_appear_in_the_browser_and_errors_are_shown(tmp_path, chromium):
    from playwright.sync_api import expect

    project = copy_project(tmp_path / "p")
    # Web pages only: what this test looks at, rebuilt without laying out leaflets.
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", "0", "--format", "html",
                                "--project", str(project)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = wait_for_line(process, r"http://127\.0\.0\.1:\d+/")
        page = chromium.new_page()
        page.goto(url + "html/dvt.html")
        expect(page.locator(".summary")).to_contain_text("A blood clot can form")

        edit_source(project / "sources/conditions/dvt.yaml", "A blood clot can form", "A clot of blood can form")
        expect(page.locator(".summary")).to_contain_text("A clot of blood can form", timeout=60_000)
        wait_for_line(process, r"Rebuilt in")

        edit_source(project / "sources/conditions/dvt.yaml", "  - level: emergency", "  - level: emergncy")
        overlay = page.locator("#preview-errors")
        expect(overlay).to_contain_text("sources/conditions/dvt.yaml:37:12: error: 'emergncy' is not one of",
                                        timeout=60_000)
        # The last good version is still what is served.
        expect(page.locator(".summary")).to_contain_text("A clot of blood can form")
        assert "sources/conditions/dvt.yaml:37:12: error:" in wait_for_line(process, r".*dvt\.yaml:37:12: error:.*")
        page.close()
        assert "reload.js" not in (project / "outputs/html/dvt.html").read_text()  # never written to disk
        assert not (project / "outputs/pdf").exists()  # --format html: the leaflets are not built
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_broken_first_build_serves_the_errors_and_reloads_when_fixed(tmp_path, chromium):
    from playwright.sync_api import expect

    project = copy_project(tmp_path / "p")
    edit_source(project / "sources/conditions/dvt.yaml", "  - level: emergency", "  - level: emergncy")
    located = "sources/conditions/dvt.yaml:37:12: error: 'emergncy' is not one of"
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", "0", "--format", "html,catalogue",
                                "--project", str(project)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        said = []
        while not re.search(r"http://127\.0\.0\.1:\d+/", said[-1] if said else ""):
            line = process.stderr.readline()
            assert line, "serve stopped: " + "".join(said)
            said.append(line)
        url = re.search(r"http://127\.0\.0\.1:\d+/", said[-1]).group(0)
        # Nothing was ever built, so nothing "last good" is being served.
        assert "last good" not in "".join(said)
        assert "no outputs to serve yet" in "".join(said) and located in "".join(said)
        assert not (project / "outputs").exists()

        # Any address answers with the located errors, not a bare 404.
        for path in ("", "html/dvt.html"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(url + path, timeout=30)
            assert answer.value.code == 503
            page = answer.value.read().decode("utf-8")
            assert located in html.unescape(page) and '<script src="/__preview/reload.js"></script>' in page

        page = chromium.new_page()
        page.goto(url)
        expect(page.locator("h1")).to_have_text("Not built yet: the sources have errors")
        expect(page.locator("#preview-errors")).to_contain_text(located)
        expect(page.get_by_text("This page reloads by itself when the sources build.")).to_be_visible()

        edit_source(project / "sources/conditions/dvt.yaml", "  - level: emergncy", "  - level: emergency")
        # The page reloads by itself into the first good build.
        expect(page.locator("h1")).to_have_text("Handouts about pain behind the knee", timeout=120_000)
        expect(page.locator("#preview-errors")).to_have_count(0)
        page.close()
        wait_for_line(process, r"Rebuilt in")
    finally:
        process.terminate()
        process.wait(timeout=30)
