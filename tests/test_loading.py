"""The loader: safe YAML, positions, and one located message per kind of broken file."""

from __future__ import annotations

import pytest

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
