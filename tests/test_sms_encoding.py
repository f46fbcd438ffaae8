"""The segment counter, checked against the GSM 03.38 table typed from the standard, cases
worked out by hand, and Twilio's own calculator; never against the codec it is built on."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest
import regex
from hypothesis import given, strategies as st

from conftest import ROOT
from pipeline.sms_encoding import GSM7, UCS2, encode, gsm7_cost, to_plain

# 3GPP TS 23.038, 6.2.1: the default alphabet in code order, 0x00 to 0x7F. Position 0x1B is
# the escape to the extension table, not a character (written here as None).
BASIC = [
    *"@£$¥èéùìòÇ\nØø\rÅå",
    *"Δ_ΦΓΛΩΠΨΣΘΞ", None, *"ÆæßÉ",
    *" !\"#¤%&'()*+,-./",
    *"0123456789:;<=>?",
    *"¡ABCDEFGHIJKLMNO",
    *"PQRSTUVWXYZÄÖÑÜ§",
    *"¿abcdefghijklmno",
    *"pqrstuvwxyzäöñüà",
]
# 6.2.1.1: the extension table, each character ESC plus one septet.
EXTENSION = ["\f", "^", "{", "}", "\\", "[", "~", "]", "|", "€"]
TABLE = {char: 1 for char in BASIC if char is not None} | {char: 2 for char in EXTENSION}


def test_the_typed_table_has_the_standards_shape():
    assert len(BASIC) == 128 and BASIC[0x1B] is None
    assert (BASIC[0x09], BASIC[0x10], BASIC[0x24], BASIC[0x40], BASIC[0x60]) == ("Ç", "Δ", "¤", "¡", "¿")
    assert len(TABLE) == 127 + 10


def test_every_character_costs_what_the_standard_says():
    code_points = [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x110000, 0x101)]
    wrong = {f"U+{c:04X}": (gsm7_cost(chr(c)), TABLE.get(chr(c))) for c in code_points
             if gsm7_cost(chr(c)) != TABLE.get(chr(c))}
    assert wrong == {}


def test_escape_is_not_a_character():
    # The codec maps U+001B to the escape septet; a message cannot carry it as text.
    assert gsm7_cost("\x1b") is None
    cost = encode("Hi \x1b there")
    assert (cost.encoding, cost.outside_gsm7) == (UCS2, ("\x1b",))


# --- GSM-7, by hand ----------------------------------------------------------------------


def test_160_plain_septets_are_one_segment():
    cost = encode("a" * 160)
    assert (cost.encoding, cost.units, cost.segments, cost.parts) == (GSM7, 160, 1, ("a" * 160,))


def test_161_plain_septets_are_153_and_8():
    cost = encode("a" * 161)
    assert (cost.units, cost.parts) == (161, ("a" * 153, "a" * 8))


def test_extension_characters_count_two_septets():
    assert encode("€").units == 2
    assert encode("[]{}~^\\|").units == 16
    assert encode("a" * 159 + "€").segments == 2  # 161 septets
    assert encode("a" * 158 + "€").segments == 1  # 160


def test_an_extension_character_never_straddles_two_parts():
    # 152 septets, then € (ESC e) would take septets 153 and 154: it moves whole.
    cost = encode("a" * 152 + "€" + "a" * 152)
    assert cost.units == 306
    assert cost.parts == ("a" * 152, "€" + "a" * 151, "a")  # a naive 306 / 153 would say 2
    assert encode("a" * 151 + "€" + "a" * 153).parts == ("a" * 151 + "€", "a" * 153)


# --- UCS-2, by hand ----------------------------------------------------------------------

ZH = "й"  # U+0439, one UTF-16 unit, not in GSM-7


def test_70_and_71_ucs2_units():
    assert (encode(ZH * 70).encoding, encode(ZH * 70).segments) == (UCS2, 1)
    assert encode(ZH * 71).parts == (ZH * 67, ZH * 4)
    assert encode(ZH * 134).segments == 2
    assert encode(ZH * 135).segments == 3


def test_a_surrogate_pair_is_never_split():
    cost = encode(ZH * 66 + "🙂" + ZH * 66)
    assert (cost.units, cost.parts) == (134, (ZH * 66, "🙂" + ZH * 65, ZH))
    assert cost.outside_gsm7 == (ZH, "🙂")


THUMB = "\U0001F44D\U0001F3FD"  # thumbs up + medium skin tone: 4 units, one grapheme
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # man ZWJ woman ZWJ girl: 8 units
FLAG = "\U0001F1EC\U0001F1E7"  # regional indicators G B: 4 units
DECOMPOSED = "\u0438\u0306"  # и + combining breve (not normalised): 2 units


def test_an_emoji_with_its_skin_tone_stays_in_one_segment():
    # 65 + 4 units would make 69 in a 67-unit part: the whole emoji moves to part two, which
    # then overflows. Splitting between the thumb and its tone (as code points allow) says 2.
    cost = encode(ZH * 65 + THUMB + ZH * 65)
    assert cost.units == 134
    assert cost.parts == (ZH * 65, THUMB + ZH * 63, ZH * 2)


@pytest.mark.parametrize("cluster", [FAMILY, FLAG, DECOMPOSED])
def test_a_grapheme_is_never_split(cluster):
    units = len(cluster.encode("utf-16-le")) // 2
    before = 67 - units + 1  # one unit too many for the cluster to fit in part one
    cost = encode(ZH * before + cluster + ZH * 80)
    assert cost.parts[0] == ZH * before
    assert cost.parts[1].startswith(cluster)
    assert cost.parts[1] == cluster + ZH * (67 - units)


def test_ucs2_counts_gsm_characters_one_unit_each():
    # In UCS-2 the extension characters are ordinary 16-bit characters.
    assert encode("€" * 69 + ZH).units == 70 and encode("€" * 69 + ZH).segments == 1


def test_a_grapheme_longer_than_a_part_is_split_between_code_points():
    zalgo = "a" + "\u0301" * 80  # one grapheme of 81 units: no part can hold it
    cost = encode(zalgo)
    assert cost.parts == ("a" + "\u0301" * 66, "\u0301" * 14)


def test_one_curly_quote_switches_the_whole_message():
    assert encode("Don’t").encoding == UCS2
    assert encode(to_plain("Don’t — wait… “now”\u00a0please")).encoding == GSM7
    assert to_plain("Don’t — wait… “now”\u00a0please") == "Don't - wait... \"now\" please"


# --- any text ----------------------------------------------------------------------------


@given(st.text(max_size=400))
def test_any_text_is_split_into_parts_that_hold_it(text):
    cost = encode(text)
    assert "".join(cost.parts) == text and cost.segments == len(cost.parts) >= 1
    if cost.encoding == GSM7:
        assert all(char in TABLE for char in text)
        assert cost.units == sum(TABLE[char] for char in text)
        sizes = [sum(TABLE[char] for char in part) for part in cost.parts]
        single, per_part = 160, 153
    else:
        assert {char for char in text if char not in TABLE} == set(cost.outside_gsm7)
        sizes = [len(part.encode("utf-16-le")) // 2 for part in cost.parts]
        single, per_part = 70, 67
    assert sum(sizes) == cost.units
    if cost.units <= single:
        assert cost.segments == 1
    else:
        assert max(sizes) <= per_part
        # A part ends early only when what comes next would not fit in it.
        for size, following in zip(sizes, cost.parts[1:]):
            assert size + _first_atom_units(following, cost.encoding) > per_part


def _first_atom_units(part: str, encoding: str) -> int:
    if encoding == GSM7:
        return TABLE[part[0]]
    units = len(regex.match(r"\X", part).group().encode("utf-16-le")) // 2
    return units if units <= 67 else len(part[0].encode("utf-16-le")) // 2


# --- Twilio's calculator -----------------------------------------------------------------

CALCULATOR = ROOT / ".tools" / "node_modules" / "sms-segments-calculator"
TWILIO = """
const { SegmentedMessage } = require(process.argv[1]);
const messages = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(messages.map((text) => {
  const m = new SegmentedMessage(text);
  return [m.encodingName, m.segmentsCount, m.messageSize / (m.encodingName === "GSM-7" ? 7 : 16)];
})));
"""
# Whole graphemes that Twilio's splitter (grapheme-splitter) and Unicode 15's rules agree on.
ATOMS = ["a", "Z", " ", ".", "\n", "€", "[", "é", "Ç", "й", "中", "🙂", THUMB, FAMILY, FLAG, DECOMPOSED,
         "e\u0301", "\U0001F469\u200d\u2695\ufe0f"]


def _messages() -> list[str]:
    rng = random.Random(20261121)
    made = [ZH * 65 + THUMB + ZH * 65, "a" * 152 + "€" + "a" * 152, ZH * 66 + FAMILY + ZH * 80,
            ZH * 64 + FLAG + ZH * 80, "a" * 161, ZH * 71, "Hi 🙂"]
    for _ in range(200):
        weights = [rng.random() ** 3 for _ in ATOMS]
        made.append("".join(rng.choices(ATOMS, weights, k=rng.randint(1, 260))))
    return made


def test_counts_match_twilios_calculator():
    assert CALCULATOR.is_dir(), "Twilio's calculator is installed by 'make test' (.tools/)"
    messages = _messages()
    result = subprocess.run([shutil.which("node") or "node", "-e", TWILIO, str(CALCULATOR)],
                            input=json.dumps(messages), capture_output=True, text=True, check=True, timeout=120)
    theirs = json.loads(result.stdout)
    differ = []
    for text, (encoding, segments, units) in zip(messages, theirs):
        ours = encode(text)
        if (ours.encoding, ours.segments, ours.units) != (encoding, segments, units):
            differ.append((text[:40], (ours.encoding, ours.segments, ours.units), (encoding, segments, units)))
    assert differ == []
    assert sum(encode(text).segments > 2 for text in messages) > 20  # long messages were compared too
