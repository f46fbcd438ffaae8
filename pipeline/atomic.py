"""Writing files so that a reader (or a crash) only ever sees a complete old or new version."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import tempfile
from pathlib import Path
from typing import Callable, Iterator

# Test-only: HANDOUTS_TEST_KILL_AT=N makes a process SIGKILL itself at the Nth fault point it
# reaches (halfway through writing a file, after a file is in place, after one is removed),
# so tests can stop a build between any two writes, and in the middle of one, every time.
KILL_SWITCH = "HANDOUTS_TEST_KILL_AT"
_points_reached = 0


def fault_point() -> None:
    """Where a test may kill this process (see KILL_SWITCH); does nothing otherwise."""
    global _points_reached
    wanted = os.environ.get(KILL_SWITCH)
    if not wanted:
        return
    _points_reached += 1
    if _points_reached == int(wanted):
        os.kill(os.getpid(), signal.SIGKILL)


def _umask() -> int:
    """The process's umask, read without changing it where Linux says it (/proc), else set back at once."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename in it survives a power cut as well as the file's bytes."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, tmp_dir: Path | None = None) -> None:
    """Write to a temporary file, flush it to disk, then rename it into place and sync the folder.

    The temporary file lives in `tmp_dir` (default: beside the target), which must be on the
    same filesystem so that the rename is atomic. A build passes its hidden state folder, so a
    build killed mid-write leaves no partial file where a clinic could find it. The file gets
    the mode a plain new file would (0644 under the usual umask), not mkstemp's 0600, so a web
    server's user can read what the build publishes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = tmp_dir or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            half = len(data) // 2
            handle.write(data[:half])
            handle.flush()
            fault_point()  # halfway: what a reader finds now must be the old file, whole
            handle.write(data[half:])
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)
    fault_point()


def write_if_changed(path: Path, data: bytes, tmp_dir: Path | None = None) -> bool:
    """Write atomically unless the file already holds exactly these bytes (its timestamp then stays)."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data, tmp_dir)
    return True


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files a killed build left behind; returns how many."""
    removed = 0
    if not folder.is_dir():
        return 0
    for tmp in folder.rglob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed += 1
    return removed


@contextlib.contextmanager
def exclusive_lock(lock_path: Path, on_wait: Callable[[], None] | None = None) -> Iterator[int]:
    """Hold an exclusive lock on `lock_path` for the duration; a second holder waits its turn.

    flock is released by the kernel when the last descriptor of the lock file closes, so a
    killed build never leaves the folder locked, as long as no child process keeps a copy of
    the descriptor (workers fork from a server that never had it).
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle.fileno()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
