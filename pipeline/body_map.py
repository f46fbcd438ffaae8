"""The "where it hurts" picture: a drawing of the legs with one area marked, and its words.

Pure functions from a body location (the `body_location` enum of the condition schema) to
SVG markup, alt text and a caption. Every format shows the same picture and the same words.
The drawing is the project's own: simple smooth outlines built from a few points each.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from .interface import pgettext, translate

# The drawing's coordinate system: both legs from the waist down, 120 wide, 300 tall.
WIDTH, HEIGHT = 120, 300
SKIN, OUTLINE, DETAIL = "#ece6df", "#3d3d3d", "#8a8178"
MARK, MARK_EDGE = "#b3261e", "#5c0f0a"


@dataclass(frozen=True)
class Location:
    view: str  # "back" or "front": which side of the legs the drawing shows
    area: str  # what the mark covers, for the alt text: "... is marked"
    place: str  # where it hurts, for the caption: "Where it hurts: ..."
    # The marked area as SVG shapes in the drawing's coordinates (on the person's right leg).
    mark: tuple[str, ...]


# Seen from behind, the person's right leg is on the viewer's right (x > 60); seen from the
# front, it is on the viewer's left (x < 60). Its inner side always faces the other leg.
LOCATIONS: dict[str, Location] = {
    "back-of-knee-centre": Location(
        "back", pgettext("body-map.area.back-of-knee-centre", "the middle of the back of the knee"), pgettext("body-map.place.back-of-knee-centre", "in the middle of the back of the knee"),
        ('<ellipse cx="83" cy="156" rx="10" ry="9"/>',)),
    "back-of-knee-outer": Location(
        "back", pgettext("body-map.area.back-of-knee-outer", "the outer side of the back of the knee"), pgettext("body-map.place.back-of-knee-outer", "at the back of the knee, on the outer side"),
        ('<ellipse cx="91" cy="157" rx="7" ry="11" transform="rotate(-25 91 157)"/>',)),
    "inner-hamstring-tendons": Location(
        "back", pgettext("body-map.area.inner-hamstring-tendons", "the inner side of the back of the knee"),
        pgettext("body-map.place.inner-hamstring-tendons", "at the back of the knee, on the inner side, where the inner hamstring tendons run"),
        ('<ellipse cx="73" cy="140" rx="5.5" ry="19"/>',)),
    "outer-hamstring-tendons": Location(
        "back", pgettext("body-map.area.outer-hamstring-tendons", "the outer side of the back of the knee"),
        pgettext("body-map.place.outer-hamstring-tendons", "at the back of the knee, on the outer side, where the outer hamstring tendon runs"),
        ('<ellipse cx="94" cy="140" rx="5.5" ry="19"/>',)),
    "hamstrings": Location(
        "back", pgettext("body-map.area.hamstrings", "the back of the thigh, down to the knee"), pgettext("body-map.place.hamstrings", "in the back of the thigh and behind the knee"),
        ('<ellipse cx="84" cy="115" rx="13" ry="40"/>',)),
    "calf": Location(
        "back", pgettext("body-map.area.calf", "the calf"), pgettext("body-map.place.calf", "in the calf, below the back of the knee"),
        ('<ellipse cx="83" cy="192" rx="11" ry="22"/>',)),
    "back-of-knee-and-calf": Location(
        "back", pgettext("body-map.area.back-of-knee-and-calf", "the calf and the back of the knee"), pgettext("body-map.place.back-of-knee-and-calf", "in the calf and behind the knee"),
        ('<ellipse cx="83" cy="180" rx="11" ry="33"/>',)),
    "lower-back-down-leg": Location(
        "back", pgettext("body-map.area.lower-back-down-leg", "a line from the lower back down the back of the thigh to the knee"),
        pgettext("body-map.place.lower-back-down-leg", "it starts in the lower back and runs down the back of the thigh to behind the knee"),
        (f'<path d="M63 18 C70 36 78 50 80 72 C82 98 84 126 83 154" fill="none" stroke="{MARK}" '
         'stroke-width="7" stroke-linecap="round"/>',
         '<ellipse cx="63" cy="18" rx="8" ry="7"/>')),
    "below-kneecap": Location(
        "front", pgettext("body-map.area.below-kneecap", "the area just below the kneecap"), pgettext("body-map.place.below-kneecap", "just below the kneecap"),
        ('<ellipse cx="37" cy="166" rx="7" ry="8"/>',)),
    "behind-kneecap": Location(
        "front", pgettext("body-map.area.behind-kneecap", "the kneecap"), pgettext("body-map.place.behind-kneecap", "behind the kneecap"),
        ('<ellipse cx="37" cy="148" rx="9" ry="11"/>',)),
    "knee-joint-line": Location(
        "front", pgettext("body-map.area.knee-joint-line", "a line across the knee where the thigh bone meets the shin bone"),
        pgettext("body-map.place.knee-joint-line", "along the line where the thigh bone meets the shin bone"),
        ('<ellipse cx="37" cy="158" rx="19" ry="4.5"/>',)),
    "whole-joint": Location(
        "front", pgettext("body-map.area.whole-joint", "the whole knee"), pgettext("body-map.place.whole-joint", "in and around the whole knee"),
        ('<ellipse cx="37" cy="152" rx="20" ry="22"/>',)),
}


# The right half of the outline seen from behind (x > 60), from the middle of the waist down
# the outer side of the right leg, round the heel and up its inner side to the crotch. The
# left half mirrors it; the outline is the same from the front, only the details differ.
_RIGHT_HALF = (
    (60, 4), (86, 6), (100, 28), (105, 58), (102, 92), (97, 128), (95, 150), (98, 172),
    (96, 200), (89, 228), (88, 258), (93, 276), (88, 290), (72, 290), (71, 270), (74, 254),
    (72, 226), (68, 198), (68, 172), (70, 150), (68, 120), (64, 88),
)
_CROTCH = (60, 76)
_DETAILS = {
    # The cleft and creases of the buttocks and the creases behind the knees mark the back.
    "back": ('<path d="M60 8 L60 62"/>', '<path d="M62 74 C72 81 88 81 101 71"/>',
             '<path d="M58 74 C48 81 32 81 19 71"/>', '<path d="M74 152 C80 156 88 156 94 152"/>',
             '<path d="M46 152 C40 156 32 156 26 152"/>'),
    # The kneecaps mark the front.
    "front": ('<ellipse cx="37" cy="148" rx="7.5" ry="9"/>', '<ellipse cx="83" cy="148" rx="7.5" ry="9"/>'),
}


def _smooth(points) -> str:
    """A closed SVG path through the points, smoothed with Catmull-Rom curves."""
    pts = list(points)
    count = len(pts)
    d = f"M{pts[0][0]:g} {pts[0][1]:g}"
    for i in range(count):
        p0, p1, p2, p3 = (pts[(i + k) % count] for k in (-1, 0, 1, 2))
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        d += f" C{c1[0]:.1f} {c1[1]:.1f} {c2[0]:.1f} {c2[1]:.1f} {p2[0]:g} {p2[1]:g}"
    return d + " Z"


def _outline() -> str:
    left_half = [(WIDTH - x, y) for x, y in reversed(_RIGHT_HALF[1:])]
    return _smooth([*_RIGHT_HALF, _CROTCH, *left_half])


def _legs(view: str) -> str:
    return (f'<path d="{_outline()}" fill="{SKIN}" stroke="{OUTLINE}" stroke-width="1.6" '
            'stroke-linejoin="round"/>'
            f'<g fill="none" stroke="{DETAIL}" stroke-width="1.2" stroke-linecap="round">'
            f'{"".join(_DETAILS[view])}</g>')


def location(name: str) -> Location:
    try:
        return LOCATIONS[name]
    except KeyError:
        raise ValueError(f"unknown body location {name!r} (known: {', '.join(LOCATIONS)})") from None


def alt_text(name: str) -> str:
    """What the picture shows, for readers who cannot see it."""
    where = location(name)
    area = translate(f"body-map.area.{name}", where.area)
    if where.view == "back":
        return pgettext("body-map.alt-back", "Drawing of both legs seen from behind. On the right leg, {area} is marked.").format(area=area)
    return pgettext("body-map.alt-front", "Drawing of both legs seen from the front. On the right leg, {area} is marked.").format(area=area)


def caption(name: str) -> str:
    """The words printed with the picture."""
    place = translate(f"body-map.place.{name}", location(name).place)
    return pgettext("body-map.caption", "Where it hurts: {place}.").format(place=place)


def svg(name: str) -> str:
    """The picture as a standalone SVG document, its <title> the alt text (in the language
    being rendered)."""
    return _svg(name, alt_text(name))


@lru_cache(maxsize=None)
def _svg(name: str, title: str) -> str:
    where = location(name)
    marks = "".join(where.mark)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img">'
        f"<title>{escape(title)}</title>"
        f"{_legs(where.view)}"
        f'<g fill="{MARK}" fill-opacity="0.85" stroke="{MARK_EDGE}" stroke-width="1.4">{marks}</g>'
        "</svg>"
    )


def data_uri(name: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg(name).encode("utf-8")).decode("ascii")


def inline_svg(name: str) -> Markup:
    """The picture as markup to place inside an HTML page (it carries no content text)."""
    return Markup(svg(name))
