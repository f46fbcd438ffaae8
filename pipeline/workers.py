"""Worker processes for the heavy formats: forked warm, one job at a time each, a time limit per
job, one retry when a worker is lost, and nothing left running or lying about afterwards.

Design note
-----------
Why a fork server: importing WeasyPrint, configuring its fonts and parsing the leaflet
stylesheets costs about a second. multiprocessing's fork server, preloading
`pipeline.forkserver_init`, pays that once; every worker is a fork of that warm process and
starts in milliseconds. Workers are replaced after WORKER_JOBS jobs, because WeasyPrint's
native caches creep, so a worker's memory stays flat however many leaflets there are.

Why not ProcessPoolExecutor: when one of its workers dies, every pending job fails with
BrokenProcessPool and nothing says which job that worker held, and a job that hangs cannot be
stopped without killing the pool. Here each worker has its own pipe and runs one job at a
time, so the build always knows which job a worker holds. A worker that dies (killed, out of
memory) costs only its own job, which is retried once on a fresh worker and then reported as a
failed artifact with the reason; a job over its time limit has its worker killed and fails
with a message naming the limit. The build never hangs and never crashes because of a worker.

What it guards against, and how that is tested (tests/test_workers.py): a hung render
(HANDOUTS_TEST_WORKER_HANG=<artifact path>), a worker lost once or for good
(HANDOUTS_TEST_WORKER_EXIT=<path> or <path>:once). These switches are read by the build and
sent with the job, so they act on exactly one job whatever process started the fork server.
Workers and the fork server die with the build (lifetime.die_with_parent), and their
temporary files live in the build's private folder (lifetime.private_tmp).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .formats import Job, RenderContext, all_formats
from .lifetime import die_with_parent, private_tmp, remove_with_private_tmp

WORKER_JOBS = 100  # jobs a worker renders before a fresh one takes over
DEFAULT_TIMEOUT = 120.0  # seconds one job may take; a two-page leaflet takes about 0.15 s
EXIT_SWITCH = "HANDOUTS_TEST_WORKER_EXIT"
HANG_SWITCH = "HANDOUTS_TEST_WORKER_HANG"


@dataclass
class Rendered:
    job: Job
    data: bytes | None
    seconds: float
    error: str = ""
    # Peak resident memory of the worker that rendered it, in KiB (0 when rendered in the build).
    peak_kib: int = 0
    # Notes for the report, such as a lost worker whose job was retried.
    notes: tuple[str, ...] = ()


def render_here(job: Job, ctx: RenderContext) -> Rendered:
    """Render one job in this process; a renderer's exception becomes the artifact's error."""
    start = time.perf_counter()
    try:
        data, error = all_formats()[job.format].render(job, ctx), ""
    except (KeyboardInterrupt, SystemExit):
        raise
    # Reported per artifact; the build goes on with the others. BaseException too: WeasyPrint's
    # fatal fetch errors (our fetcher refusing a resource) derive from it.
    except BaseException as exc:
        data, error = None, str(exc) or type(exc).__name__
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return Rendered(job, data, time.perf_counter() - start, error, peak)


def test_faults(jobs: Iterable[Job]) -> dict[str, str]:
    """The test switches, read once per build: artifact path -> "exit", "exit-once" or "hang"."""
    faults: dict[str, str] = {}
    for switch, fault in ((EXIT_SWITCH, "exit"), (HANG_SWITCH, "hang")):
        for item in filter(None, os.environ.get(switch, "").split(",")):
            path, _, mode = item.partition(":")
            faults[path] = f"{fault}-{mode}" if mode else fault
    paths = {job.path for job in jobs}
    return {path: fault for path, fault in faults.items() if path in paths}


def _worker_main(conn, names: tuple[str, ...]) -> None:
    die_with_parent()
    formats = all_formats()
    for name in names:
        formats[name].warm_up()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job, ctx, fault = message
        if fault == "exit":
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
        if fault == "hang":
            while True:
                time.sleep(3600)
        conn.send(render_here(job, ctx))


def worker_context():
    """Workers fork from a server process that has WeasyPrint loaded and warmed once."""
    from multiprocessing import get_context  # here, not above: `handouts validate` never needs it

    mp = get_context("forkserver")
    mp.set_forkserver_preload(["pipeline.forkserver_init"])
    return mp


def start_server_early() -> None:
    """Start the fork server (and its WeasyPrint import) while the sources are still being checked."""
    from multiprocessing import forkserver

    private_tmp()  # the fork server keeps its temporary files in here
    remove_with_private_tmp(_socket_folder())
    worker_context()
    forkserver.ensure_running()


def _socket_folder() -> str:
    """The folder multiprocessing puts the fork server's socket in (pymp-*/listener-*).

    Linux allows a socket path of at most 107 bytes; under a deep $TMPDIR multiprocessing's
    path is longer and the build would stop with "AF_UNIX path too long", so it then gets a
    folder in /tmp instead, made and removed the way multiprocessing does its own.
    """
    from multiprocessing import process, util

    config = process.current_process()._config  # where util.get_temp_dir() keeps its folder
    if config.get("tempdir") is None and len(tempfile.gettempdir()) > 60 and os.access("/tmp", os.W_OK):
        folder = tempfile.mkdtemp(prefix="pymp-", dir="/tmp")
        util.Finalize(None, shutil.rmtree, args=[folder], kwargs={"ignore_errors": True}, exitpriority=-100)
        config["tempdir"] = folder
    return util.get_temp_dir()


class _Worker:
    def __init__(self, mp, names: tuple[str, ...]):
        self.conn, child = mp.Pipe()
        self.process = mp.Process(target=_worker_main, args=(child, names), daemon=True)
        self.process.start()
        child.close()
        self.job: Job | None = None
        self.deadline = 0.0
        self.jobs_done = 0

    def give(self, job: Job, ctx: RenderContext, fault: str, timeout: float) -> None:
        self.job, self.deadline = job, time.monotonic() + timeout
        self.conn.send((job, ctx, fault))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        self.process.close()

    def why_lost(self) -> str:
        self.process.join(5)
        code = self.process.exitcode
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            hint = " (the system may have run out of memory)" if -code == signal.SIGKILL else ""
            return f"its worker process was killed by {name}{hint}"
        return f"its worker process exited unexpectedly (exit code {code})"


def render_in_workers(jobs: list[Job], context_of: Callable[[Job], RenderContext], workers: int,
                      timeout: float = DEFAULT_TIMEOUT, meanwhile: Callable[[], Iterator[Rendered]] | None = None,
                      ) -> Iterator[Rendered]:
    """Render `jobs` in up to `workers` processes, yielding each result as it comes.

    `meanwhile` yields results rendered in this process while the first jobs are with the
    workers. Every job yields exactly one result: its bytes, or None with the reason.
    """
    from multiprocessing.connection import wait

    mp = worker_context()
    names = tuple(sorted({job.format for job in jobs}))
    faults = test_faults(jobs)
    queue = deque(jobs)
    lost: dict[str, int] = {}
    notes: dict[str, list[str]] = {}
    pool: list[_Worker] = []
    try:
        while queue or any(w.job for w in pool):
            while queue and (len(pool) < workers or any(w.job is None for w in pool)):
                job = queue.popleft()
                worker = next((w for w in pool if w.job is None), None)
                try:
                    if worker is None:
                        worker = _Worker(mp, names)
                        pool.append(worker)
                    fault = faults.get(job.path, "")
                    if fault == "exit-once":
                        fault = "exit" if not lost.get(job.path) else ""
                    worker.give(job, context_of(job), fault, timeout)
                except OSError as exc:  # no process could be started, or it died at once
                    if worker is not None:
                        pool.remove(worker)
                        worker.stop(kill=True)
                    yield from _lost(job, f"a worker process could not take it: {exc}", lost, notes, queue)
            if meanwhile is not None:
                yield from meanwhile()
                meanwhile = None
            busy = [w for w in pool if w.job is not None]
            if not busy:
                continue
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                 timeout=max(0.0, min(w.deadline for w in busy) - time.monotonic()))
            for worker in busy:
                job = worker.job
                if worker.conn.poll():
                    try:
                        result = worker.conn.recv()
                    except (EOFError, OSError):  # it died before or while answering
                        result = None
                    if result is not None:
                        worker.job = None
                        worker.jobs_done += 1
                        result.notes = tuple(notes.pop(job.path, ()))
                        if worker.jobs_done >= WORKER_JOBS:
                            pool.remove(worker)
                            worker.stop()
                        yield result
                        continue
                if worker.conn.poll(0) or not worker.process.is_alive():  # an answer that never came
                    pool.remove(worker)
                    reason = worker.why_lost()
                    worker.stop(kill=True)
                    yield from _lost(job, reason, lost, notes, queue)
                elif time.monotonic() >= worker.deadline:
                    pool.remove(worker)
                    worker.stop(kill=True)
                    yield Rendered(job, None, timeout, f"took longer than the time limit of {timeout:g} s "
                                                      "and was stopped (raise it with --timeout)")
    finally:
        for worker in pool:
            worker.stop(kill=worker.job is not None)


def _lost(job: Job, reason: str, lost: dict[str, int], notes: dict[str, list[str]], queue: deque) -> Iterator[Rendered]:
    """A job whose worker was lost: retried once on a fresh worker, then a failed artifact."""
    lost[job.path] = lost.get(job.path, 0) + 1
    if lost[job.path] == 1:
        notes.setdefault(job.path, []).append(f"{reason}; retried")
        queue.appendleft(job)
        return
    yield Rendered(job, None, 0.0, f"{reason}, twice; not built")
