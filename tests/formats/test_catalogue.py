"""The catalogue: every link resolves to a file in the manifest, every file is reachable."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urldefrag

from conftest import manifest

LINK = re.compile(r'(?:href|src)="([^"]+)"')
CSS_URL = re.compile(r'url\("?([^")]+)"?\)')


def local_targets(base: str, text: str, pattern) -> list[str]:
    found = []
    for href in pattern.findall(text):
        href = urldefrag(href)[0]
        if not href or re.match(r"^[a-z]+:", href):
            continue
        found.append(str(PurePosixPath(*(PurePosixPath(base).parent / href).parts).as_posix()))
    return [_normalise(path) for path in found]


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def test_catalogue_links_both_ways(built):
    listed = {a["path"] for a in manifest(built)["artifacts"]}
    index = (built / "index.html").read_text(encoding="utf-8")
    direct = local_targets("index.html", index, LINK)
    assert direct and set(direct) <= listed, set(direct) - listed
    # Crawl from the catalogue: pages link to pages, stylesheets name fonts.
    seen, queue = {"index.html"}, list(direct)
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        assert path in listed, f"{path} is linked but not in the manifest"
        if path.endswith(".html"):
            queue += local_targets(path, (built / path).read_text(encoding="utf-8"), LINK)
        elif path.endswith(".css"):
            queue += local_targets(path, (built / path).read_text(encoding="utf-8"), CSS_URL)
    assert listed - seen == set(), "not reachable from the catalogue"


def test_catalogue_lists_every_condition_with_status_and_sizes(built, library):
    index = (built / "index.html").read_text(encoding="utf-8")
    for slug, condition in library.conditions.items():
        for file in (f"html/{slug}.html", f"pdf/{slug}.pdf", f"pdf/{slug}.letter.pdf",
                     f"pdf/{slug}.large-print.pdf", f"sms/{slug}.txt"):
            assert f'href="{file}"' in index
    entries = re.findall(r'<div class="entry".*?</div>', index, re.S)
    assert len(entries) == len(library.conditions)
    for slug, condition in library.conditions.items():
        [entry] = [e for e in entries if f'href="html/{slug}.html"' in e]
        day = condition.review.last_reviewed
        assert condition.approval.status == "draft"  # the real sources: no clinician has approved them
        assert (f"Leaflet {condition.reference}, version 1. Status: draft, not yet clinically reviewed. "
                f"Last reviewed {day:%B} {day.day}, {day.year}.") in entry, slug
    assert re.search(r"Printable leaflet, A4 \(PDF\)</a> \(\d+ KB\)", index)
    for slug in library.guides:
        assert f'href="epub/{slug}.epub"' in index
