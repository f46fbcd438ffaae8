"""A PDF's page count, read from its bytes without a PDF library."""

from __future__ import annotations

import re
import zlib

# The root of the page tree is the /Pages dictionary with the largest /Count (the only one,
# in WeasyPrint's files). Outlines have a /Count too, hence the /Type check.
_PAGES_DICT = re.compile(rb"<<((?:(?!<<|>>).)*?/Type\s*/Pages\b(?:(?!<<|>>).)*)>>", re.S)
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
    counts = [
        int(count.group(1))
        for text in texts
        for pages in _PAGES_DICT.finditer(text)
        if (count := _COUNT.search(pages.group(1)))
    ]
    return max(counts) if counts else None
