"""`make bench`'s generated dataset must be a valid project, or the benchmark measures nothing.
(It was not: the copies shared their originals' leaflet references once references had to be
unique, and `make bench` stopped at validation.)"""

from __future__ import annotations

from pipeline.bench import generated_dataset
from pipeline.project import Project


def test_the_generated_conditions_are_a_valid_library(tmp_path):
    folder = generated_dataset(tmp_path / "bench", 30)
    library = Project(folder).library()
    assert len(library.conditions) == 30
    references = [condition.reference for condition in library.conditions.values()]
    assert len(set(references)) == len(references)


def test_the_floor_renders_the_same_heavy_artifacts_as_a_build(tmp_path):
    """The floor is compared with a full build, so it must do the same rendering work: every
    leaflet and guide in every locale (it once left out the Spanish ones and the paper sizes)."""
    from conftest import copy_project
    from pipeline.bench import floor_jobs
    from pipeline.build import BuildOptions, dry_run
    from pipeline.formats import all_formats

    project = Project(copy_project(tmp_path / "project"))
    heavy = {name for name, fmt in all_formats().items() if fmt.heavy}
    would_build = {path for path, fmt, _reason in dry_run(project, BuildOptions(out_dir=tmp_path / "out")).would_build
                   if fmt in heavy}
    paths = [job.path for _fmt, job, _ctx in floor_jobs(project)]
    assert len(paths) == len(set(paths))
    assert set(paths) == would_build
    assert any(path.startswith("es/pdf/") for path in paths) and any(path.startswith("es/epub/") for path in paths)
