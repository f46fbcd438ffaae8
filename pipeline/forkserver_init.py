"""Imported first by the build's fork server, so that it dies with the build that started it.

Without this, a build killed with SIGKILL left its fork server (and through it, idle
workers) running for good.
"""

from .lifetime import die_with_parent

die_with_parent()
