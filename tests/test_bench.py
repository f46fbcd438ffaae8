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
