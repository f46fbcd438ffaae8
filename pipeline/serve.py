"""The live preview: serve the outputs on 127.0.0.1, rebuild on every edit, reload the browser.

Each rebuild runs `handouts build` in a fresh process, so an edit to a template or a style
is picked up as surely as an edit to a source, and a crash cannot take the server down.
A failed build writes nothing, so the last good outputs stay served while the page shows
the error. When there are no good outputs yet (the first build failed), every page is an
error page listing the problems, which reloads itself once the sources build.
"""

from __future__ import annotations

import functools
import html
import json
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from .build import MANIFEST
from .presentation import STYLES_DIR, TEMPLATES_DIR

POLL_SECONDS = 0.4
DIAGNOSTIC_LINE = re.compile(r"^\S+:\d+:\d+: (error|warning): |^error: ")

# Injected into HTML responses only (never into the files on disk): polls the server and
# reloads the page when a new build lands, or shows the build's errors over the page.
PREVIEW_SCRIPT = """
(function () {
  var version = null;
  // On the error page the list is the page itself; elsewhere it is laid over the last good page.
  var box = document.getElementById("preview-errors");
  var errorPage = box !== null;
  function show(errors) {
    if (!errors.length) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "preview-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;" +
        "background:#fff;color:#1a1a1a;border-top:4px solid #a4161a;padding:1em;font:14px/1.4 monospace;" +
        "white-space:pre-wrap;z-index:1000";
      document.body.appendChild(box);
    }
    box.textContent = (errorPage ? "" : "The last edit did not build. This page shows the last good version.\\n\\n") +
      errors.join("\\n");
  }
  function poll() {
    fetch("/__preview/status", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (version !== null && s.version !== version) { location.reload(); return; }
      version = s.version;
      show(s.errors);
    }).catch(function () {}).then(function () { setTimeout(poll, 400); });
  }
  poll();
}());
"""


@dataclass
class PreviewState:
    version: int = 0  # how many builds have succeeded; a change reloads the page
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "errors": self.errors}).encode()


def error_page(errors: list[str]) -> bytes:
    """What every missing page shows while the sources do not build: the located problems."""
    items = html.escape("\n".join(errors))
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not built yet: the sources have errors</title></head>
<body style="font: 16px/1.5 sans-serif; margin: 2em; color: #1a1a1a">
<main>
<h1>Not built yet: the sources have errors</h1>
<p>Fix these problems and save. This page reloads by itself when the sources build.</p>
<pre id="preview-errors" role="alert" style="white-space: pre-wrap; border-left: 4px solid #a4161a; padding-left: 1em">{items}</pre>
</main>
<script src="/__preview/reload.js"></script>
</body>
</html>
""".encode("utf-8")


class _Handler(SimpleHTTPRequestHandler):
    state: PreviewState

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.startswith("/__preview/status"):
            return self._send(200, "application/json", self.state.as_json())
        if self.path.startswith("/__preview/reload.js"):
            return self._send(200, "text/javascript", PREVIEW_SCRIPT.encode())
        if self.path == "/":
            self.path = "/index.html"
        path = Path(self.translate_path(self.path))
        with self.state.lock:
            failing = list(self.state.errors)
        if failing and not path.is_file():
            # Nothing good to show at this address: the errors are what the editor needs.
            return self._send(503, "text/html; charset=utf-8", error_page(failing))
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes()
            tag = b'<script src="/__preview/reload.js"></script>'
            page = page.replace(b"</body>", tag + b"</body>", 1) if b"</body>" in page else page + tag
            return self._send(200, "text/html; charset=utf-8", page)
        return super().do_GET()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal is for build news
        pass


def watched_files(project_root: Path) -> dict[Path, int]:
    """Every file whose change should rebuild: sources, templates, styles, schemas."""
    found = {}
    for folder in (project_root / "sources", TEMPLATES_DIR, STYLES_DIR, project_root / "schemas"):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and not path.name.startswith("."):
                    found[path] = path.stat().st_mtime_ns
    return found


class Preview:
    def __init__(self, project_root: Path, out_dir: Path, build_args: list[str],
                 say: Callable[[str], None]):
        self.project_root = project_root
        self.out_dir = out_dir
        self.build_args = build_args
        self.say = say
        self.state = PreviewState()
        self._stop = threading.Event()

    def rebuild(self) -> None:
        command = [sys.executable, "-m", "pipeline", "build", "--project", str(self.project_root),
                   "--out", str(self.out_dir), *self.build_args]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        problems = [line for line in result.stderr.splitlines() if DIAGNOSTIC_LINE.match(line)]
        # A failed build writes nothing, so a manifest on disk is the last good build's.
        outputs = (self.out_dir / MANIFEST).is_file()
        with self.state.lock:
            if result.returncode == 0:
                self.state.errors = []
                self.state.version += 1
            else:
                self.state.errors = problems or [result.stderr.strip()[-2000:] or "the build failed"]
        if result.returncode == 0:
            built = len(re.findall(r"^built ", result.stderr, re.M))
            self.say(f"Rebuilt in {time.perf_counter() - started:.2f} s ({built} files changed).")
        elif outputs:
            self.say("Build failed; still serving the last good outputs:\n" + "\n".join(self.state.errors))
        else:
            self.say("Build failed, and there are no outputs to serve yet; every page shows these errors "
                     "until the sources build:\n" + "\n".join(self.state.errors))

    def watch(self) -> None:
        seen = watched_files(self.project_root)
        while not self._stop.wait(POLL_SECONDS):
            now = watched_files(self.project_root)
            if now != seen:
                changed = sorted({p.name for p in set(now) ^ set(seen)} |
                                 {p.name for p in now if p in seen and now[p] != seen[p]})
                self.say(f"Changed: {', '.join(changed)}")
                seen = now
                self.rebuild()

    def serve(self, port: int) -> None:
        handler = functools.partial(type("Handler", (_Handler,), {"state": self.state}),
                                    directory=str(self.out_dir))
        # Loopback only: the preview is for the editor at this machine.
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        watcher = threading.Thread(target=self.watch, daemon=True)
        watcher.start()
        self.say(f"Serving {self.out_dir} at http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)")
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            self._stop.set()
            server.server_close()
