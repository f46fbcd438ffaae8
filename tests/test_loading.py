"""The loader: safe YAML, positions, and one located message per kind of broken file."""

from __future__ import annotations

import pytest
import yaml

from conftest import FIXTURES
from pipeline.diagnostics import SourceProblems
from pipeline.loading import MAX_SOURCE_BYTES, load_bytes


def problem(raw: bytes | str) -> str:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    with pytest.raises(SourceProblems) as caught:
        load_bytes(data, "sources/conditions/x.yaml")
    [diagnostic] = caught.value.diagnostics
    return diagnostic.as_text()


def test_positions_of_values_and_keys():
    doc = load_bytes(b"slug: x\ncare:\n  - level: urgent\n    signs: [a, b]\n", "f.yaml")
    assert doc.data == {"slug": "x", "care": [{"level": "urgent", "signs": ["a", "b"]}]}
    assert doc.locate("/care/0/level") == (doc.positions["/care/0/level"])
    assert (doc.positions["/care/0/level"].line, doc.positions["/care/0/level"].column) == (3, 12)
    assert (doc.key_positions["/care/0/signs"].line, doc.key_positions["/care/0/signs"].column) == (4, 5)
    assert (doc.positions["/care/0/signs/1"].line, doc.positions["/care/0/signs/1"].column) == (4, 16)


def test_dates_stay_text_for_the_schema_to_check():
    doc = load_bytes(b"day: 2026-11-21\n", "f.yaml")
    assert doc.data == {"day": "2026-11-21"}


def test_yaml_syntax_error():
    assert problem("slug: x\ntitle: [unclosed\n") == (
        "sources/conditions/x.yaml:3:1: error: YAML syntax error: expected ',' or ']', "
        "but got '<stream end>' (while parsing a flow sequence)"
    )


def test_duplicate_key():
    assert problem("slug: x\ntitle: A\ntitle: B\n") == (
        "sources/conditions/x.yaml:3:1: error: duplicate key 'title' (first defined at line 2); "
        "the later value would silently replace the earlier one"
    )


def test_object_tags_are_refused():
    assert problem("slug: !!python/object/apply:os.system ['true']\n") == (
        "sources/conditions/x.yaml:1:7: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
        "is not allowed in sources"
    )


def test_aliases_are_refused_before_expansion():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    assert problem(bomb) == "sources/conditions/x.yaml:2:8: error: YAML alias '*a' is not allowed in sources"


def test_merge_keys_are_refused():
    assert "merge keys" in problem("a: {b: 1}\nc:\n  <<: {b: 2}\n")


def test_byte_order_mark():
    assert problem(b"\xef\xbb\xbfslug: x\n") == (
        "sources/conditions/x.yaml:1:1: error: file starts with a byte-order mark; save it as UTF-8 without BOM"
    )


def test_invalid_utf8():
    assert problem(b"slug: x\ntitle: caf\xe9\n") == (
        "sources/conditions/x.yaml:2:11: error: invalid UTF-8 (byte 0xe9); save the file as UTF-8"
    )


def test_control_character():
    assert problem("slug: x\ntitle: a\x07b\n") == (
        "sources/conditions/x.yaml:2:9: error: control character U+0007 is not allowed in sources"
    )


def test_empty_file():
    assert problem("# only a comment\n\n") == "sources/conditions/x.yaml:1:1: error: file is empty; expected a mapping of fields"


def test_top_level_must_be_a_mapping():
    assert problem("- a\n- b\n") == "sources/conditions/x.yaml:1:1: error: top level must be a mapping of fields, not a list"


def test_oversized_file():
    assert problem(b"a: " + b"x" * MAX_SOURCE_BYTES) == (
        f"sources/conditions/x.yaml:1:1: error: file is {MAX_SOURCE_BYTES + 3} bytes; "
        f"sources may be at most {MAX_SOURCE_BYTES} bytes"
    )


def test_deep_nesting_is_refused():
    assert "nesting is too deep" in problem("a: " + "[" * 200 + "]" * 200 + "\n")


