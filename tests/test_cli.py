"""The command line as a whole: help everywhere, and the README and Makefile in step with it."""

from __future__ import annotations

import re

from conftest import ROOT
from pipeline.cli import main


def test_every_command_has_help(cli):
    assert cli("--help").exit_code == 0
    for name, command in main.commands.items():
        assert command.help, f"'handouts {name}' has no help text"
        result = cli(name, "--help")
        assert result.exit_code == 0
        assert "Usage: " in result.output


def test_readme_names_every_command_and_make_target():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"handouts {name}" in readme, f"README does not mention 'handouts {name}'"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^([a-z-]+):.*## ", makefile, re.M):
        assert f"make {target}" in readme or target == "all", f"README does not mention 'make {target}'"
    assert readme.lstrip("# \n").splitlines()[0]  # has a title
    assert readme.index("make test") < 1200, "the two set-up commands open the README"


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_pre_commit_and_workflow_run_make_validate():
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    workflow = (ROOT / ".github/workflows/validate.yml").read_text(encoding="utf-8")
    assert "entry: make validate" in hooks
    assert "make validate FORMAT=github" in workflow


def test_make_validate_speaks_github(tmp_path):
    import subprocess

    result = subprocess.run(["make", "-s", "validate", "FORMAT=github"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::error" not in result.stdout
