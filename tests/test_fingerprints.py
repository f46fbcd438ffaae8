"""Each format names the part of the content model a job shows (`inputs`); the build hashes that
part with the toolchain. This checks the naming against what renderers really do: change any
part of the model, and every artifact whose named part stayed the same must keep its bytes.
A format that shows something it does not name (and so would go stale) fails here. (PDFs and
EPUBs are rendered from context_for(job) only, so only changes inside it are tried for them.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.build import artifact_date, context_for, source_date
from pipeline.formats import RenderContext, all_formats
from pipeline.model import FrozenMap
from pipeline.project import Project


def perturbations(library):
    """(name, (kind, slug), changed library): one small change to each kind of thing a page can show."""
    def with_item(kind: str, slug: str, **changes):
        items = dict(getattr(library, kind))
        items[slug] = dataclasses.replace(items[slug], **changes)
        return dataclasses.replace(library, **{kind: FrozenMap(items)})

    for kind in ("conditions", "topics"):
        for slug, item in getattr(library, kind).items():
            yield f"{slug} summary", (kind, slug), with_item(kind, slug, summary=item.summary + " Changed.")
            yield f"{slug} title", (kind, slug), with_item(kind, slug, title=item.title + " (renamed)")
            review = dataclasses.replace(item.review, last_reviewed=item.review.last_reviewed - dt.timedelta(days=1))
            yield f"{slug} review date", (kind, slug), with_item(kind, slug, review=review)
    for slug, guide in library.guides.items():
        yield f"{slug} guide title", ("guides", slug), with_item("guides", slug, title=guide.title + " (renamed)")
    for slug, publisher in library.publishers.items():
        yield f"{slug} publisher name", ("publishers", slug), with_item("publishers", slug, name=publisher.name + " Ltd")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from conftest import copy_project

    return Project(copy_project(tmp_path_factory.mktemp("fingerprints"))).library()


def contexts(library):
    publisher = library.publishers["us-default"]
    base = RenderContext(library, publisher, source_date(library).isoformat())
    for fmt in all_formats().values():
        if fmt.aggregate:
            continue
        for job in fmt.jobs(base):
            yield fmt, job, dataclasses.replace(base, created=artifact_date(job, library, base.created))


def test_a_job_whose_named_inputs_stay_the_same_keeps_its_bytes(library):
    before = {job.path: (fmt, job, ctx, fmt.inputs(job, ctx)) for fmt, job, ctx in contexts(library)}
    rendered: dict[str, bytes] = {}
    checked = 0
    for name, (kind, slug), changed in perturbations(library):
        for fmt, job, ctx in contexts(changed):
            _fmt, _job, old_ctx, old_inputs = before[job.path]
            if fmt.inputs(job, ctx) != old_inputs:
                continue  # a rebuild follows; nothing to check
            if fmt.heavy and slug not in getattr(context_for(job, old_ctx).library, kind):
                continue  # a worker is sent only context_for(job): it cannot see this change
            if job.format == "pdf" and job.variant != "a4":
                continue  # the variants differ in page and type size only; one stands for all (time)
            if job.path not in rendered:
                rendered[job.path] = fmt.render(job, old_ctx)
            assert fmt.render(job, ctx) == rendered[job.path], (
                f"{job.path} changed with '{name}', but its format's inputs() did not: it would go stale")
            checked += 1
    assert checked > 50
