"""Safety features that prove themselves: each check runs once as shipped and once with the
feature deliberately broken, and must pass the first time and catch the break the second.

- atomic write: write_atomic replaced by a plain write -> a killed write leaves a half file;
- the build lock: the build's lock replaced by a no-op -> a second build writes while the
  first holds the folder;
- the locked fetcher: the PDF renderer given WeasyPrint's default fetcher -> a hostile page
  reaches the network and reads local files.
(The kill-at-every-write test of the build has its own meta-test in test_hardening.py.)
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import edit_source, snapshot
from pipeline.atomic import KILL_SWITCH, exclusive_lock, write_atomic
from pipeline.build import BuildOptions, build
from pipeline.project import Project

PLAIN_WRITE = """
import pipeline.atomic as atomic, pipeline.build as build
def plain_write(path, data, tmp_dir=None):
    with open(path, "wb") as handle:
        handle.write(data[:len(data) // 2]); handle.flush(); atomic.fault_point()
        handle.write(data[len(data) // 2:])
    atomic.fault_point()
atomic.write_atomic = build.write_atomic = plain_write
"""
NO_LOCK = """
import contextlib, pipeline.build as build
build.exclusive_lock = lambda path, on_wait=None: contextlib.nullcontext(-1)
"""


def python(code: str, *args: str, env: dict | None = None, **kwargs):
    return subprocess.Popen([sys.executable, "-c", code, *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


# --- atomic write ----------------------------------------------------------------------------


def killed_write_problems(folder: Path, prelude: str = "") -> list[str]:
    """Kill a process halfway through replacing a file; what does a reader find there?"""
    target = folder / "leaflet.pdf"
    target.write_bytes(b"old" * 1000)
    code = prelude + (
        "\nimport sys, pipeline.atomic as atomic\nfrom pathlib import Path\n"
        "atomic.write_atomic(Path(sys.argv[1]), b'new' * 100000, Path(sys.argv[2]))\n")
    process = python(code, str(target), str(folder / "tmp"), env={KILL_SWITCH: "1"})
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    found = target.read_bytes()
    if found != b"old" * 1000:
        return [f"a reader finds {len(found)} bytes that are neither the old file nor the new one"]
    return []


def test_a_write_killed_halfway_leaves_the_old_file_whole(tmp_path):
    """Deliberate break: write_atomic replaced by a plain write (next test) leaves a half file."""
    assert killed_write_problems(tmp_path) == []
    assert [p.name for p in (tmp_path / "tmp").iterdir()]  # the half file is the temporary one


def test_the_atomic_write_test_fails_with_a_plain_write(tmp_path):
    assert killed_write_problems(tmp_path, PLAIN_WRITE) != []


def test_write_atomic_syncs_the_folder_and_keeps_the_umask(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real_fsync(fd)))
    target = tmp_path / "site" / "page.html"
    write_atomic(target, b"<p>hello</p>", tmp_path / "tmp")
    assert str(tmp_path / "site") in synced  # after the rename, so the new name survives a power cut
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- the build lock --------------------------------------------------------------------------


def lock_problems(project: Path, prelude: str = "") -> list[str]:
    """Hold the output folder's lock and start a build: it must wait, writing nothing, until the
    lock is released, then finish."""
    out = project / "outputs"
    assert not build(Project(project), BuildOptions(out_dir=out, formats=("sms",))).failed
    edit_source(project / "sources/conditions/dvt.yaml", "Call your doctor today.", "Call your GP today.")
    before = snapshot(out)
    problems = []
    with exclusive_lock(out / ".handouts" / "lock"):
        code = prelude + "\nimport sys\nfrom pipeline.cli import main\nsys.argv[0] = 'handouts'\nmain()\n"
        process = python(code, "build", "--format", "sms", "--project", str(project))
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
        waiting = False
        deadline = time.monotonic() + 120
        while not waiting and time.monotonic() < deadline and process.poll() is None:
            try:
                waiting = "Another build is using this output folder" in lines.get(timeout=0.2)
            except queue.Empty:
                continue
        if not waiting:
            problems.append("the build did not wait for the lock")
        time.sleep(0.5)  # a build that (wrongly) went on would write now
        if snapshot(out) != before:
            problems.append("the build wrote while another held the output folder")
    process.wait(timeout=300)
    if process.returncode != 0:
        problems.append(f"the build failed: {process.returncode}")
    if "Call your GP today." not in (out / "sms/dvt.txt").read_text():
        problems.append("the build did not finish its work once the lock was free")
    return problems


def test_a_build_waits_for_the_lock_and_writes_nothing_meanwhile(project):
    """Deliberate break: the build's lock replaced by a no-op (next test) -> it writes at once."""
    assert lock_problems(project) == []


def test_the_lock_test_fails_without_the_lock(project):
    assert lock_problems(project, NO_LOCK) != []


# --- the locked fetcher ----------------------------------------------------------------------

# Files opened while a check watches (an audit hook cannot be removed, so it records only then).
_opened: list[str] = []
_watching = threading.Event()
sys.addaudithook(lambda event, args: _opened.append(str(args[0])) if event == "open" and _watching.is_set() else None)


def fetcher_problems(library, secret: Path) -> list[str]:
    """Render a leaflet whose HTML asks for a stylesheet and an image over HTTP and attaches a
    local file; report every request that reached the network or the disk."""
    from pipeline.fetcher import ResourceRefused
    from pipeline.formats import Job, RenderContext, pdf

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    hostile = (f'<html lang="en"><head><title>x</title><link rel="stylesheet" href="{url}/s.css"></head><body>'
               f'<img src="{url}/i.png" alt="x"><a rel="attachment" href="{secret.as_uri()}">x</a>'
               f'<img src="{secret.as_uri()}" alt="y"></body></html>')
    connections = []

    def accept():
        while listener.fileno() != -1:
            try:
                connection, _ = listener.accept()
            except (socket.timeout, OSError):
                continue
            connections.append(1)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    original = pdf.render_page
    pdf.render_page = lambda *args, **kwargs: hostile
    _opened.clear()
    _watching.set()
    try:
        pdf.PdfFormat().render(Job("pdf", "a4", "pdf/dvt.a4.pdf", "dvt", subject=("condition", "dvt")),
                               RenderContext(library, library.publishers["us-default"], "2026-11-21T00:00:00+00:00"))
    except (pdf.RenderError, ResourceRefused):  # refusing is the point: the leaflet fails, named
        pass
    finally:
        _watching.clear()
        pdf.render_page = original
        time.sleep(0.3)
        listener.close()
        thread.join()
    problems = []
    if connections:
        problems.append(f"the renderer made {len(connections)} network request(s)")
    if str(secret) in _opened:
        problems.append("the renderer read a file outside the package's assets")
    return problems


@pytest.fixture
def minimal_library(project):
    return Project(project).library()


def test_the_pdf_renderer_fetches_nothing_outside_its_assets(minimal_library, tmp_path):
    """Deliberate break: WeasyPrint's default fetcher in the renderer (next test) -> a request
    reaches the network and a local file is read. (The hostile-content tests alone could not
    tell: templates escape content, so the fetcher is never asked for anything there.)"""
    secret = tmp_path / "secret.txt"
    secret.write_text("not for leaflets")
    assert fetcher_problems(minimal_library, secret) == []


def test_the_fetcher_test_fails_with_the_default_fetcher(minimal_library, tmp_path, monkeypatch):
    from pipeline.formats import pdf

    weasyprint, fonts, _locked, base, sheets = pdf.warm_weasyprint()
    monkeypatch.setattr(pdf, "warm_weasyprint", lambda: (weasyprint, fonts, weasyprint.URLFetcher(), base, sheets))
    secret = tmp_path / "secret.txt"
    secret.write_text("not for leaflets")
    problems = fetcher_problems(minimal_library, secret)
    assert any("network" in p for p in problems) and any("read a file" in p for p in problems), problems
