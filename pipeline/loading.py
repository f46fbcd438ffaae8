"""Reading one YAML source safely into plain data, with the line and column of every value."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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

# Tab, LF and CR are the only control characters a text file needs.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


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
    for line_no, line in enumerate(text.split("\n"), start=1):
        for col, char in enumerate(line, start=1):
            if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
                fail(line_no, col, f"control character U+{ord(char):04X} is not allowed in sources")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        fail(1, 1, "file is empty; expected a mapping of fields")

    loader = _NoAliasLoader(text)
    try:
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
    except yaml.YAMLError as exc:  # reader errors without marks
        fail(1, 1, f"YAML error: {exc}")
    except RecursionError:
        fail(1, 1, f"nesting is too deep (more than {MAX_DEPTH} levels)")
    finally:
        loader.dispose()
    return Document(shown, data, positions, key_positions)


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
            key = key_node.value
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
        return node.value
    return loader.construct_object(node, deep=True)
