"""Helper processes must not outlive the build that started them, even when it is SIGKILLed."""

from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


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
