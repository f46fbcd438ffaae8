"""Which characters a source may hold: no controls, no invisible format characters, no noncharacters.

Text from sources ends up in pages, leaflets and text messages that patients read. An
invisible character changes what they see or hear without an editor ever seeing it: a
bidirectional override reorders a sentence (the "Trojan Source" trick), a zero-width space
splits a word so search and screen readers miss it, a soft hyphen or word joiner breaks the
GSM-7 budget of a text message. So every character of Unicode category Cf (format), Cc
(control, except tab and line breaks), Zl and Zp (line and paragraph separators, which YAML
also counts as line breaks) and every noncharacter is refused, named by code point.

The allow-list is deliberately narrow; each entry is a place where a language or an emoji
cannot be written without the character:

- ZERO WIDTH JOINER (U+200D) between two emoji pictographs (after an optional skin-tone
  modifier or VS16), as in family and profession emoji ("👩‍⚕️").
- ZERO WIDTH JOINER or NON-JOINER (U+200C) right after a virama and before a letter: Indic
  scripts use them to choose a half form or a visible virama (Devanagari, Sinhala "ශ්‍රී").
- ZERO WIDTH NON-JOINER between two letters of the Arabic script: Persian, Urdu, Kurdish and
  Pashto need it inside words ("می‌خواهم").

Refused on purpose although some text uses them: the left-to-right and right-to-left marks
(U+200E, U+200F, U+061C) and the bidi embeddings and isolates, because the direction of a
right-to-left language belongs in the markup (`dir`, `lang`), not in invisible characters;
the soft hyphen, because hyphenation is the renderer's job; emoji tag sequences (the flags of
England, Scotland and Wales), which no patient text needs. Add to the allow-list only with a
test showing the language that needs it.
"""

from __future__ import annotations

import unicodedata
from typing import Iterator

import regex

ZWJ, ZWNJ = "\u200d", "\u200c"
# Everything refused unless an allow-list rule below says otherwise.
_SUSPECT = regex.compile(r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}--[\t\n\r]]", regex.V1)
_NONCHARACTER = regex.compile(r"\p{Noncharacter_Code_Point}")
_PICTOGRAPH = regex.compile(r"\p{Extended_Pictographic}")
_ARABIC_LETTER = regex.compile(r"[\p{Script=Arabic}&&\p{L}]", regex.V1)
# What may stand between a pictograph and the ZWJ that follows it.
_EMOJI_TRAILERS = {"\ufe0f"} | {chr(c) for c in range(0x1F3FB, 0x1F400)}


def _is_letter(char: str) -> bool:
    return bool(char) and unicodedata.category(char).startswith("L")


def _is_virama(char: str) -> bool:
    # Canonical combining class 9 is exactly the viramas (Devanagari, Bengali, Sinhala, Thai...).
    return bool(char) and unicodedata.combining(char) == 9


def _base_before(text: str, index: int, skip) -> str:
    """The character before `index`, stepping back over characters in `skip`."""
    index -= 1
    while index >= 0 and skip(text[index]):
        index -= 1
    return text[index] if index >= 0 else ""


def joiner_allowed(text: str, index: int) -> bool:
    """Whether the ZWJ or ZWNJ at text[index] is one that a language or an emoji needs."""
    char = text[index]
    before = text[index - 1] if index else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if char not in (ZWJ, ZWNJ) or not after:
        return False
    if _is_virama(before) and _is_letter(after):
        return True
    if char == ZWJ:
        base = _base_before(text, index, lambda c: c in _EMOJI_TRAILERS)
        return bool(_PICTOGRAPH.match(base or " ") and _PICTOGRAPH.match(after))
    letter = _base_before(text, index, lambda c: unicodedata.category(c) == "Mn")
    return bool(_ARABIC_LETTER.match(letter or " ")) and _is_letter(after)


def _name(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


def refused(text: str) -> Iterator[tuple[int, str]]:
    """(index, message) for every character of `text` that sources may not hold."""
    for match in _SUSPECT.finditer(text):
        index, char = match.start(), match.group()
        category = unicodedata.category(char)
        if _NONCHARACTER.match(char):
            yield index, f"U+{ord(char):04X} is a noncharacter, not text; delete it"
        elif category == "Cc":
            yield index, f"control character U+{ord(char):04X} is not allowed in sources"
        elif category in ("Zl", "Zp"):
            yield index, f"{_name(char)} is not allowed in sources; use a plain line break"
        elif char in (ZWJ, ZWNJ):
            if not joiner_allowed(text, index):
                yield index, (f"invisible character {_name(char)} is not allowed here: joiners belong only "
                              "inside an emoji sequence, after a virama, or (non-joiner) between Arabic-script "
                              "letters; delete it")
        else:  # a format character (Cf)
            yield index, (f"invisible character {_name(char)} is not allowed in sources: it changes how "
                          "text is shown without being seen; delete it")
