"""Broken and hostile input, crashes mid-build, concurrent builds, reproducible bytes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import copy_project, edit_source, manifest, snapshot, write_source
from pipeline.loading import MAX_SOURCE_BYTES
from textfields import epub_text, html_text, pdf_text

HANDOUTS = [sys.executable, "-m", "pipeline"]
DVT = "sources/conditions/dvt.yaml"
HEADER = "# yaml-language-server: $schema=../../schemas/condition.schema.json\n"


def run(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*HANDOUTS, *args, "--project", str(project)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """A fixture project with a finished build, copied fresh for each test that breaks it."""
    base = copy_project(tmp_path_factory.mktemp("good"))
    result = run(base, "build", "-j", "1")
    assert result.returncode == 0, result.stderr
    return base


@pytest.fixture
def built_project(good_build, tmp_path):
    target = tmp_path / "p"
    subprocess.run(["cp", "-a", str(good_build), str(target)], check=True)
    return target


BAD_INPUTS = {
    # name: (file, content, expected located message)
    "yaml-syntax": ("sources/conditions/bad.yaml", HEADER + "slug: bad\ntitle: [oops\n",
                    "sources/conditions/bad.yaml:4:1: error: YAML syntax error: expected ',' or ']'"),
    "duplicate-key": ("sources/conditions/bad.yaml", HEADER + "slug: bad\nslug: again\n",
                      "sources/conditions/bad.yaml:3:1: error: duplicate key 'slug' (first defined at line 2)"),
    "object-tag": ("sources/conditions/bad.yaml", HEADER + "slug: !!python/object/new:os.system [echo hi]\n",
                   "sources/conditions/bad.yaml:2:7: error: YAML tag 'tag:yaml.org,2002:python/object/new:os.system' is not allowed"),
    "alias-bomb": ("sources/conditions/bad.yaml",
                   HEADER + "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                   + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                             for p, c in zip("abcdefgh", "bcdefghi")),
                   "sources/conditions/bad.yaml:3:8: error: YAML alias '*a' is not allowed in sources"),
    "invalid-utf8": ("sources/conditions/bad.yaml", HEADER.encode() + b"slug: b\xffad\n",
                     "sources/conditions/bad.yaml:2:8: error: invalid UTF-8 (byte 0xff)"),
    "byte-order-mark": ("sources/conditions/bad.yaml", b"\xef\xbb\xbf" + HEADER.encode() + b"slug: bad\n",
                        "sources/conditions/bad.yaml:1:1: error: file starts with a byte-order mark"),
    "control-character": ("sources/conditions/bad.yaml", HEADER + "slug: bad\ntitle: a\x1bb\n",
                          "sources/conditions/bad.yaml:3:9: error: control character U+001B is not allowed"),
    "oversized": ("sources/conditions/bad.yaml", HEADER + "slug: " + "x" * MAX_SOURCE_BYTES + "\n",
                  f"sources/conditions/bad.yaml:1:1: error: file is {len(HEADER) + 7 + MAX_SOURCE_BYTES} bytes; "
                  f"sources may be at most {MAX_SOURCE_BYTES} bytes"),
    "not-a-mapping": ("sources/conditions/bad.yaml", HEADER + "- slug\n- bad\n",
                      "sources/conditions/bad.yaml:2:1: error: top level must be a mapping of fields, not a list"),
    "empty": ("sources/conditions/bad.yaml", "", "sources/conditions/bad.yaml:1:1: error: file is empty"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_located_and_loses_nothing(built_project, name):
    relative, content, expected = BAD_INPUTS[name]
    before = snapshot(built_project / "outputs")
    write_source(built_project, relative, content)
    result = run(built_project, "build")
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(built_project / "outputs") == before


EDITS = {
    "slug-leaves-its-folder": ("slug: dvt", "slug: ../../etc/dvt",
                               "sources/conditions/dvt.yaml:2:7: error: '../../etc/dvt' is not in the expected form"),
    "reference-leaves-its-folder": ("conditions: [calf-strain]", "conditions: [../topics/tests]",
                                    "sources/conditions/dvt.yaml:55:16: error: '../topics/tests' is not in the expected form"),
    "sms-over-budget": ("message: A swollen, warm calf may be a clot. Call your doctor today.",
                        "message: A swollen, warm calf may be a blood clot in a deep vein. Call your doctor today please.",
                        "sources/conditions/dvt.yaml:58:12: error: SMS for publisher 'uk-example' is 177 septets"),
    "sms-outside-gsm7": ("Call your doctor today.\n", "Call your doctor today ✓\n",
                         "sources/conditions/dvt.yaml:58:3: error: SMS for publisher 'uk-example' has characters outside GSM-7: '✓' (U+2713)"),
    "link-scheme": ("    author: Jared S Ernest, PT\n", "    author: Jared S Ernest, PT\n    url: javascript:alert(1)\n",
                    "sources/conditions/dvt.yaml:63:10: error: 'javascript:alert(1)' is not"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_bad_values_are_located_and_lose_nothing(built_project, name):
    old, new, expected = EDITS[name]
    before = snapshot(built_project / "outputs")
    edit_source(built_project / DVT, old, new)
    result = run(built_project, "build")
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert snapshot(built_project / "outputs") == before


# --- hostile content is inert ----------------------------------------------------------------


class Listener:
    """Counts every connection made to a port on 127.0.0.1 while it runs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            self.connections += 1
            conn.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sock.close()


