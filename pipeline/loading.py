"""Reading one YAML source safely into plain data, with the line and column of every value."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .characters import refused
from .diagnostics import ERROR, Diagnostic, SourceProblems

# A condition source is a few kilobytes; anything this large is a mistake (or an attack)
# and would slow every build. Documented in README.md.
MAX_SOURCE_BYTES = 256 * 1024
MAX_DEPTH = 32

# Scalars may only become these plain types. Timestamps stay strings so that the schema's
# "format: date" checks them (and an impossible date is reported, not silently parsed).
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
# Numbers a source may hold: what JSON tools and JavaScript keep exact. Anything larger is a
# typo or an attack; a 5,000-digit integer would otherwise stop Python's int() with a traceback.
MAX_NUMBER = 2**53 - 1
# Longer number literals are refused before they are converted: every number within
# MAX_NUMBER fits, and YAML 1.1's base-60 integers ("1:2:3:...") would otherwise take time
# quadratic in their length to convert.
MAX_NUMBER_CHARS = 40
# A file full of invisible characters is reported as this many problems and a count.
MAX_CHARACTER_PROBLEMS = 20


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class Document:
    """One loaded source: its data and where each value (by JSON Pointer) came from."""

    path: str  # as shown to users, relative to the project root where possible
    data: dict
    positions: dict[str, Position] = field(repr=False)
    # Where each mapping key stands, for problems about the key itself (unknown fields).
    key_positions: dict[str, Position] = field(repr=False)

    def locate(self, pointer: str, *, key: bool = False) -> Position:
        """The position of a value (or its key), falling back to the nearest parent."""
        table = self.key_positions if key else self.positions
        probe = pointer
        while True:
            if probe in table:
                return table[probe]
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return Position(1, 1)
            probe = probe.rsplit("/", 1)[0]

    def diagnostic(self, pointer: str, message: str, *, key: bool = False,
                   severity: str = ERROR, rule: str = "") -> Diagnostic:
        pos = self.locate(pointer, key=key)
        return Diagnostic(self.path, pos.line, pos.column, severity, message, pointer, rule)


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


class _NoAliasLoader(yaml.SafeLoader):
    """Refuses aliases at the event level, before anything is expanded.

    Aliases are how "billion laughs" documents blow up memory, and sources have no need
    of them; refusing them here keeps loading linear in the file's size.
    """

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Located(event.start_mark, f"YAML alias '*{event.anchor}' is not allowed in sources")
        return super().compose_node(parent, index)


_NESTING = {yaml.MappingStartEvent: 1, yaml.SequenceStartEvent: 1, yaml.MappingEndEvent: -1,
            yaml.SequenceEndEvent: -1}


def _loader_for(text: str) -> yaml.SafeLoader:
    """A loader for one document. libyaml's (C) composes a source several times faster than
    PyYAML's own, but refuses nothing itself: it is used only for a single document that it
    parses without error, with no alias and no deeper nesting than sources may have (its
    composer recurses in C, where too deep a document would crash the process). Anything else
    goes to the pure-Python loader, which locates the problem as it always has."""
    if not yaml.__with_libyaml__:
        return _NoAliasLoader(text)
    scan = yaml.CSafeLoader(text)
    depth = documents = 0
    try:
        while scan.check_event():
            event = scan.get_event()
            depth += _NESTING.get(type(event), 0)
            documents += isinstance(event, yaml.DocumentStartEvent)
            if isinstance(event, yaml.AliasEvent) or depth > MAX_DEPTH or documents > 1:
                return _NoAliasLoader(text)
    except yaml.YAMLError:
        return _NoAliasLoader(text)
    finally:
        scan.dispose()
    return yaml.CSafeLoader(text)


class _Located(Exception):
    def __init__(self, mark, message: str):
        self.position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        self.message = message
        super().__init__(message)


def load_document(path: Path, display_path: str | None = None) -> Document:
    """Load one YAML file into a Document, or raise SourceProblems naming file, line and column."""
    shown = display_path or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceProblems([Diagnostic(shown, 1, 1, ERROR, f"cannot read file: {exc.strerror}")])
    return load_bytes(raw, shown)


def load_bytes(raw: bytes, shown: str) -> Document:
    def fail(line: int, column: int, message: str, pointer: str = ""):
        raise SourceProblems([Diagnostic(shown, line, column, ERROR, message, pointer)])

    if len(raw) > MAX_SOURCE_BYTES:
        fail(1, 1, f"file is {len(raw)} bytes; sources may be at most {MAX_SOURCE_BYTES} bytes")
    if raw.startswith(b"\xef\xbb\xbf"):
        fail(1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        fail(line, column, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
    character_problems(text, shown)
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        fail(1, 1, "file is empty; expected a mapping of fields")

    loader = None
    try:
        loader = _loader_for(text)
        node = loader.get_single_node()
        if node is None:
            fail(1, 1, "file is empty; expected a mapping of fields")
        if not isinstance(node, yaml.MappingNode):
            pos = node.start_mark
            fail(pos.line + 1, pos.column + 1,
                 f"top level must be a mapping of fields, not a {_kind(node)}")
        positions: dict[str, Position] = {}
        key_positions: dict[str, Position] = {}
        data = _convert(node, "", 0, positions, key_positions, loader)
    except _Located as exc:
        fail(exc.position.line, exc.position.column, exc.message)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        fail(mark.line + 1 if mark else 1, mark.column + 1 if mark else 1,
             f"YAML syntax error: {problem}{context}")
    except yaml.reader.ReaderError as exc:  # located by character index, not by mark
        line, column = _line_column(text, exc.position)
        fail(line, column, f"YAML error: {exc.reason}")
    except yaml.YAMLError as exc:
        fail(1, 1, f"YAML error: {exc}")
    except RecursionError:
        fail(1, 1, f"nesting is too deep (more than {MAX_DEPTH} levels)")
    finally:
        if loader is not None:
            loader.dispose()
    return Document(shown, data, positions, key_positions)


def _line_column(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def character_problems(text: str, shown: str) -> None:
    """Raise SourceProblems naming every character sources may not hold (see characters.py)."""
    found = []
    for index, message in refused(text):
        line, column = _line_column(text, index)
        found.append(Diagnostic(shown, line, column, ERROR, message))
    if len(found) > MAX_CHARACTER_PROBLEMS:
        extra = len(found) - MAX_CHARACTER_PROBLEMS
        found = found[:MAX_CHARACTER_PROBLEMS] + [Diagnostic(
            shown, found[MAX_CHARACTER_PROBLEMS].line, found[MAX_CHARACTER_PROBLEMS].column, ERROR,
            f"and {extra} more characters that are not allowed")]
    if found:
        raise SourceProblems(found)


def _number(node, loader) -> int | float:
    """An int or float scalar, refused (located) when no source could mean it."""
    literal = node.value
    shown = literal if len(literal) <= 24 else f"{literal[:20]}... ({len(literal)} characters)"
    too_large = _Located(node.start_mark, f"number {shown} is out of range: numbers in sources must be "
                                          f"between -{MAX_NUMBER} and {MAX_NUMBER}")
    if len(literal) > MAX_NUMBER_CHARS:
        raise too_large
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, OverflowError):
        raise too_large from None
    if isinstance(value, float) and math.isnan(value):
        raise _Located(node.start_mark, f"'{literal}' (not a number) is not allowed in sources")
    if not -MAX_NUMBER <= value <= MAX_NUMBER:  # also catches .inf and 1.0e+999
        raise too_large
    return value


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    if isinstance(node, yaml.ScalarNode):
        return "single value"
    return "mapping"


def _convert(node, pointer, depth, positions, key_positions, loader) -> Any:
    if depth > MAX_DEPTH:
        raise _Located(node.start_mark, f"nesting is too deep (more than {MAX_DEPTH} levels)")
    positions[pointer] = Position(node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise _Located(node.start_mark, f"YAML tag '{node.tag}' is not allowed in sources")
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _Located(key_node.start_mark, "YAML merge keys ('<<') are not allowed in sources")
                raise _Located(key_node.start_mark, "field names must be plain text")
            # One spelling per text: a decomposed accent (e + U+0301) and the composed é
            # must compare, count and encode alike, so all text is NFC from here on.
            key = unicodedata.normalize("NFC", key_node.value)
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key in result:
                first = key_positions[child]
                raise _Located(key_node.start_mark,
                               f"duplicate key '{key}' (first defined at line {first.line}); "
                               "the later value would silently replace the earlier one")
            key_positions[child] = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _convert(value_node, child, depth + 1, positions, key_positions, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise _Located(node.start_mark, f"YAML tag '{node.tag}' is not allowed in sources")
        return [
            _convert(item, f"{pointer}/{index}", depth + 1, positions, key_positions, loader)
            for index, item in enumerate(node.value)
        ]
    if node.tag not in _PLAIN_TAGS:
        raise _Located(node.start_mark, f"YAML tag '{node.tag}' is not allowed in sources")
    if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
        return unicodedata.normalize("NFC", node.value)
    if node.tag in (_INT_TAG, _FLOAT_TAG):
        return _number(node, loader)
    return loader.construct_object(node, deep=True)
