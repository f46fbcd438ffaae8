"""`pip install .` (not editable) gives a working `handouts`: the wheel carries the whole package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, manifest
from pipeline.toolchain import SCHEMA_DIR


def build_wheel(folder: Path) -> Path:
    """The wheel, built offline from a copy of the checkout (so no build/ folder lands in it)."""
    source = folder / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tools", ".stamps", "outputs", "node_modules", "__pycache__", "build", "*.egg-info",
        ".pytest_cache", ".hypothesis"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(folder / "dist"), str(source)], check=True, capture_output=True, timeout=600)
    return next((folder / "dist").glob("knee_handouts-*.whl"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_every_file_of_the_package_and_the_schemas(wheel):
    """Fails if a module, template, style, font or schema is left out of the wheel (a new data
    folder not named in pyproject.toml, or the schemas not mapped into the package)."""
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if not n.startswith("knee_handouts-")}
    expected = {f"pipeline/{p.relative_to(ROOT / 'pipeline').as_posix()}" for p in (ROOT / "pipeline").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    expected |= {f"pipeline/schemas/{p.name}" for p in SCHEMA_DIR.glob("*.schema.json")}
    assert names == expected


def test_a_fresh_venv_with_the_wheel_validates_lints_and_builds(wheel, tmp_path):
    """A venv that has only the wheel (its dependencies come from the running environment,
    offline): `handouts validate`, `lint` and `build --project DIR` work, from the installed
    package and not from this checkout. Failed before: validation could not find the schemas."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Nothing of this checkout may be on the path (PYTHONPATH), or pip would find it installed.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=600, env=env, cwd=tmp_path)
    # The dependencies, without a download: this environment's site-packages, after the venv's
    # own. Added after the install, or pip would find this checkout's editable install there
    # and install nothing.
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    project = copy_project(tmp_path / "project")
    handouts = str(venv / "bin" / "handouts")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([handouts, *args, "--project", str(project)], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=600)

    where = subprocess.run([str(python), "-c", "import pipeline.toolchain as t; print(t.PACKAGE_DIR, t.SCHEMA_DIR)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, check=True).stdout.split()
    assert where == [f"{site}/pipeline", f"{site}/pipeline/schemas"]
    # One condition and the guide: every format's renderer runs (page, leaflet, message, guide,
    # catalogue, print pack, hazard log), without laying out every leaflet of the fixture.
    for command in (["validate"], ["lint"], ["build", "-j", "2", "--only", "dvt", "--only", "small-guide"]):
        result = run(*command)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    built = {a["path"] for a in manifest(project / "outputs")["artifacts"]}
    assert {"pdf/dvt.a4.pdf", "html/dvt.html", "sms/dvt.txt", "epub/small-guide.epub", "index.html",
            "print-pack.letter.zip"} <= built
