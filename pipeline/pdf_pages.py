"""A PDF's page count, read from its bytes without a PDF library."""

from __future__ import annotations

import re
import zlib

# The root of the page tree is the /Pages dictionary with the largest /Count (the only one,
# in WeasyPrint's files). Outlines have a /Count too, hence the /Type check. Found by its
# /Type, then read between the brackets around it: a pattern that scanned for whole
# dictionaries walked every byte of the embedded fonts (13 ms a leaflet, measured).
_PAGES_TYPE = re.compile(rb"/Type\s*/Pages\b")
_COUNT = re.compile(rb"/Count\s+(\d+)")
# WeasyPrint (pydyf) writes most objects, the page tree included, into compressed object streams.
_OBJECT_STREAM = re.compile(rb"<<[^<>]*/Type\s*/ObjStm\b[^<>]*/FlateDecode[^<>]*>>\s*stream\r?\n"
                            rb"|<<[^<>]*/FlateDecode[^<>]*/Type\s*/ObjStm\b[^<>]*>>\s*stream\r?\n")


def page_count(data: bytes) -> int | None:
    """The number of pages, or None when the bytes hold no page tree this can read."""
    view = memoryview(data)
    texts = [data]
    for match in _OBJECT_STREAM.finditer(data):
        try:
            # A decompressor stops at the end of its stream, so no /Length is needed.
            texts.append(zlib.decompressobj().decompress(view[match.end():]))
        except zlib.error:
            continue
    counts = []
    for text in texts:
        for pages in _PAGES_TYPE.finditer(text):
            start, end = text.rfind(b"<<", 0, pages.start()), text.find(b">>", pages.end())
            if start < 0 or end < 0 or b">>" in text[start + 2:pages.start()]:
                continue  # not inside a dictionary
            count = _COUNT.search(text, start, end)
            if count:
                counts.append(int(count.group(1)))
    return max(counts) if counts else None
