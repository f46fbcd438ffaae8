"""Shared fixtures: throwaway copies of the project, a CLI runner, and one real build."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from pipeline.atomic import exclusive_lock
from pipeline.build import STATE_DIR, STATE_FILE, BuildOptions, build
from pipeline.cli import main
from pipeline.diagnostics import Diagnostic
from pipeline.project import Project

# Property tests are about correctness; speed is shown by `make bench`, not by tests that
# fail when the machine is busy (Hypothesis's deadline and slow-generation check are timings).
settings.register_profile("untimed", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("untimed")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_project(target: Path, sources: Path = FIXTURES / "minimal" / "sources") -> Path:
    """A copy of a source tree in `target`, to edit freely (the small fixture tree by default)."""
    shutil.copytree(sources, target / "sources")
    return target


@pytest.fixture
def project(tmp_path) -> Path:
    """The small fixture project: two conditions, two topics, one guide, both publishers."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def real_project(tmp_path) -> Path:
    """A copy of the real sources."""
    return copy_project(tmp_path / "real", ROOT / "sources")


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, project_dir: Path | None = None):
        argv = list(args)
        if project_dir is not None:
            argv += ["--project", str(project_dir)]
        result = runner.invoke(main, argv, catch_exceptions=False)
        # A traceback shown to a user is a bug, whatever the exit code.
        assert "Traceback" not in result.output
        return result

    return invoke


def write_source(project_dir: Path, relative: str, text: str | bytes) -> Path:
    path = project_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def edit_source(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime under a folder, to prove nothing changed."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file() and ".handouts" not in p.parts
    }


def shared_folder(tmp_path_factory, name: str, make=None) -> Path:
    """A folder every pytest-xdist worker of this run sees under the same path (a plain run's own
    temporary folder without xdist), made once by `make(folder)` under a lock. A build into it
    is made once too: the build's own lock makes a second worker wait, then find nothing to do."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above each worker's own
    folder = base / name
    if make is not None:
        with exclusive_lock(base / f"{name}.lock"):
            if not (base / f"{name}.made").exists():
                make(folder)
                (base / f"{name}.made").touch()
    return folder


@pytest.fixture(scope="session")
def fixture_built(tmp_path_factory) -> Path:
    """The small fixture project with one finished build of every format in `outputs/`, made
    once per run and never edited: copy it (`prebuilt`) to change it."""

    def make(folder: Path) -> None:
        copy_project(folder)
        report = build(Project(folder), BuildOptions(out_dir=folder / "outputs", workers=2))
        assert not report.failed, [o.error for o in report.failed]
        _notices_file(folder).write_bytes(pickle.dumps(report.notices))

    return shared_folder(tmp_path_factory, "fixture-built", make)


def _notices_file(fixture_built: Path) -> Path:
    return fixture_built.with_name(fixture_built.name + ".notices.pickle")


def first_build_notices(fixture_built: Path) -> list[Diagnostic]:
    """What the first build of `fixture_built` told its user (the Spanish leaflets it left out)."""
    return pickle.loads(_notices_file(fixture_built).read_bytes())


@pytest.fixture(scope="session")
def fixture_built_uk(tmp_path_factory) -> Path:
    """The small fixture project built for the UK profile (A4, 999, its own clinic), every format,
    once per run: what a second publisher's build gives, without building the real sources twice."""

    def make(folder: Path) -> None:
        copy_project(folder)
        report = build(Project(folder), BuildOptions(publisher="uk-example", out_dir=folder / "outputs", workers=2))
        assert not report.failed, [o.error for o in report.failed]

    return shared_folder(tmp_path_factory, "fixture-built-uk", make)


# Test data only: real content never names a reviewer who did not review it.
REVIEWER = "Dr Test Example, MD"


@pytest.fixture(scope="session")
def fixture_released(tmp_path_factory) -> Path:
    """The small fixture project approved today by the tests' fictional reviewer, English and
    Spanish, then built with `build --release`, once per run and never edited: copy it
    (`copy_built`) to change it. What the release build said is `release_output(it)`."""

    def make(folder: Path) -> None:
        copy_project(folder)
        runner = CliRunner()
        for args in (["approve", "--all", "--by", REVIEWER], ["approve", "--all", "--by", REVIEWER, "--locale", "es"],
                     ["build", "--release", "-j", "2"]):
            result = runner.invoke(main, [*args, "--project", str(folder)], catch_exceptions=False)
            assert result.exit_code == 0, result.output
        _release_output_file(folder).write_text(result.output, encoding="utf-8")

    return shared_folder(tmp_path_factory, "fixture-released", make)


def _release_output_file(fixture_released: Path) -> Path:
    return fixture_released.with_name(fixture_released.name + ".output")


def release_output(fixture_released: Path) -> str:
    return _release_output_file(fixture_released).read_text(encoding="utf-8")


def copy_built(built_project: Path, target: Path) -> Path:
    """A copy of a built project (or of an output folder) to edit and build again. `cp -a` keeps the files' times, so
    the next build trusts them as the state recorded them."""
    subprocess.run(["cp", "-a", str(built_project), str(target)], check=True)
    return target


@pytest.fixture
def prebuilt(fixture_built, tmp_path) -> Path:
    """A copy of the fixture project as a first build left it, to edit and build again: what
    `project` plus a build gives, without paying for the build in every test."""
    return copy_built(fixture_built, tmp_path / "project")


@pytest.fixture
def prebuilt_uk(fixture_built_uk, tmp_path) -> Path:
    """`prebuilt` for the UK profile: build it with `--publisher uk-example`."""
    return copy_built(fixture_built_uk, tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """One full build of the real sources for the default publisher; returns its output folder.

    It starts from what `make` last built into the project's outputs/, so right after `make`
    there is nothing left to render (the incremental build is the clean one: test_incremental),
    and the tests never write into outputs/ themselves."""

    def make(out: Path) -> None:
        seed_from_last_build(ROOT / "outputs", out)
        report = build(Project(ROOT), BuildOptions(out_dir=out, workers=2))
        assert not report.failed, [o.error for o in report.failed]

    return shared_folder(tmp_path_factory, "outputs", make)


def seed_from_last_build(source: Path, out: Path) -> None:
    """Copy what the build state in `source` records (its artifacts, its manifest, the state),
    keeping the files' times, which the next build trusts; nothing else, so files that are not
    the build's (a benchmark's results) stay behind. No state, nothing copied."""
    state_file = source / STATE_DIR / STATE_FILE
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        recorded = [entry["path"] for entry in state["artifacts"].values()] + [state["manifest"]["path"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    for relative in [*recorded, f"{STATE_DIR}/{STATE_FILE}"]:
        if (source / relative).is_file():
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, out / relative)


@pytest.fixture(scope="session")
def library():
    """The real sources' model, filled with the default publisher's words as `built` shows them."""
    return Project(ROOT).library("us-default")


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium per test process, for every browser test: Playwright's sync API
    runs once per thread, and starting a browser costs more than most checks made in it."""
    from playwright.sync_api import sync_playwright

    from browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_page(chromium):
    """One page that every axe check navigates. A new page is a new renderer, in which axe-core
    runs cold: measured on one leaflet's web page, about 4 CPU-seconds a check in a new page
    against about 1 in a page reused."""
    page = chromium.new_page()
    yield page
    page.close()


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
