"""`handouts ARGS` many times over, each run a real process forked from one warm one.

A test that runs the command line dozens of times (the kill test runs it three times for each
of its fault points) would otherwise pay Python's start-up and the pipeline's imports every
time. Here a runner process imports the pipeline once, then forks a child per run; the child
is a process of its own, so SIGKILL at a fault point ends it exactly as it ends `handouts`.
The runner is single-threaded, so forking it is safe.

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

# The runner: reads one request a line ({"args", "env", "out", "err"}), forks, and answers
# with the child's exit status as subprocess reports it (negative: killed by that signal).
RUNNER = r"""
import json, os, sys
exec(sys.argv[1])  # the prelude: a deliberate break, or nothing
from pipeline.cli import main
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
        self.process = subprocess.Popen([sys.executable, "-c", RUNNER, self.prelude], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=os.environ.copy())
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