# --- numbers no source could mean --------------------------------------------------------

RANGE = "numbers in sources must be between -9007199254740991 and 9007199254740991"


def test_a_5000_digit_number_is_located_not_a_traceback():
    # Without the check, PyYAML's int() stops at Python's 4,300-digit limit with a ValueError.
    message = problem("slug: x\ncount: " + "7" * 5000 + "\n")
    assert message == ("sources/conditions/x.yaml:2:8: error: number 77777777777777777777... "
                       f"(5000 characters) is out of range: {RANGE}")


@pytest.mark.parametrize("literal", [
    "9007199254740992", "-9007199254740992", "0x" + "f" * 200, "0b" + "1" * 60,
    "1:2:3:4:5:6:7:8:9:10:11:12:13",  # YAML 1.1 base 60: slow to convert when long
    "1" + "0" * 400 + ".5", "1.0e+999", "-1.0e+999", ".inf", "-.inf", "9.1e+15",
])
def test_huge_numbers_are_out_of_range(literal):
    message = problem(f"slug: x\ncount: {literal}\n")
    assert message.startswith("sources/conditions/x.yaml:2:8: error: number ")
    assert message.endswith(f"is out of range: {RANGE}")
    assert len(message) < 200  # the literal is clipped, not echoed whole


def test_not_a_number_is_refused():
    assert problem("slug: x\nratio: .NaN\n") == (
        "sources/conditions/x.yaml:2:8: error: '.NaN' (not a number) is not allowed in sources")


def test_numbers_in_range_still_load():
    doc = load_bytes(b"a: 9007199254740991\nb: -12\nc: 0.25\nd: 0x1F\ne: 1_000\n", "f.yaml")
    assert doc.data == {"a": 2**53 - 1, "b": -12, "c": 0.25, "d": 31, "e": 1000}


# --- invisible characters ----------------------------------------------------------------


@pytest.mark.parametrize("char", [
    *map(chr, range(0x202A, 0x202F)),  # bidi embeddings and overrides
    *map(chr, range(0x2066, 0x206A)),  # bidi isolates
    "\u200b", "\u200c", "\u200d",  # zero width space, non-joiner and joiner (here between Latin letters)
    "\ufeff", "\u2060", "\u00ad",  # BOM inside text, word joiner, soft hyphen
    "\u200e", "\u200f", "\u061c",  # direction marks
    "\U000e0001", "\U000e0041",  # language tag, tag letter
    "\u2028", "\u2029",  # line and paragraph separators
    "\ufffe", "\U0010ffff", "\ufdd0",  # noncharacters
])
def test_invisible_characters_are_refused_with_their_code_point(char):
    message = problem(f"slug: x\ntitle: Calf{char}pain\n")
    assert message.startswith("sources/conditions/x.yaml:2:12: error: ")
    assert f"U+{ord(char):04X}" in message


def test_every_format_character_is_refused():
    import unicodedata

    format_chars = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(format_chars) > 150
    for char in format_chars:
        message = problem(f"title: x{char}y\n")
        assert f":1:9: error: " in message and f"U+{ord(char):04X}" in message, message


def test_the_character_is_named():
    assert problem("title: ok\nsummary: Rest \u202eyad a\n") == (
        "sources/conditions/x.yaml:2:15: error: invisible character U+202E RIGHT-TO-LEFT OVERRIDE is not allowed "
        "in sources: it changes how text is shown without being seen; delete it")


def test_every_invisible_character_is_reported_up_to_a_limit():
    with pytest.raises(SourceProblems) as caught:
        load_bytes(("a: " + "x\u200b" * 30 + "\n").encode(), "f.yaml")
    found = caught.value.diagnostics
    assert len(found) == 21
    assert [d.column for d in found[:3]] == [5, 7, 9]
    assert found[-1].message == "and 10 more characters that are not allowed"


