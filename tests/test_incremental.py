"""Incremental equals clean: change each kind of input in turn and compare with a clean build.

Inputs mutated, one per case: a source, a template, a stylesheet, a schema (loosened and
tightened), a Python module of the package, the publisher profile, and (in-process) the
version of a rendering library. Each case runs on its own copy of the package, so editing
package code cannot touch the checkout; its builds (the incremental one, then the clean one)
run in a fresh process with PYTHONPATH pointing at that copy. Seen to fail: with stylesheets
left out of the package's fingerprint, the style case's incremental build differs from the
clean one.

The source case runs on the fixture project (two conditions, two topics, a guide, English and
Spanish): it must show what is *not* rebuilt, so it needs other items and locales to leave
alone. Every other edit rebuilds every artifact (the profile: all but the shared assets),
whatever the project holds, so those cases run on a slim copy that still builds every format
in both locales, in about 40% of the fixture's build time (27 artifacts, 8 of them leaflets,
where the fixture has 57 and 30): one condition (dvt) with its Spanish translation, the guide
of it alone, the hazard log. Spanish stays because its artifacts are built from a model of
their own, with their own catalogue and print pack, a path "every artifact" must cover too;
the topics go, as their pages and leaflets are of formats the condition has already. The
tightened schema, refused before anything is rendered, uses the slim copy too.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_built, copy_project, edit_source, manifest, shared_folder
from pipeline.formats import all_formats
from pipeline.toolchain import SCHEMA_DIR

DVT_PAGES = {"html/dvt.html", "pdf/dvt.a4.pdf", "pdf/dvt.letter.pdf", "pdf/dvt.large-print.a4.pdf",
             "pdf/dvt.large-print.letter.pdf"}
ASSETS = {"html/assets/site.css", *(f"html/assets/fonts/{p.name}" for p in (ROOT / "pipeline/assets/fonts").iterdir())}


def copy_package(folder: Path) -> None:
    """A copy of the package, for a case to edit, in `folder/package`."""
    shutil.copytree(ROOT / "pipeline", folder / "package/pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SCHEMA_DIR, folder / "package/schemas")
    # The hazard log's controls name tests, which are looked up beside the package.
    shutil.copytree(ROOT / "tests", folder / "package/tests", ignore=shutil.ignore_patterns("__pycache__"))


def make_base(folder: Path, trim=lambda project: None) -> None:
    """A copy of the package and of the fixture project (trimmed by `trim`), built once."""
    copy_package(folder)
    trim(copy_project(folder / "project"))
    result = handouts(folder, "build", "-j", "2")
    assert result.returncode == 0, result.stderr


def slim(project: Path) -> None:
    """The fixture cut to dvt, in English and Spanish: calf-strain and both topics go, with the
    links to them (dvt's related pages, the guide's chapters) and their translations."""
    sources = project / "sources"
    for chapter in ("condition: calf-strain", "topic: price-method", "topic: tests"):
        edit_source(sources / "guides/small-guide.yaml", f"  - {chapter}\n", "")
    edit_source(sources / "conditions/dvt.yaml", "conditions: [calf-strain]", "conditions: []")
    edit_source(sources / "conditions/dvt.yaml", "topics: [tests]", "topics: []")
    for gone in ("conditions/calf-strain.yaml", "locales/es/conditions/calf-strain.po"):
        (sources / gone).unlink()
    for gone in ("topics", "locales/es/topics"):
        shutil.rmtree(sources / gone)


def make_slim_base(folder: Path) -> None:
    """A copy of the package and of the slim project, built once."""
    make_base(folder, trim=slim)
    # "Every artifact was rebuilt" proves as much as the kinds of artifact there are: the slim
    # build must keep every format, and every localized one in Spanish too.
    formats = {name: fmt for name, fmt in all_formats().items() if not fmt.on_demand}
    kinds = {(entry["format"], entry["locale"]) for entry in manifest(folder / "project/outputs")["artifacts"]}
    assert kinds == {(name, "en-US") for name in formats} | {(name, "es-US") for name, fmt in formats.items()
                                                             if fmt.localized}, kinds


def case_env(case: Path) -> dict[str, str]:
    """The environment a case's builds run in: its own copy of the package, no fixed date."""
    env = {**os.environ, "PYTHONPATH": str(case / "package")}
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def handouts(case: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args, "--project", str(case / "project")],
                          capture_output=True, text=True, env=case_env(case), cwd=case, timeout=900)


