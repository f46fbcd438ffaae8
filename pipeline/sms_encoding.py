"""How a text message is encoded and how many segments it costs, split as gateways and phones split it."""

from __future__ import annotations

from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
import regex

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


# U+001B is the escape code that switches to the extension table (€ is ESC e); the codec maps
# it to itself, but it is part of the encoding, not a character a message can carry.
ESCAPE = "\x1b"
_GRAPHEME = regex.compile(r"\X")


def gsm7_cost(char: str) -> int | None:
    """Septets for one character in GSM-7 (1 basic, 2 extension), or None if it has none."""
    if char == ESCAPE:
        return None
    try:
        return len(char.encode("gsm03.38"))
    except (UnicodeEncodeError, ValueError):
        return None


@dataclass(frozen=True)
class Encoded:
    """What one message costs: its encoding, its length in that encoding's units, its segments."""

    encoding: str  # GSM7 or UCS2
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    # Characters that forced UCS-2, in order of first appearance.
    outside_gsm7: tuple[str, ...] = ()
    # The text of each segment, split where a gateway splits it.
    parts: tuple[str, ...] = ()

    @property
    def fits_one_segment(self) -> bool:
        return self.segments == 1


def _pack(atoms: list[tuple[str, int]], single: int, per_part: int) -> tuple[str, ...]:
    """The text of each segment: all in one if it fits, else parts of at most `per_part` units
    (the rest of each part carries the concatenation header), never splitting an atom."""
    if sum(cost for _, cost in atoms) <= single:
        return ("".join(text for text, _ in atoms),)
    parts, current, used = [], [], 0
    for text, cost in atoms:
        if used + cost > per_part and current:
            parts.append("".join(current))
            current, used = [], 0
        current.append(text)
        used += cost
    parts.append("".join(current))
    return tuple(parts)


def _ucs2_atoms(text: str) -> list[tuple[str, int]]:
    """Whole graphemes (an emoji with its modifiers, a flag, a letter with its accents), as
    Android and Twilio keep them in one segment. A grapheme longer than a whole part has to
    be split somewhere; it is split between code points, never inside a surrogate pair."""
    atoms = []
    for grapheme in _GRAPHEME.findall(text):
        units = _utf16_units(grapheme)
        if units <= MULTIPART[UCS2]:
            atoms.append((grapheme, units))
        else:
            atoms += [(char, _utf16_units(char)) for char in grapheme]
    return atoms


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def encode(text: str) -> Encoded:
    """The encoding, cost and segments of `text` exactly as given (no replacements), with the
    characters that force UCS-2 when there are any."""
    costs = [gsm7_cost(char) for char in text]
    if all(cost is not None for cost in costs):
        parts = _pack(list(zip(text, costs)), SINGLE[GSM7], MULTIPART[GSM7])
        return Encoded(GSM7, sum(costs), len(parts), (), parts)
    outside = tuple(dict.fromkeys(char for char, cost in zip(text, costs) if cost is None))
    parts = _pack(_ucs2_atoms(text), SINGLE[UCS2], MULTIPART[UCS2])
    return Encoded(UCS2, _utf16_units(text), len(parts), outside, parts)
