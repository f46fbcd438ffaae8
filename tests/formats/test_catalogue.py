"""The catalogue: every link resolves, cards in plain-title order with page counts and sizes, the print pack first."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urldefrag

import lxml.html
import pikepdf
import pytest

from conftest import manifest
from pipeline.formats import Listed, RenderContext, all_formats
from pipeline.formats.catalogue import AREAS, LOCATION_AREAS, human_size
from pipeline.formats.printpack import PrintPackFormat, members, paper_size
from pipeline.model import Library
from pipeline.project import Project

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


def _text(element) -> str:
    return " ".join(element.text_content().split())


def cards(index: str) -> list[dict]:
    """Each card of the catalogue: its section, title, text, area, picture and downloads."""
    found = []
    for section in lxml.html.fromstring(index).iter("section"):
        for card in section.find_class("card"):
            found.append({
                "section": section.get("class").split()[0],
                "title": _text(card.find("h3")),
                "text": _text(card),
                "areas": (card.get("data-areas") or "").split(),
                "picture": card.find("img"),
                "downloads": [
                    {"href": li.find("a").get("href"), "label": _text(li.find("a")),
                     "facts": _text(li.find_class("file-facts")[0])}
                    for li in card.find_class("downloads")[0].findall("li")
                ] if card.find_class("downloads") else [],
            })
    return found


@pytest.fixture(scope="module")
def index(built) -> str:
    return (built / "index.html").read_text(encoding="utf-8")


def test_catalogue_links_both_ways(built, index):
    listed = {a["path"] for a in manifest(built)["artifacts"]}
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


def test_a_card_for_every_condition_and_topic_in_plain_title_order(index, library):
    found = cards(index)
    conditions = [c for c in found if c["section"] == "conditions"]
    topics = [c for c in found if c["section"] == "topics"]
    assert [c["title"] for c in conditions] == sorted((c.title for c in library.conditions.values()), key=str.lower)
    assert [c["title"] for c in topics] == sorted((t.title for t in library.topics.values()), key=str.lower)
    by_title = {c.title: c for c in library.conditions.values()}
    for card in conditions:
        condition = by_title[card["title"]]
        # The medical name is shown, so a reader looking for it finds it without the search box.
        assert f"Medical name: {condition.medical_name}" in card["text"]
        assert condition.summary in card["text"]
        assert condition.approval.status == "draft"  # the real sources: no clinician has approved them
        assert "Not yet approved." in card["text"]
        assert f"Leaflet {condition.reference}, version {condition.approval.version}." in card["text"]
        assert "Status: draft, not yet clinically reviewed." in card["text"]


@pytest.mark.parametrize("catalogue, page_words", [("index.html", ("page", "pages")),
                                                    ("es/index.html", ("página", "páginas"))])
def test_every_download_shows_its_page_count_and_size(built, catalogue, page_words):
    """Each locale's catalogue, every one of its locale's leaflets with its pages, in its words."""
    prefix = catalogue.removesuffix("index.html")
    sizes = {a["path"]: a["bytes"] for a in manifest(built)["artifacts"]}
    checked = 0
    for card in cards((built / catalogue).read_text(encoding="utf-8")):
        assert card["downloads"], card["title"]
        for link in card["downloads"]:
            path = prefix + link["href"]
            facts = link["facts"].strip("()")
            assert facts.endswith(human_size(sizes[path])), (link, facts)
            if path.endswith(".pdf"):
                with pikepdf.open(built / path) as pdf:
                    pages = len(pdf.pages)
                assert facts.startswith(f"PDF, {pages} {page_words[pages != 1]}, "), (link, facts)
                checked += 1
    assert checked == sum(1 for path in sizes if path.startswith(f"{prefix}pdf/"))


def publishers_build(request, publisher: str) -> tuple[Path, Library]:
    """A finished build for `publisher` and the model it shows: the real sources for the default
    publisher (US Letter), the small fixture for the UK profile (A4)."""
    if publisher == "us-default":
        return request.getfixturevalue("built"), request.getfixturevalue("library")
    project = request.getfixturevalue("fixture_built_uk")
    return project / "outputs", Project(project).library(publisher)


@pytest.mark.parametrize("publisher, paper_name", [("us-default", "US Letter"), ("uk-example", "A4")])
def test_the_publishers_paper_comes_first(request, publisher, paper_name):
    out, _library = publishers_build(request, publisher)
    index = (out / "index.html").read_text(encoding="utf-8")
    for card in cards(index):
        leaflets = [link["label"] for link in card["downloads"] if link["href"].endswith(".pdf")]
        if leaflets:
            assert leaflets[0] == f"Leaflet, {paper_name}", card["title"]


def test_the_print_pack_is_offered_first_with_its_size(built, index, library):
    paper = paper_size(library.publishers["us-default"])
    pack = f"print-pack.{paper}.zip"
    link = index.index(f'href="{pack}"')
    assert link < index.index('id="conditions-heading"')
    size = (built / pack).stat().st_size
    assert f"Download the print pack <span class=\"file-facts\">(ZIP, {human_size(size)})</span>" in index


def _listing(out) -> tuple[Listed, ...]:
    state = __import__("json").loads((out / ".handouts/state.json").read_text(encoding="utf-8"))
    return tuple(sorted(Listed(e["path"], e["bytes"], e["sha256"], e.get("pages"))
                        for e in state["artifacts"].values()))


@pytest.mark.parametrize("publisher", ["us-default", "uk-example"])
def test_the_print_pack_holds_every_leaflet_in_the_publishers_paper(request, publisher):
    out, library = publishers_build(request, publisher)
    paper = paper_size(library.publishers[publisher])
    expected = {job.path for job in all_formats()["pdf"].jobs(RenderContext(library, library.publishers[publisher], ""))
                if job.variant == paper}
    assert expected
    with zipfile.ZipFile(out / f"print-pack.{paper}.zip") as pack:
        names = pack.namelist()
        assert names[0] == f"print-pack.{paper}/README.txt"
        packed = {f"pdf/{name.rsplit('/', 1)[1]}" for name in names[1:]}
        assert packed == expected
        for name in names[1:]:
            assert pack.read(name) == (out / "pdf" / name.rsplit("/", 1)[1]).read_bytes()
        readme = pack.read(names[0]).decode("utf-8")
        for info in pack.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.compress_type == zipfile.ZIP_STORED
    assert f"{len(expected)} leaflets" in readme
    shown = library.for_publisher(library.publishers[publisher])  # titles in the publisher's words
    for item in [*shown.conditions.values(), *shown.topics.values()]:
        if any(f"/{item.slug}." in path for path in expected):
            assert item.title in readme


def test_the_print_pack_is_the_same_bytes_every_time(built, library):
    publisher = library.publishers["us-default"]
    listed = _listing(built)
    ctx = RenderContext(library, publisher, "2026-11-21T00:00:00+00:00", listed,
                        read=lambda path: (built / path).read_bytes())
    fmt = PrintPackFormat()
    [job] = fmt.jobs(ctx)
    first, second = fmt.render(job, ctx), fmt.render(job, ctx)
    assert first == second == (built / job.path).read_bytes()
    # Listed in another order, the leaflets still go in the catalogue's order.
    shuffled = RenderContext(library, publisher, ctx.created, tuple(reversed(listed)), read=ctx.read)
    assert fmt.render(job, shuffled) == first
    order = [name.rsplit("/", 1)[1] for name in zipfile.ZipFile(io.BytesIO(first)).namelist()[1:]]
    assert order == [entry.path.rsplit("/", 1)[1] for _item, entry in members(ctx)]


def test_the_print_pack_refuses_a_leaflet_changed_on_disk(built, library):
    listed = _listing(built)
    ctx = RenderContext(library, library.publishers["us-default"], "2026-11-21T00:00:00+00:00", listed,
                        read=lambda path: (built / path).read_bytes() + b"tampered")
    fmt = PrintPackFormat()
    with pytest.raises(ValueError, match="changed on disk"):
        fmt.render(fmt.jobs(ctx)[0], ctx)


def test_drafts_are_marked_on_every_card(index, library):
    drafts = sum(not item.approval.is_approved for item in [*library.conditions.values(), *library.topics.values()])
    assert index.count('class="card-status is-draft"') == drafts


def _location(item):
    # Conditions carry a body location once issue 13's picture is in the model.
    return getattr(item, "body_location", None)


def test_condition_cards_show_where_it_hurts(index, library):
    by_title = {c.title: c for c in library.conditions.values()}
    for card in cards(index):
        location = _location(by_title[card["title"]]) if card["section"] == "conditions" else None
        if location is None:
            assert card["picture"] is None and card["areas"] == [], card["title"]
            continue
        from pipeline import body_map

        assert card["picture"].get("src") == body_map.data_uri(location)
        assert card["picture"].get("alt") == body_map.alt_text(location)
        assert body_map.caption(location) in card["text"]
        assert card["areas"] == list(LOCATION_AREAS[location])


def test_the_filter_offers_each_area_with_its_count(index, library):
    located = [c for c in library.conditions.values() if _location(c)]
    if located:
        from pipeline import body_map

        assert set(LOCATION_AREAS) == set(body_map.LOCATIONS)
    assert all(areas and set(areas) <= set(AREAS) for areas in LOCATION_AREAS.values())
    counts = {key: sum(key in LOCATION_AREAS[_location(c)] for c in located) for key in AREAS}
    offered = sum(1 for count in counts.values() if count)
    for key, label in AREAS.items():
        if counts[key] and offered > 1:
            assert f'<label for="area-{key}">{label} ({counts[key]})</label>' in index
            assert f'body:has(#area-{key}:checked) .conditions .card:not([data-areas~="{key}"])' in index
        else:
            assert f'id="area-{key}"' not in index


def test_titles_sort_as_a_reader_expects_whatever_their_accents():
    """Spanish titles: "Coágulo" comes before "Cojín" (by code point, 'á' sorts after 'z')."""
    from types import SimpleNamespace

    from pipeline.formats.printpack import title_order

    titles = ["Tirón en la pantorrilla", "Cojín de cartílago roto", "Coágulo de sangre", "Ácido", "cartílago gastado"]
    ordered = [item.title for item in sorted((SimpleNamespace(title=t) for t in titles), key=title_order)]
    assert ordered == ["Ácido", "cartílago gastado", "Coágulo de sangre", "Cojín de cartílago roto",
                       "Tirón en la pantorrilla"]