# An incremental build, then a clean one into another folder, in one process: it starts Python,
# imports the pipeline and starts the fork server that lays out leaflets once, not twice (about
# 4 CPU-seconds a start). The clean build still renders every artifact from the sources: the
# only state a build reads is its output folder's, and this one starts empty.
THEN = "--then"
BUILD_TWICE = r"""
import sys
from pipeline.cli import main
then = sys.argv.index("--then")
for args in (sys.argv[1:then], sys.argv[then + 1:]):
    code = 0
    try:
        main(args, prog_name="handouts")
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    sys.stderr.write("\n--then %d\n" % code)
    sys.stderr.flush()
"""


def incremental_then_clean(case: Path, clean: Path) -> str:
    """`handouts build` in the case, then a clean build of it into `clean`: the incremental
    build's stderr. Both must succeed."""
    project = ["--project", str(case / "project")]
    result = subprocess.run([sys.executable, "-c", BUILD_TWICE, "build", "-j", "2", *project, THEN,
                             "build", "-j", "2", "--out", str(clean), *project],
                            capture_output=True, text=True, env=case_env(case), cwd=case, timeout=900)
    parts = re.split(rf"^{THEN} (-?\d+)\n", result.stderr, flags=re.M)
    assert result.returncode == 0 and len(parts) == 5, result.stderr
    incremental, first_code, clean_err, second_code, _ = parts
    assert first_code == "0", f"the incremental build failed: {incremental}"
    assert second_code == "0", f"the clean build failed: {clean_err}"
    return incremental


def hashes(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and ".handouts" not in p.parts}


def built(stderr: str) -> set[str]:
    return set(re.findall(r"^built\s+\S+\s+(\S+) \(", stderr, re.M))


def _in(case: Path, relative: str, old: str, new: str) -> None:
    edit_source(case / relative, old, new)


# name: (edit, artifacts that must be rebuilt: a set, "all but assets", or None for every one).
# Package files are the toolchain of every artifact, so any edit to one rebuilds everything.
MUTATIONS = {
    "source": (lambda case: _in(case, "project/sources/conditions/dvt.yaml", "It is serious, so get medical help",
                                "It is serious, so please get medical help"),
               # (The Spanish dvt was made from the old English: it leaves Spanish, and the Spanish
               # pages that linked to it are rebuilt without the link; see below.)
               DVT_PAGES | {"epub/small-guide.epub", "print-pack.letter.zip", "index.html"}),
    "template": (lambda case: _in(case, "package/pipeline/templates/_content.html.j2", "</h2>", "</h2>\n"), None),
    "style": (lambda case: _in(case, "package/pipeline/styles/leaflet.css", "}", "}\nh2 { letter-spacing: 0.01em; }"),
              None),
    "schema": (lambda case: _in(case, "package/schemas/condition.schema.json", '"description": "',
                                '"description": "(edited) '), None),
    "python-module": (lambda case: _in(case, "package/pipeline/qr.py", 'error="m"', 'error="h"'), None),
    "publisher-profile": (lambda case: _in(case, "project/sources/publishers/us-default.yaml",
                                           "name: ", "name: The "),
                          "all but assets"),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory, fixture_built) -> Path:
    """A copy of the package beside the fixture project as the run's shared build left it: the
    same files, so the copy's build finds everything up to date (the source case checks it)."""

    def make(folder: Path) -> None:
        copy_package(folder)
        copy_built(fixture_built, folder / "project")

    return shared_folder(tmp_path_factory, "incremental-base", make=make)


