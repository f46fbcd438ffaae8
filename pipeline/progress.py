"""Telling people how a build goes: a progress bar per format on a terminal, plain lines in CI."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TextIO

import click

from .build import Observer

BAR_WIDTH = 24


class Reporter(Observer):
    def __init__(self, interactive: bool, stream: TextIO | None = None):
        self.interactive = interactive
        self.stream = stream or sys.stderr
        self.totals: Counter = Counter()
        self.done: Counter = Counter()
        self._drawn = 0

    def planned(self, totals: Counter) -> None:
        self.totals = Counter(totals)

    def finished(self, outcome, done: int, total: int) -> None:
        job = outcome.job
        if not self.interactive:
            # One line per artifact: readable in CI logs, greppable afterwards.
            extra = f": {outcome.error}" if outcome.error else ""
            click.echo(f"{outcome.status:9} {job.format:9} {job.path} ({outcome.seconds * 1000:.0f} ms){extra}",
                       err=True)
            return
        self.done[job.format] += 1
        if outcome.error:
            self._clear()
            self.stream.write(f"failed {job.path}: {outcome.error}\n")
        self._draw()

    def _clear(self) -> None:
        if self._drawn:
            # Back to the first bar's line, and clear everything below it.
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0

    def _draw(self) -> None:
        self._clear()
        for name in sorted(self.totals):
            total, done = self.totals[name], min(self.done[name], self.totals[name])
            filled = BAR_WIDTH * done // total if total else BAR_WIDTH
            self.stream.write(f"{name:10} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:>4}/{total}\n")
        self._drawn = len(self.totals)
        self.stream.flush()

    def summary(self, report) -> None:
        counts = report.counts()
        rows = [("format", "built", "unchanged", "failed")]
        totals: Counter = Counter()
        for name in sorted(counts):
            c = counts[name]
            totals.update(c)
            rows.append((name, str(c["built"]), str(c["unchanged"]), str(c["failed"])))
        rows.append(("total", str(totals["built"]), str(totals["unchanged"]), str(totals["failed"])))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            click.echo("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
                                 for i, cell in enumerate(row)), err=True)
        for path in report.removed:
            click.echo(f"removed   {path}", err=True)
        for outcome in report.outcomes:
            for note in outcome.notes:
                click.echo(f"note: {outcome.job.path}: {note}", err=True)
        for notice in report.notices:
            click.echo(notice.as_text(), err=True)
        for outcome in report.failed:
            click.echo(f"error: {outcome.job.path}: {outcome.error}", err=True)
        click.echo(f"Build {'failed' if report.failed else 'finished'} in {report.seconds:.2f} s.", err=True)


def report_dry_run(plan) -> None:
    """`build --dry-run`: one line per artifact that would be built, with why; then a count."""
    for path, fmt, reason in plan.would_build:
        click.echo(f"would build   {fmt:9} {path}: {reason}")
    for path in plan.would_remove:
        click.echo(f"would remove  {path}: its source is gone")
    for path, fmt, notice in plan.left_out:
        click.echo(f"left out      {fmt:9} {path}: unchanged since the last build left it out ({notice})")
    if plan.would_build or plan.would_remove:
        click.echo(f"{len(plan.would_build)} of {plan.total} artifacts would be built, "
                   f"{len(plan.would_remove)} removed. Nothing was written.", err=True)
    else:
        click.echo(f"Nothing to do: all {plan.total} artifacts are up to date. Nothing was written.", err=True)
