"""Helper processes and temporary files must not outlive the build that made them, even when it is SIGKILLed."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import tempfile
from pathlib import Path

_PR_SET_PDEATHSIG = 1
PRIVATE_PREFIX = "handouts-"
ALSO_REMOVE = "also-remove"
_private: Path | None = None


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (a no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers then exit when their queue closes
        return
    if os.getppid() == 1:
        # The parent died before we asked: the signal will never come, so go now.
        os._exit(0)


def _start_time(pid: int) -> str:
    """When a process started (clock ticks since boot), to tell it from a later one with its pid;
    "0" where /proc cannot say."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


def _gone(pid: int, started: str) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19] != started
    except FileNotFoundError:
        return True
    except (OSError, IndexError):  # no /proc: only a pid that does not exist is surely gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        return False


def private_folder_of(pid: int, base: str | None = None) -> Path:
    """The temporary folder that process `pid` owns (whether or not it exists)."""
    return Path(base or tempfile.gettempdir()) / f"{PRIVATE_PREFIX}{pid}-{_start_time(pid)}"


def private_tmp() -> Path:
    """This process's own temporary folder: made on first use, removed at exit.

    The fork server and the workers keep every temporary file in here (WeasyPrint's copies of
    the fonts, pandoc's work folders). A process killed outright cannot remove its folder, so
    folders of processes that are gone are removed whenever a new one is made.
    """
    global _private
    if _private is None or not _private.is_dir():
        base = tempfile.gettempdir()
        sweep()
        folder = private_folder_of(os.getpid(), base)
        folder.mkdir(mode=0o700, exist_ok=True)
        owner = os.getpid()
        atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
        _private = folder
    return _private


def remove_with_private_tmp(path: str) -> None:
    """Note a temporary folder this process made elsewhere (multiprocessing's pymp-* folder, whose
    socket path must stay short, so cannot live in the private folder), for the sweep to remove
    if this process is killed. At a normal exit its owner removes it."""
    with open(private_tmp() / ALSO_REMOVE, "a", encoding="utf-8") as notes:
        notes.write(path + "\n")


def sweep() -> None:
    """Remove the private folders of processes that are gone (killed builds), with what they noted.
    One listing of $TMPDIR: cheap enough for every build, even one with nothing to do."""
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for entry in os.scandir(base):
            name = entry.name
            if not name.startswith(PRIVATE_PREFIX) or not entry.is_dir(follow_symlinks=False):
                continue
            pid, _, started = name[len(PRIVATE_PREFIX):].partition("-")
            if pid.isdigit() and started and _gone(int(pid), started):
                with contextlib.suppress(OSError):
                    for line in (Path(entry.path) / ALSO_REMOVE).read_text(encoding="utf-8").splitlines():
                        other = Path(line)
                        if other.name.startswith("pymp-"):
                            shutil.rmtree(other, ignore_errors=True)
                shutil.rmtree(entry.path, ignore_errors=True)