@pytest.fixture(scope="module")
def slim_base(tmp_path_factory) -> Path:
    return shared_folder(tmp_path_factory, "incremental-slim-base", make=make_slim_base)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_an_incremental_build_equals_a_clean_one(request, tmp_path, name):
    edit, expected = MUTATIONS[name]
    # A case that names what is rebuilt needs the whole fixture, for what it leaves alone; the
    # others rebuild everything and run on the slim copy (see the module's docstring).
    base = request.getfixturevalue("base" if isinstance(expected, set) else "slim_base")
    case = tmp_path / "case"
    copy_built(base, case)
    before = hashes(case / "project/outputs")
    edit(case)

    incremental = incremental_then_clean(case, tmp_path / "clean")
    after = hashes(case / "project/outputs")
    assert after == hashes(tmp_path / "clean"), f"{name}: the incremental build differs from a clean one"

    everything = set(after) - {"manifest.json"}
    rebuilt = built(incremental)
    if expected is None:
        assert rebuilt == everything
    elif expected == "all but assets":
        assert rebuilt == everything - ASSETS
    else:
        assert {path for path in rebuilt if not path.startswith("es/")} == expected
        spanish = {path for path in rebuilt if path.startswith("es/")}
        # The Spanish dvt itself is gone, not rebuilt; the Spanish pages that linked to it are.
        assert "es/html/calf-strain.html" in spanish and not any("dvt" in path for path in spanish), spanish
    # What was rebuilt is what differs, or could have: nothing else moved.
    changed = {path for path in after if after[path] != before.get(path)} - {"manifest.json"}
    assert changed <= rebuilt
    if name != "schema":  # editing a schema's description changes no output
        assert changed, f"{name}: the edit changed no output, so this case proves nothing"


def test_a_tightened_schema_stops_build_and_validate_alike(slim_base, tmp_path):
    """Validation and the build read the same schemas: tightening one makes both refuse the
    same source, and the build does not say "nothing to do". Failed before: the build hashed
    the project's schemas/ while validation read another copy."""
    case = tmp_path / "case"
    copy_built(slim_base, case)
    before = hashes(case / "project/outputs")
    schema = case / "package/schemas/condition.schema.json"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace('"title": {', '"title": {\n      "maxLength": 5,', 1), encoding="utf-8")
    assert '"maxLength": 5' in schema.read_text(encoding="utf-8")
    for command in ("validate", "build"):
        result = handouts(case, command)
        assert result.returncode == 1, (command, result.stderr)
        assert re.search(r"^sources/conditions/dvt\.yaml:\d+:8: error: 'Blood clot in a deep vein .*' is too long",
                         result.stderr, re.M), (command, result.stderr)
    assert hashes(case / "project/outputs") == before


def test_a_new_library_version_rebuilds_everything_and_says_why(project, monkeypatch):
    """A different WeasyPrint (or Pango, HarfBuzz, pandoc...) changes every fingerprint; the dry
    run names the version change."""
    from pipeline import toolchain
    from pipeline.build import BuildOptions, build, dry_run
    from pipeline.project import Project

    options = BuildOptions(out_dir=project / "outputs", workers=2, formats=("html", "sms"))
    assert not build(Project(project), options).failed
    versions = dict(toolchain.library_versions())
    monkeypatch.setattr(toolchain, "library_versions", lambda: {**versions, "weasyprint": "99.0"})
    plan = dry_run(Project(project), options)
    assert plan.would_build and all(f"weasyprint {versions['weasyprint']} -> 99.0" in reason
                                    for _path, _fmt, reason in plan.would_build)
    report = build(Project(project), options)
    assert {o.status for o in report.outcomes} == {"built"}
