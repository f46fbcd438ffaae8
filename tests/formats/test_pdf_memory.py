"""A worker's memory must not grow with the number of leaflets it renders."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import dataclasses, resource, pathlib
from pipeline.project import Project
from pipeline.formats import RenderContext, Job
from pipeline.formats.pdf import PdfFormat
from pipeline.model import FrozenMap
lib = Project(pathlib.Path({root!r})).library()
fmt = PdfFormat(); fmt.warm_up()
base = lib.conditions["dvt"]
def render(n):
    slug = f"dvt-u{{n:04d}}"
    c = dataclasses.replace(base, slug=slug, title=base.title + f" {{n}}")
    ctx = RenderContext(dataclasses.replace(lib, conditions=FrozenMap({{**lib.conditions, slug: c}})),
                        lib.publishers["us-default"], "2026-11-21T00:00:00+00:00")
    fmt.render(Job("pdf", "a4", f"pdf/{{slug}}.a4.pdf", slug, subject=("condition", slug)), ctx)
for n in range(20):
    render(n)
after_20 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for n in range(20, 80):
    render(n)
after_80 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after_80 - after_20) // 1024)
"""


def test_rendering_unique_leaflets_does_not_grow_memory(project):
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(root=str(project))], capture_output=True,
                            text=True, check=True, timeout=300)
    growth_mib = int(result.stdout.strip())
    # 60 more unique leaflets: with the old shared image cache this grew by about 140 MiB.
    assert growth_mib < 15, f"peak memory grew by {growth_mib} MiB over 60 leaflets"
