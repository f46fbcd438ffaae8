"""Telling people how a build goes: a live line per format on a terminal, plain lines in CI."""

from __future__ import annotations

import sys
from collections import Counter

import click


class Reporter:
    def __init__(self, interactive: bool):
        self.interactive = interactive
        self.done: Counter = Counter()
        self.totals: Counter = Counter()

    def progress(self, outcome, done: int, total: int) -> None:
        job = outcome.job
        if not self.interactive:
            # One line per artifact: readable in CI logs, greppable afterwards.
            extra = f": {outcome.error}" if outcome.error else ""
            click.echo(f"{outcome.status:9} {job.format:9} {job.path} ({outcome.seconds * 1000:.0f} ms){extra}", err=True)
            return
        self.done[job.format] += 1
        self.totals[job.format] = max(self.totals[job.format], self.done[job.format])
        bars = "  ".join(f"{name} {self.done[name]}" for name in sorted(self.done))
        width = 24
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {bars}   ")
        sys.stderr.flush()
        if outcome.error:
            sys.stderr.write(f"\nfailed {job.path}: {outcome.error}\n")

    def summary(self, report) -> None:
        if self.interactive and report.outcomes:
            sys.stderr.write("\n")
        counts = report.counts()
        rows = [("format", "built", "unchanged", "failed")]
        for name in sorted(counts):
            c = counts[name]
            rows.append((name, str(c["built"]), str(c["unchanged"]), str(c["failed"])))
        totals = Counter()
        for c in counts.values():
            totals.update(c)
        rows.append(("total", str(totals["built"]), str(totals["unchanged"]), str(totals["failed"])))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            click.echo("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
                                 for i, cell in enumerate(row)), err=True)
        for path in report.removed:
            click.echo(f"removed   {path}", err=True)
        for outcome in report.failed:
            click.echo(f"error: {outcome.job.path}: {outcome.error}", err=True)
        click.echo(f"Build {'failed' if report.failed else 'finished'} in {report.seconds:.2f} s.", err=True)
