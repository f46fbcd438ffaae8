"""Broken and hostile input, crashes mid-build, concurrent builds, reproducible bytes."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator

import pikepdf
import pytest

from conftest import copy_built, copy_project, edit_source, manifest, snapshot, write_source
from pipeline.atomic import KILL_SWITCH, exclusive_lock
from pipeline.build import STATE_DIR
from pipeline.loading import MAX_SOURCE_BYTES
from textfields import epub_text, html_text, pdf_text
from warm_cli import WarmCli

HANDOUTS = [sys.executable, "-m", "pipeline"]
DVT = "sources/conditions/dvt.yaml"
HEADER = "# yaml-language-server: $schema=../../schemas/condition.schema.json\n"


def run(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*HANDOUTS, *args, "--project", str(project)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


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


@pytest.fixture(scope="module")
def handouts():
    """`handouts` as a user runs it, each run a process of its own, forked from a warm one: the
    bad-input cases stop at the sources, so starting Python would be most of their time."""
    with WarmCli() as cli:
        yield cli


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_located_and_loses_nothing(prebuilt, handouts, name):
    relative, content, expected = BAD_INPUTS[name]
    before = snapshot(prebuilt / "outputs")
    write_source(prebuilt, relative, content)
    result = handouts.run("build", "--project", str(prebuilt))
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(prebuilt / "outputs") == before


EDITS = {
    "slug-leaves-its-folder": ("slug: dvt", "slug: ../../etc/dvt",
                               "sources/conditions/dvt.yaml:2:7: error: '../../etc/dvt' is not in the expected form"),
    "reference-leaves-its-folder": ("conditions: [calf-strain]", "conditions: [../topics/tests]",
                                    "sources/conditions/dvt.yaml:56:16: error: '../topics/tests' is not in the expected form"),
    "sms-over-budget": ("message: A swollen, warm calf may be a clot. Call your doctor today.",
                        "message: A swollen, warm calf may be a blood clot in a deep vein. Call your doctor today please.",
                        "sources/conditions/dvt.yaml:59:12: error: SMS for publisher 'uk-example' is 177 septets"),
    "sms-outside-gsm7": ("Call your doctor today.\n", "Call your doctor today ✓\n",
                         "sources/conditions/dvt.yaml:59:3: error: SMS for publisher 'uk-example' has characters outside GSM-7: '✓' (U+2713)"),
    "link-scheme": ("    author: Jared S Ernest, PT\n", "    author: Jared S Ernest, PT\n    url: javascript:alert(1)\n",
                    "sources/conditions/dvt.yaml:64:10: error: 'javascript:alert(1)' is not"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_bad_values_are_located_and_lose_nothing(prebuilt, handouts, name):
    old, new, expected = EDITS[name]
    before = snapshot(prebuilt / "outputs")
    edit_source(prebuilt / DVT, old, new)
    result = handouts.run("build", "--project", str(prebuilt))
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert snapshot(prebuilt / "outputs") == before


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
        # The hostile condition, the guide that has it as a chapter, and the catalogue: every format.
        result = run(project, "build", "-j", "2", "--only", "dvt", "--only", "small-guide")
        assert result.returncode == 0, result.stderr
        out = project / "outputs"
        page = (out / "html/dvt.html").read_text(encoding="utf-8")
        page_text = html_text(page)
        book = epub_text(out / "epub/small-guide.epub")
        for value in strings.values():
            assert value in page_text  # shown as text...
            assert value in book
        assert "<script>fetch" not in page and "<img src=\"http" not in page  # ...never as markup
        # The only such elements are our own stylesheet link, structured data and the pictures
        # the pipeline draws itself (the body picture, the QR code), inline as data.
        found = re.findall(r"<(?:script|img|iframe|link|style)\b[^>]*>", page)
        ours = [tag for tag in found if tag.startswith('<img src="data:image/svg+xml;base64,')]
        assert [tag for tag in found if tag not in ours] == [
            '<link rel="stylesheet" href="assets/site.css">', '<script type="application/ld+json">']
        assert len(ours) == 2
        with zipfile.ZipFile(out / "epub/small-guide.epub") as epub:
            chapters = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
            # Images only from the book itself: the cover and the pictures the pipeline drew
            # (pandoc stores them as media/fileN.svg).
            assert not re.search(r"<(script|iframe)\b|<img [^>]*src=\"(?!\.\./media/(cover|file\d+)\.svg\")", chapters)
            assert all(not n.endswith(("hostname", ".png")) for n in epub.namelist())
        for pdf in ("dvt.a4.pdf", "dvt.letter.pdf", "dvt.large-print.a4.pdf", "dvt.large-print.letter.pdf"):
            text = pdf_text(out / "pdf" / pdf)
            assert "<script>fetch(" in text and "![secret](/etc/hostname)" in text
            with pikepdf.open(out / "pdf" / pdf) as doc:
                assert "/EmbeddedFiles" not in doc.Root.get("/Names", {})
                assert "/AF" not in doc.Root
        time.sleep(0.3)
    assert listener.connections == 0


def test_hostile_page_makes_no_request_in_a_browser(tmp_path, chromium):
    project = copy_project(tmp_path / "hostile")
    with Listener() as listener:
        make_hostile(project, listener.port)
        assert run(project, "build", "--format", "html", "-j", "1").returncode == 0
        page = chromium.new_page()
        page.goto((project / "outputs/html/dvt.html").as_uri())
        page.wait_for_timeout(300)
        page.close()
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


# A writer that breaks atomicity on purpose: the meta-tests run the safety checks with it, to
# show that those checks notice. The same fault point sits halfway through, as in write_atomic.
PLAIN_WRITES = """
import pipeline.atomic as atomic, pipeline.build as build
def plain_write(path, data, tmp_dir=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data[:len(data) // 2]); handle.flush(); atomic.fault_point()
        handle.write(data[len(data) // 2:])
    atomic.fault_point()
atomic.write_atomic = build.write_atomic = plain_write
"""


def remove_calf_strain_and_rename_publisher(project: Path) -> None:
    """An edit that rewrites most light artifacts and deletes some: every kind of write a build does."""
    edit_source(project / "sources/guides/small-guide.yaml", "  - condition: calf-strain\n", "")
    edit_source(project / DVT, "conditions: [calf-strain]", "conditions: []")
    edit_source(project / "sources/topics/price-method.yaml", "conditions: [calf-strain]", "conditions: []")
    (project / "sources/conditions/calf-strain.yaml").unlink()
    edit_source(project / "sources/publishers/us-default.yaml", "name: ", "name: The ")


# The fault points are split among this many runs at once, each with warm processes of its
# own: one point's runs do not depend on another's, so the test takes about the time of its
# slowest shard, not of all of them one after another (on 2 quiet cores, measured when the test
# built html,sms at 43 points: 38 s with one shard, 24 s with four, for 9 s more CPU; under load, more processes also get more of the CPU). The
# shards run inside this one test, not as parametrized copies of it: pytest-xdist's worksteal
# hands each worker a contiguous block of the collection, so the copies would mostly queue on
# one worker, one after another.
KILL_SHARDS = 4


def points_of(shard: int, shards: int) -> Iterator[int]:
    """Fault points 1, 2, 3... whose remainder on division by `shards` is `shard`, in order."""
    return itertools.count(shard or shards, shards)


def kill_at_every_point(first_build: Path, folder: Path, prelude: str = "", stop_at_first: bool = False,
                        shards: int = KILL_SHARDS) -> list[str]:
    """Kill a build at each of its fault points in turn (halfway through each write, after each
    write, after each removal), then run the next build; return every broken promise found:
    a file that is neither its complete old nor its complete new version, a stray temporary
    file, or a next build whose result differs from an uninterrupted one's.

    The points are split among `shards` runs at once (see KILL_SHARDS); with `stop_at_first`,
    each shard stops at its first broken promise."""
    env = {"SOURCE_DATE_EPOCH": "1800000000"}
    # The text messages alone: in English and Spanish, with their aggregate (messages.csv), the
    # removals of every format's calf-strain files, the manifest and the state, they make every
    # kind of write a build does, at 31 fault points where html,sms made 43 (each point costs
    # three builds). Every format's artifact goes through the same write (build._write).
    args = ("build", "-j", "1", "--format", "sms")

    def fresh(name: str) -> Path:
        project = folder / name
        copy_built(first_build, project)
        remove_calf_strain_and_rename_publisher(project)
        return project

    def shard(number: int) -> tuple[list[str], list[int]]:
        # Each run a process of its own, forked from a warm one: the killed runs from one that ran
        # the prelude first, the others from one as a user's `handouts` is (with no prelude, the
        # two would be alike, so one serves both).
        with WarmCli() as handouts, (WarmCli(prelude) if prelude else contextlib.nullcontext(handouts)) as breakable:
            return _kill_at_points(points_of(number, shards), lambda name: fresh(f"shard{number}-{name}"),
                                   args, env, breakable, handouts, stop_at_first)

    with ThreadPoolExecutor(shards) as pool:
        results = list(pool.map(shard, range(shards)))
    killed = sorted(point for _, points in results for point in points)
    if not stop_at_first:
        # Every point from the first to the last was tried, once: each shard went on until a
        # build ran past its last point, and no shard's builds reached fewer points than another's.
        assert killed == list(range(1, len(killed) + 1)), f"the shards killed the build at points {killed}"
        assert len(killed) >= 20, "the build reached fewer fault points than it has writes"
    return [problem for problems, _ in results for problem in problems]


def _kill_at_points(points: Iterable[int], fresh, args, env, breakable: WarmCli, handouts: WarmCli,
                    stop_at_first: bool) -> tuple[list[str], list[int]]:
    """Kill a build at each of `points` in turn, until a build runs past its last point (or, with
    `stop_at_first`, until a broken promise); returns the broken promises, and the points at
    which the build was killed."""
    reference = fresh("reference")
    old = hashes(reference / "outputs")
    assert handouts.run(*args, "--project", str(reference), env=env).returncode == 0
    new = hashes(reference / "outputs")
    problems: list[str] = []
    killed_at: list[int] = []
    for point in points:
        project = fresh(f"kill-{point}")
        killed = breakable.run(*args, "--project", str(project), env={**env, KILL_SWITCH: str(point)})
        if killed.returncode == 0:  # fewer fault points than `point`: every one of these has been tried
            break
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        killed_at.append(point)
        out = project / "outputs"
        for path, digest in hashes(out).items():
            if digest not in (old.get(path), new.get(path)):
                problems.append(f"killed at point {point}: {path} is neither its old nor its new version")
        if [p for p in out.rglob("*.tmp") if ".handouts" not in p.parts]:
            problems.append(f"killed at point {point}: a temporary file is visible in the outputs")
        repaired = handouts.run(*args, "--project", str(project), env=env)
        if repaired.returncode != 0 or hashes(out) != new:
            problems.append(f"killed at point {point}: the next build did not give the uninterrupted result")
        again = handouts.run(*args, "--project", str(project), env=env)
        if not manifest_matches_files(out) or re.search(r"^total\s+[1-9]", again.stderr, re.M):
            rebuilt = re.findall(r"^built\s+\S+\s+(\S+) \(", again.stderr, re.M)
            problems.append(f"killed at point {point}: manifest and state disagree after the repair "
                            f"(manifest matches the files: {manifest_matches_files(out)}; the next build "
                            f"rebuilt {rebuilt or 'nothing'})")
        shutil.rmtree(project)
        if problems and stop_at_first:
            break
    return problems, killed_at


def test_a_build_killed_at_any_write_is_repaired_by_the_next(fixture_built, tmp_path):
    """Kills the build deterministically halfway through each write, after each write and after
    each removal (HANDOUTS_TEST_KILL_AT), manifest and state included: every file is always a
    complete old or new version, and the next build always gives what an uninterrupted one does.

    The deliberate break that makes it fail, checked below: write_atomic replaced by a plain
    write (test_the_kill_test_fails_with_plain_writes). The old write order fails it too (seen:
    state written before the manifest, with a no-op check that trusts the state alone, leaves a
    stale manifest at 4 of the kill points, which the next build never rewrites).
    """
    assert kill_at_every_point(fixture_built, tmp_path) == []


def test_the_kill_test_fails_with_plain_writes(fixture_built, tmp_path):
    """The meta-test: with write_atomic replaced by a plain write, the kill test finds half-written files."""
    # One shard: it stops at the first broken promise (the first point, halfway through a write).
    problems = kill_at_every_point(fixture_built, tmp_path, prelude=PLAIN_WRITES, stop_at_first=True, shards=1)
    assert any("is neither its old nor its new version" in p for p in problems), problems


def test_a_killed_build_leaves_no_process_behind(prebuilt, tmp_path):
    """A build SIGKILLed while its workers render PDFs takes its fork server and workers with it.
    One condition's artifacts (8 leaflets, 4 light ones in English and Spanish): killed at the
    12th fault point, the 6th write, the workers still have leaflets to render."""
    marker = tmp_path.name
    env = {"SOURCE_DATE_EPOCH": "1800000000", "HANDOUTS_TEST_MARK": marker, KILL_SWITCH: "12"}
    killed = run(prebuilt, "build", "-j", "2", "--only", "dvt", env=env)
    assert killed.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while processes_marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_marked(marker) == set()
    del env[KILL_SWITCH]
    assert run(prebuilt, "build", "-j", "2", "--only", "dvt", env=env).returncode == 0
    assert manifest_matches_files(prebuilt / "outputs")


def test_two_builds_at_once_do_not_corrupt_each_other(prebuilt):
    """Two builds started while the folder is locked both wait; once it is free they run one
    after the other, and the second finds everything already built by the first. The test holds
    the lock until both say they wait, so that they meet however busy the machine is."""
    # Another date: every page and message is out of date, so the first build has work to do
    # (the leaflets are left out: the lock is the same for every format).
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1800000000"}
    waiting = "Another build is using this output folder"
    said: list[list[str]] = [[], []]
    with exclusive_lock(prebuilt / "outputs" / STATE_DIR / "lock"):
        processes = [subprocess.Popen([*HANDOUTS, "build", "-j", "1", "--format", "html,sms", "--project",
                                       str(prebuilt)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                     for _ in range(2)]
        for process, lines in zip(processes, said):
            while not lines or waiting not in lines[-1]:
                line = process.stderr.readline()
                assert line, f"the build ended without waiting for the lock: {''.join(lines)}"
                lines.append(line)
    results = [(out, "".join(lines) + err) for (out, err), lines in
               zip((p.communicate(timeout=600) for p in processes), said)]
    assert [p.returncode for p in processes] == [0, 0], results
    assert manifest_matches_files(prebuilt / "outputs")
    built_counts = sorted(int(re.search(r"^total\s+(\d+)", err, re.M).group(1)) for _, err in results)
    assert built_counts[0] == 0 and built_counts[1] > 0, results


# --- reproducible bytes ----------------------------------------------------------------------


@pytest.mark.parametrize("epoch", [None, "1790000000"])
def test_two_clean_builds_in_different_folders_are_byte_identical(fixture_built, tmp_path, epoch):
    """Without SOURCE_DATE_EPOCH the suite's shared first build (made in another process, with
    other leaflets laid out before each one) is one of the two, and the other builds everything
    too. With it, both build one condition and the guide: every format, in both languages."""
    env = {"SOURCE_DATE_EPOCH": epoch} if epoch else {}
    results = [] if epoch else [hashes(fixture_built / "outputs")]
    only = ["--only", "dvt", "--only", "small-guide"] if epoch else []
    for name in ("one", "two")[len(results):]:
        project = copy_project(tmp_path / name / "deeper" if name == "two" else tmp_path / name)
        base = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        completed = subprocess.run([*HANDOUTS, "build", "-j", "2", *only, "--project", str(project)],
                                   capture_output=True, text=True, env={**base, **env}, timeout=600)
        assert completed.returncode == 0, completed.stderr
        results.append(hashes(project / "outputs"))
    assert results[0] == results[1]
    # Something of every format, in both languages, was compared.
    assert {"html/dvt.html", "pdf/dvt.a4.pdf", "sms/dvt.txt", "epub/small-guide.epub", "index.html",
            "es/pdf/dvt.a4.pdf", "es/epub/small-guide.epub"} <= set(results[0])