def hostile_strings(port: int) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}"
    return {
        "summary": f'<script>fetch("{url}/s")</script> Evil summary.',
        "symptom": f'<img src="{url}/i.png"> Hidden image',
        "what": f"![secret](/etc/hostname) and <a rel=\"attachment\" href=\"file:///etc/hostname\">x</a> and [link]({url}/m).",
        "step": f"<style>@import url({url}/c.css);</style> {{{{ 7*7 }}}} {{% raw %}} javascript:alert(1)",
        "test": f"<link rel=stylesheet href=\"{url}/l.css\"> <iframe src=\"{url}/f\"></iframe> &amp; done",
    }


def make_hostile(project: Path, port: int) -> dict[str, str]:
    strings = hostile_strings(port)
    path = project / DVT
    text = path.read_text(encoding="utf-8")
    text = text.replace("""summary: >-
  A blood clot can form in a deep vein of your leg, often in the vein behind the knee.
  It is serious, so get medical help the same day if you think you have one.""",
                        "summary: " + json.dumps(strings["summary"]))
    text = text.replace("  - Swelling in the leg", "  - " + json.dumps(strings["symptom"]))
    text = text.replace("  - The vein behind your knee is one of the most common places for a clot to form.",
                        "  - " + json.dumps(strings["what"]))
    text = text.replace("    - Call your doctor today, or get medical help now if you have any emergency sign.",
                        "    - " + json.dumps(strings["step"]))
    text = text.replace("    purpose: A blood test that helps your doctor check for a blood clot.",
                        "    purpose: " + json.dumps(strings["test"]))
    path.write_text(text, encoding="utf-8")
    return strings


def test_hostile_content_is_inert_in_every_format(tmp_path):
    project = copy_project(tmp_path / "hostile")
    with Listener() as listener:
        strings = make_hostile(project, listener.port)
        result = run(project, "build", "-j", "2")
        assert result.returncode == 0, result.stderr
        out = project / "outputs"
        page = (out / "html/dvt.html").read_text(encoding="utf-8")
        page_text = html_text(page)
        book = epub_text(out / "epub/small-guide.epub")
        for value in strings.values():
            assert value in page_text  # shown as text...
            assert value in book
        assert "<script>fetch" not in page and "<img src=\"http" not in page  # ...never as markup
        # The only such elements are our own stylesheet link and structured data.
        assert re.findall(r"<(?:script|img|iframe|link|style)\b[^>]*>", page) == [
            '<link rel="stylesheet" href="assets/site.css">', '<script type="application/ld+json">']
        with zipfile.ZipFile(out / "epub/small-guide.epub") as epub:
            chapters = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
            assert not re.search(r"<(script|iframe)\b|<img [^>]*src=\"(?!\.\./media/cover\.svg)", chapters)
            assert all(not n.endswith(("hostname", ".png")) for n in epub.namelist())
        for pdf in ("dvt.pdf", "dvt.letter.pdf", "dvt.large-print.pdf"):
            text = pdf_text(out / "pdf" / pdf)
            assert "<script>fetch(" in text and "![secret](/etc/hostname)" in text
            with pikepdf.open(out / "pdf" / pdf) as doc:
                assert "/EmbeddedFiles" not in doc.Root.get("/Names", {})
                assert "/AF" not in doc.Root
        time.sleep(0.3)
    assert listener.connections == 0