@pytest.mark.parametrize("text", [
    "\U0001F469\u200d\u2695\ufe0f",  # woman health worker: pictograph, ZWJ, pictograph, VS16
    "\U0001F468\u200d\U0001F469\u200d\U0001F467",  # family
    "\U0001F469\U0001F3FD\u200d\U0001F9B0",  # woman, medium skin tone, red hair
    "\U0001F3F3\ufe0f\u200d\U0001F308",  # rainbow flag: VS16 before the joiner
    "\u0915\u094d\u200d\u0937",  # Devanagari: virama, ZWJ (half form), letter
    "\u0915\u094d\u200c\u0937",  # Devanagari: virama, ZWNJ (visible virama), letter
    "\u0dc1\u0dca\u200d\u0dbb\u0dd3",  # Sinhala "shri"
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian "I want"
    "\u0646\u0645\u06cc\u0652\u200c\u062e",  # Arabic letter, a mark, ZWNJ, letter
])
def test_joiners_that_languages_and_emoji_need_are_kept(text):
    assert load_bytes(f"title: {text}\n".encode(), "f.yaml").data == {"title": text}


@pytest.mark.parametrize("text", [
    "a\u200db", "\U0001F469\u200d", "\u200d\U0001F469", "x\u200d\u2695",  # ZWJ not between pictographs
    "a\u200cb", "\u0645\u200c", "\u0915\u200c\u0937",  # ZWNJ after a letter that is not Arabic, or at the end
    "\u0915\u094d\u200d",  # after a virama, but no letter follows
])
def test_joiners_elsewhere_are_refused(text):
    assert "ZERO WIDTH" in problem(f"title: {text}\n")


# --- one spelling per text ---------------------------------------------------------------


def test_text_is_nfc_normalised_at_load():
    doc = load_bytes("title: Cafe\u0301 and A\u030angstro\u0308m\ncafe\u0301: x\n".encode(), "f.yaml")
    assert doc.data == {"title": "Caf\u00e9 and \u00c5ngstr\u00f6m", "caf\u00e9": "x"}
    # Positions are still those of the file as written.
    assert (doc.positions["/caf\u00e9"].line, doc.positions["/caf\u00e9"].column) == (2, 8)


def test_keys_equal_after_normalising_are_duplicates():
    assert "duplicate key 'caf\u00e9'" in problem("caf\u00e9: 1\ncafe\u0301: 2\n")


LIBYAML_CASES = [
    "title: Café — ñ ✓\nslug: x\nlist: [á, ö, {k: ü}]\n",
    "a: 'é' # ñ\nb: \"\\u00e9 x\"\nc: |\n  línea\n  dos\nd: >-\n  plegado\n  texto\ne: [1, 2.5, true, null, 2026-01-02]\n",
    "a:\n  - b: 1\n    c: [x, y]\n  - ¿qué?: sí\n",
    "? complex\n: value\n",
]


@pytest.mark.parametrize("text", LIBYAML_CASES + [
    path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "minimal/sources").rglob("*.yaml"))])
def test_libyaml_and_pure_python_loading_agree(text, monkeypatch):
    """Plain documents are composed by libyaml, for speed: the same data and the same line and
    column for every value and key as the pure-Python loader gives, non-ASCII text included."""
    import pipeline.loading as loading

    assert type(loading._loader_for(text)) is yaml.CSafeLoader
    fast = load_bytes(text.encode("utf-8"), "f.yaml")
    monkeypatch.setattr(loading, "_loader_for", loading._NoAliasLoader)
    slow = load_bytes(text.encode("utf-8"), "f.yaml")
    assert (fast.data, fast.positions, fast.key_positions) == (slow.data, slow.positions, slow.key_positions)


@pytest.mark.parametrize("text", ["x: &a 1\ny: *a\n", "a: 1\n---\nb: 2\n", "a: [1, 2\n",
                                  "a: " + "[" * 40 + "]" * 40 + "\n"])
def test_what_libyaml_would_not_refuse_goes_to_the_pure_python_loader(text):
    """Aliases, several documents, syntax errors and deep nesting: located as before."""
    import pipeline.loading as loading

    assert type(loading._loader_for(text)) is loading._NoAliasLoader
