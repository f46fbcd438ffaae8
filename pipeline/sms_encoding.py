"""How a text message is encoded and how many segments it costs, following the GSM 03.38 rules."""

from __future__ import annotations

from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7 = "GSM-7"
UCS2 = "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
MULTIPART = {GSM7: 153, UCS2: 67}

# Typographic characters that editors paste in, and the plain characters a phone shows just as
# well. One of them left in would switch the whole message to UCS-2 and triple its cost.
PLAIN_REPLACEMENTS = {
    "\u2019": "'", "\u2018": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u2007": " ",
}


def to_plain(text: str) -> str:
    return "".join(PLAIN_REPLACEMENTS.get(char, char) for char in text)


def gsm7_cost(char: str) -> int | None:
    """Septets for one character in GSM-7 (1 basic, 2 extension), or None if it has none."""
    try:
        return len(char.encode("gsm03.38"))
    except (UnicodeEncodeError, ValueError):
        return None


@dataclass(frozen=True)
class Encoded:
    encoding: str  # GSM7 or UCS2
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    # Characters that forced UCS-2, in order of first appearance.
    outside_gsm7: tuple[str, ...] = ()

    @property
    def fits_one_segment(self) -> bool:
        return self.segments == 1


def _segments(costs: list[int], single: int, per_part: int) -> int:
    """Segments needed, never splitting one character's units across two segments."""
    total = sum(costs)
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            segments += 1
            used = 0
        used += cost
    return segments


def encode(text: str) -> Encoded:
    """The encoding and cost of `text` exactly as given (no replacements)."""
    costs = [gsm7_cost(char) for char in text]
    if all(cost is not None for cost in costs):
        return Encoded(GSM7, sum(costs), _segments(costs, SINGLE[GSM7], MULTIPART[GSM7]))
    outside = tuple(dict.fromkeys(char for char, cost in zip(text, costs) if cost is None))
    units = [len(char.encode("utf-16-le")) // 2 for char in text]
    return Encoded(UCS2, sum(units), _segments(units, SINGLE[UCS2], MULTIPART[UCS2]), outside)
