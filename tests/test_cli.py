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


def test_ci_tests_every_change_and_publishes_main():
    """The workflow: `make test` on every push and pull request with the venv and npm caches, a
    wheel; on main only, `make`, the outputs as an artifact and on GitHub Pages."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as True
    test, publish = workflow["jobs"]["test"], workflow["jobs"]["publish"]
    runs = [step.get("run", "") for step in test["steps"]]
    assert "make test" in runs and any("pip wheel" in run for run in runs)
    cached = [step["with"]["path"] for step in test["steps"] if step.get("uses", "").startswith("actions/cache@")]
    assert ".venv" in cached and "~/.npm" in cached
    assert publish["needs"] == "test" and "refs/heads/main" in publish["if"]
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert publish["concurrency"]["group"] == "pages"
    uses = [step.get("uses", "").split("@")[0] for step in publish["steps"]]
    assert {"actions/upload-artifact", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses)
    assert "make" in [step.get("run") for step in publish["steps"]]
    # The validate workflow keeps its annotations.
    validate = (ROOT / ".github/workflows/validate.yml").read_text(encoding="utf-8")
    assert "make validate FORMAT=github" in validate and "make lint FORMAT=github" in validate


def test_build_options_are_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    build = main.commands["build"]
    for option in build.params:
        if option.name != "help":
            assert any(f"`{opt}" in readme or f" {opt} " in readme or f"[{opt}" in readme for opt in option.opts), \
                f"README does not mention 'handouts build {option.opts[-1]}'"
