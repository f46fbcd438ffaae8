"""Writing files so that a reader (or a crash) only ever sees a complete old or new version."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator


def write_atomic(path: Path, data: bytes, tmp_dir: Path | None = None) -> None:
    """Write to a temporary file, flush it to disk, then rename it into place.

    The temporary file lives in `tmp_dir` (default: beside the target), which must be on the
    same filesystem so that the rename is atomic. A build passes its hidden state folder, so a
    build killed mid-write leaves no partial file where a clinic could find it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = tmp_dir or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
    the descriptor: forked workers must close the yielded descriptor.
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
