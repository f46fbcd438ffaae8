"""An editor adds a valid condition: validate, lint and build still pass, and it is in every format.
And one broken source fails the tests about it, never the collection of the whole suite."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_built
from pipeline.build import BuildOptions, build
from pipeline.formats.sms import compose
from pipeline.project import Project
from pipeline.sms_encoding import GSM7, encode
from real_sources import slugs
from textfields import epub_text, missing_by_format

NEW = "example-new-condition"


def copy_real_project(target: Path) -> Path:
    """The real sources and schemas (whatever they hold today) in a folder of their own."""
    for folder in ("sources", "schemas"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, target / folder)
    return target


def add_condition_like(project: Path, original: str, slug: str) -> None:
    """A new condition: a copy of an existing source, under a new slug and title, as a chapter
    of the first guide. Copied as text, so fields added to the schema later come along."""
    text = (project / f"sources/conditions/{original}.yaml").read_text(encoding="utf-8")
    text, renamed = re.subn(rf"^slug: {re.escape(original)}$", f"slug: {slug}", text, count=1, flags=re.M)
    # The old title stays inside the new one, so whatever plain words it gave remain.
    text, retitled = re.subn(r"^title: (.+)$", r"title: Example copy of \1", text, count=1, flags=re.M)
    assert renamed == retitled == 1, "the copied source has no one-line slug and title"
    # A leaflet reference names one item: the copy gets its own.
    text, referenced = re.subn(r"^reference: (.+)$", r"reference: \1-COPY", text, count=1, flags=re.M)
    assert referenced == 1, "the copied source has no one-line reference"
    (project / f"sources/conditions/{slug}.yaml").write_text(text, encoding="utf-8")
    guide = project / f"sources/guides/{slugs('guides')[0]}.yaml"
    lines = guide.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("chapters:\n") + 1
    indent = re.match(r"\s*", lines[at]).group()
    lines.insert(at, f"{indent}- condition: {slug}\n")
    guide.write_text("".join(lines), encoding="utf-8")


def an_original_whose_sms_still_fits(library, slug: str) -> str:
    """An existing condition whose message still fits one segment with the new slug in its link."""
    for original, condition in sorted(library.conditions.items()):
        copy = dataclasses.replace(condition, slug=slug)
        costs = [encode(compose(copy, publisher)) for publisher in library.publishers.values()]
        if all(c.encoding == GSM7 and c.segments == 1 for c in costs):
            return original
    raise AssertionError("no real condition's message leaves room for a longer slug")


@pytest.mark.slow
def test_a_new_condition_passes_every_check_and_reaches_every_format(tmp_path, cli, library, built):
    project = copy_real_project(tmp_path / "p")
    original = an_original_whose_sms_still_fits(library, NEW)
    add_condition_like(project, original, NEW)

    for command in ("validate", "lint"):
        result = cli(command, project_dir=project)
        assert result.exit_code == 0, result.output
    # On top of the suite's build of the real sources, as an editor's next `make` would be
    # (incremental equals clean: tests/test_incremental.py).
    out = tmp_path / "out"
    copy_built(built, out)
    report = build(Project(project), BuildOptions(out_dir=out, workers=2))
    assert f"pdf/{NEW}.a4.pdf" in {o.job.path for o in report.outcomes if o.status == "built"}
    assert not report.failed, [o.error for o in report.failed]

    grown = Project(project).library()
    assert len(grown.conditions) == len(library.conditions) + 1
    for file in (f"html/{NEW}.html", f"pdf/{NEW}.a4.pdf", f"pdf/{NEW}.letter.pdf",
                 f"pdf/{NEW}.large-print.a4.pdf", f"pdf/{NEW}.large-print.letter.pdf",
                 f"sms/{NEW}.txt"):
        assert (out / file).is_file(), file
        assert f'href="{file}"' in (out / "index.html").read_text(encoding="utf-8"), file
    assert f"{NEW}," in (out / "sms/messages.csv").read_text(encoding="utf-8")
    assert "Example copy of " in epub_text(out / f"epub/{slugs('guides')[0]}.epub")
    # Every field of the new condition, in every format, as for the real ones.
    assert missing_by_format(out, grown, only=(NEW,)) == {}


def test_a_broken_source_does_not_break_collection(tmp_path):
    """Test modules take the real sources' slugs from file names and load them only inside
    tests; loading them at import (as `LIBRARY = Project(ROOT).library()` did) fails here."""
    project = copy_real_project(tmp_path / "p")
    for folder in ("tests", "pipeline"):
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    broken = project / "sources/conditions" / f"{slugs('conditions')[0]}.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "title: [unclosed\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                            cwd=project, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(project)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"^\d+ tests collected", result.stdout, re.M)
