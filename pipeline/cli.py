"""The `handouts` command line: parses options, calls the library, reports. No logic of its own."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import FORMATS, SourceProblems, render_report, summary_line
from .project import Project

project_option = click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="The project folder holding sources/ and outputs/.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
    help="text for people, github for GitHub Actions annotations, json for tools.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
def main() -> None:
    """Build patient handouts about pain behind the knee from YAML sources."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@project_option
@format_option
def validate(paths: tuple[Path, ...], project_dir: Path, fmt: str) -> None:
    """Check sources against their schemas and each other.

    With PATHS (files or folders), report only problems in those files; references are
    still checked against the whole project. Exits 1 if any error is found.
    """
    project = Project(project_dir)
    problems, checked = project.check(paths)
    _report(problems, checked, fmt)
    sys.exit(1 if any(p.is_error for p in problems) else 0)


def _report(problems, checked: int, fmt: str) -> None:
    report = render_report(problems, fmt)
    if fmt == "json":
        click.echo(report)
        return
    if report:
        click.echo(report, err=fmt == "text")
    if fmt == "text":
        click.echo(summary_line(problems, checked), err=True)


def fail_with(problems: SourceProblems, fmt: str = "text") -> None:
    _report(problems.diagnostics, len({d.path for d in problems.diagnostics}), fmt)
    sys.exit(1)
