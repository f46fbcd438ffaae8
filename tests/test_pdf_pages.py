"""Page counts read from PDF bytes agree with a PDF library, compressed object streams or not."""

from __future__ import annotations

import io

import pikepdf
import pytest

from pipeline.pdf_pages import page_count


def test_every_built_pdf(built):
    pdfs = sorted(built.glob("pdf/*.pdf"))
    assert pdfs
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            assert page_count(path.read_bytes()) == len(pdf.pages), path.name


@pytest.mark.parametrize("pages", [1, 3, 7])
@pytest.mark.parametrize("streams", [pikepdf.ObjectStreamMode.disable, pikepdf.ObjectStreamMode.generate])
def test_made_by_another_writer(pages, streams):
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    # An outline has a /Count of its own, which must not be taken for the page count.
    with pdf.open_outline() as outline:
        outline.root.extend(pikepdf.OutlineItem(f"Item {n}", 0) for n in range(pages + 5))
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=streams, compress_streams=True)
    assert page_count(out.getvalue()) == pages


@pytest.mark.parametrize("data", [b"", b"not a PDF", b"%PDF-1.7\n<</Type /ObjStm/Filter /FlateDecode>>\nstream\nbroken"])
def test_unreadable_bytes_give_none(data):
    assert page_count(data) is None