def test_hostile_page_makes_no_request_in_a_browser(tmp_path):
    from browser import launch
    from playwright.sync_api import sync_playwright

    project = copy_project(tmp_path / "hostile")
    with Listener() as listener:
        make_hostile(project, listener.port)
        assert run(project, "build", "--format", "html", "-j", "1").returncode == 0
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page()
            page.goto((project / "outputs/html/dvt.html").as_uri())
            page.wait_for_timeout(300)
            browser.close()
    assert listener.connections == 0


# --- crashes and concurrency -----------------------------------------------------------------


def hashes(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.rglob("*") if p.is_file() and ".handouts" not in p.parts
    }


def manifest_matches_files(out: Path) -> bool:
    listed = {a["path"]: a["sha256"] for a in manifest(out)["artifacts"]}
    files = hashes(out)
    files.pop("manifest.json")
    return listed == files


def processes_marked(marker: str) -> set[int]:
    """Live processes whose environment carries `marker`: a build started with it, and the
    fork server and workers it started, which inherit it. Other test runs on the same
    machine are not counted."""
    found = set()
    needle = f"HANDOUTS_TEST_MARK={marker}".encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and needle in (proc / "environ").read_bytes().split(b"\0"):
                found.add(int(proc.name))
        except OSError:
            continue
    return found


def test_killed_builds_leave_only_complete_files_and_the_next_build_repairs(built_project, tmp_path):
    marker = tmp_path.name
    out = built_project / "outputs"
    old = hashes(out)
    # A new timestamp changes every PDF, EPUB and page: the build rewrites almost everything.
    env = {"SOURCE_DATE_EPOCH": "1800000000", "HANDOUTS_TEST_MARK": marker}
    reference = tmp_path / "reference"
    assert run(built_project, "build", "-j", "1", "--out", str(reference), env=env).returncode == 0
    new = hashes(reference)
    for delay in (0.4, 0.8, 1.2, 1.6, 2.0, 2.5):
        process = subprocess.Popen([*HANDOUTS, "build", "-j", "2", "--project", str(built_project)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        for path, digest in hashes(out).items():
            # Each file is its complete old version or its complete new version; nothing else.
            assert digest in (old.get(path), new.get(path)), f"{path} is neither old nor new after kill at {delay}s"
        assert not [p for p in out.rglob("*.tmp") if ".handouts" not in p.parts]
    assert run(built_project, "build", "-j", "1", env=env).returncode == 0
    assert hashes(out) == new | {"manifest.json": hashes(out)["manifest.json"]}
    assert manifest_matches_files(out)
    assert not list((out / ".handouts").rglob("*.tmp"))
    # No fork server or worker of a killed build lives on.
    deadline = time.monotonic() + 10
    while processes_marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_marked(marker) == set()


def test_two_builds_at_once_do_not_corrupt_each_other(built_project):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1800000000"}
    processes = [subprocess.Popen([*HANDOUTS, "build", "-j", "1", "--project", str(built_project)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for _ in range(2)]
    results = [p.communicate(timeout=600) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    assert manifest_matches_files(built_project / "outputs")
    # They ran one after the other: at least one waited for the lock (each may wait once,
    # since the quick nothing-to-do check takes it too), and whichever came second found
    # every artifact already built by the first.
    assert any("Another build is using this output folder" in err for _, err in results)
    built_counts = sorted(int(re.search(r"^total\s+(\d+)", err, re.M).group(1)) for _, err in results)
    assert built_counts[0] == 0 and built_counts[1] > 0, results


# --- reproducible bytes ----------------------------------------------------------------------


@pytest.mark.parametrize("epoch", [None, "1790000000"])
def test_two_clean_builds_in_different_folders_are_byte_identical(tmp_path, epoch):
    env = {"SOURCE_DATE_EPOCH": epoch} if epoch else {}
    results = []
    for name in ("one", "two"):
        project = copy_project(tmp_path / name / "deeper" if name == "two" else tmp_path / name)
        base = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        completed = subprocess.run([*HANDOUTS, "build", "-j", "2", "--project", str(project)],
                                   capture_output=True, text=True, env={**base, **env}, timeout=600)
        assert completed.returncode == 0, completed.stderr
        results.append(hashes(project / "outputs"))
    assert results[0] == results[1]
    assert len(results[0]) > 20
