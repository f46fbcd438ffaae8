"""The "where it hurts" picture: one drawing per body location, its mark where the words say."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from pipeline import body_map

SVG = "{http://www.w3.org/2000/svg}"
SCHEMA = json.loads((ROOT / "schemas/condition.schema.json").read_text(encoding="utf-8"))


def test_the_schema_offers_exactly_the_locations_the_pipeline_can_draw():
    assert SCHEMA["properties"]["body_location"]["enum"] == list(body_map.LOCATIONS)
    assert "body_location" in SCHEMA["required"]


def _mark_centres(svg_text: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg_text)
    marks = root.findall(f"{SVG}g")[-1]  # the marked area is drawn last, on top
    centres = []
    for shape in marks:
        if shape.tag == f"{SVG}ellipse":
            centres.append((float(shape.get("cx")), float(shape.get("cy"))))
        else:
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d"))]
            centres += list(zip(numbers[0::2], numbers[1::2]))
    return centres


@pytest.mark.parametrize("name", list(body_map.LOCATIONS))
def test_each_location_is_a_titled_drawing_marked_on_the_right_leg(name):
    svg = body_map.svg(name)
    root = ET.fromstring(svg)  # well-formed XML, as EPUB and the PDF renderer need
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == body_map.alt_text(name)
    assert not root.findall(f".//{SVG}text") and "href" not in svg  # no text or links in the picture
    where = body_map.location(name)
    # Seen from behind the right leg is on the viewer's right; from the front, on the left.
    for x, y in _mark_centres(svg):
        assert (x > body_map.WIDTH / 2 - 4) if where.view == "back" else (x < body_map.WIDTH / 2), (name, x)
        assert 0 <= y <= body_map.HEIGHT


@pytest.mark.parametrize("name", list(body_map.LOCATIONS))
def test_alt_text_and_caption_come_from_the_location(name):
    where = body_map.location(name)
    alt = body_map.alt_text(name)
    side = "from behind" if where.view == "back" else "from the front"
    assert alt == f"Drawing of both legs seen {side}. On the right leg, {where.area} is marked."
    assert body_map.caption(name) == f"Where it hurts: {where.place}."


def test_inner_and_outer_sides_face_the_right_way():
    # Seen from behind, the inner side of the right leg faces the left leg (smaller x).
    inner = _mark_centres(body_map.svg("inner-hamstring-tendons"))[0][0]
    outer = _mark_centres(body_map.svg("outer-hamstring-tendons"))[0][0]
    centre = _mark_centres(body_map.svg("back-of-knee-centre"))[0][0]
    assert inner < centre < outer
    # Back views show the knee creases; front views the kneecaps.
    assert "ellipse" not in body_map.svg("calf").split("<g fill=\"#b3261e\"")[0]
    assert body_map.svg("below-kneecap").split("<g fill=\"#b3261e\"")[0].count("<ellipse") == 2


def test_the_data_uri_is_the_same_drawing():
    uri = body_map.data_uri("calf")
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == body_map.svg("calf")


def test_an_unknown_location_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown body location 'knee'.*back-of-knee-centre"):
        body_map.alt_text("knee")


def test_every_real_condition_has_a_location(library):
    for slug, condition in library.conditions.items():
        assert condition.body_location in body_map.LOCATIONS, slug
