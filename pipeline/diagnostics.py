"""Located problems in sources, and the three ways we print them (text, GitHub, JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place, reported like a compiler does."""

    path: str
    line: int
    column: int
    severity: str
    message: str
    # JSON Pointer of the field the problem is about ("" for the whole file).
    pointer: str = ""
    # Lint rule id; validation problems have none.
    rule: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_text(self) -> str:
        rule = f"{self.rule}: " if self.rule else ""
        where = f" (at {self.pointer})" if self.pointer else ""
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {rule}{self.message}{where}"

    def as_github(self) -> str:
        # GitHub workflow commands treat '%', CR and LF specially in the message.
        return (
            f"::{self.severity} file={self.path},line={self.line},col={self.column}"
            f"::{self._github_message()}"
        )

    def _github_message(self) -> str:
        rule = f"{self.rule}: " if self.rule else ""
        where = f" (at {self.pointer})" if self.pointer else ""
        raw = f"{rule}{self.message}{where}"
        return raw.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


class SourceProblems(Exception):
    """Raised when sources cannot be used; carries every problem found, not just the first."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.as_text() for d in self.diagnostics))


FORMATS = ("text", "github", "json")


def render_report(diagnostics: Iterable[Diagnostic], fmt: str) -> str:
    """The report for a list of diagnostics, in one of FORMATS (no trailing newline)."""
    items = sorted(diagnostics)
    if fmt == "json":
        return json.dumps({"diagnostics": [asdict(d) for d in items]}, indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(d.as_github() for d in items)
    return "\n".join(d.as_text() for d in items)


def summary_line(diagnostics: Iterable[Diagnostic], files: int) -> str:
    items = list(diagnostics)
    errors = sum(d.is_error for d in items)
    warnings = len(items) - errors
    return f"{files} file{'s' if files != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
