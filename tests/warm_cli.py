"""`handouts ARGS` many times over, each run a real process forked from one warm one.

A test that runs the command line dozens of times (the kill test runs it three times for each
of its fault points) would otherwise pay Python's start-up and the pipeline's imports every
time. Here a runner process imports the pipeline once, then forks a child per run; the child
is a process of its own, so SIGKILL at a fault point ends it exactly as it ends `handouts`.
The runner is single-threaded, so forking it is safe.

The runner also does once what every build would otherwise do again in its child (WARM_UP):
import the modules a build imports lazily and compile the page templates. Without it, that
was more than half of each child's time (the kill test's 43 fault points: 77 s of CPU from a
cold runner, 32 s from a warm one).

    with WarmCli(prelude) as cli:
        result = cli.run("build", "--project", str(project), env={...})
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

# What the runner loads before its first fork, so that no child pays for it. Only what is the
# same for every run: code and the package's own templates. Nothing read from a project or
# from the environment (SOURCE_DATE_EPOCH and the kill switch are read when a build runs, not
# at import), and no file written, so no fault point is counted before a child starts. A
# module missing from the list is imported by each child that needs it, as before: slower only.
WARM_UP = r"""
import importlib
from pipeline.formats import all_formats
from pipeline.presentation import TEMPLATES_DIR, environment
for name in ("build", "progress", "project", "sources", "i18n", "approvals", "safety_rules", "localize",
             "translation_checks", "translatable", "locales", "diagnostics", "fingerprint", "hazard_log",
             "red_flags"):
    importlib.import_module("pipeline." + name)
all_formats()  # imports every format's module
for template in sorted(TEMPLATES_DIR.glob("*.j2")):
    environment().get_template(template.name)  # compiled once; the child checks it is up to date
"""

# The runner: reads one request a line ({"args", "env", "out", "err"}), forks, and answers
# with the child's exit status as subprocess reports it (negative: killed by that signal).
# The warm-up runs after the prelude, so that a module it imports sees the break as it would
# when a child imported it (pipeline.approvals takes write_atomic by name at import).
RUNNER = r"""
import json, os, sys
exec(sys.argv[1])  # the prelude: a deliberate break, or nothing
from pipeline.cli import main
exec(sys.argv[2])  # WARM_UP
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.environ.update(request["env"])
        sys.argv = ["handouts", *request["args"]]
        code = 0
        try:
            main()
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(json.dumps(os.waitstatus_to_exitcode(status)) + "\n")
    sys.stdout.flush()
"""


class WarmCli:
    def __init__(self, prelude: str = "", timeout: float = 600):
        self.prelude = prelude
        self.timeout = timeout
        self.folder = Path(tempfile.mkdtemp(prefix="warm-cli-"))
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "WarmCli":
        self.process = subprocess.Popen([sys.executable, "-c", RUNNER, self.prelude, WARM_UP],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env=os.environ.copy())
        return self

    def run(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        out, err = self.folder / "out", self.folder / "err"
        request = {"args": list(args), "env": env or {}, "out": str(out), "err": str(err)}
        assert self.process and self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        # A run that hangs fails the test instead of hanging it.
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        answer = self.process.stdout.readline() if ready else ""
        if not answer:
            self.process.kill()
            raise RuntimeError(f"handouts {' '.join(args)}: no answer within {self.timeout} s")
        return subprocess.CompletedProcess(["handouts", *args], json.loads(answer), out.read_text(), err.read_text())

    def __exit__(self, *exc) -> None:
        if self.process:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for path in self.folder.iterdir():
            path.unlink()
        self.folder.rmdir()
