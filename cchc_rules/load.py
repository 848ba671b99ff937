"""Load stage: YAML (and JSON) files into plain Python data with a 1-based position for every node.

Safe by construction: nodes are composed, never constructed by PyYAML; only plain scalar tags
are accepted, duplicate keys and oversized alias expansion are refused, size is capped up front.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import CchcError, Position, Problem
from .files import read_capped
from .messages import _

MAX_BYTES = 10 * 1024 * 1024
# Nodes reached a second time through an alias; a "billion laughs" file hits this in microseconds.
MAX_ALIAS_NODES = 50_000
MAX_DEPTH = 200
# Values (scalars, lists, mappings) of one file. PyYAML's node graph and the positioned tree
# cost about 750 bytes a value: a 10 MB file of short values (2 million) took 1.6 GB and
# 45 s to read; at this bound reading stays near 500 MB. Counted on the parser's events first
# (constant memory, a tenth of the time), only in a file long enough to hold that many.
MAX_NODES = 500_000
_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent,
                yaml.AliasEvent)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + "str", _T + "int", _T + "float", _T + "bool", _T + "null", _T + "timestamp"}
_MERGE = _T + "merge"
_STR = _T + "str"
_BOM = b"\xef\xbb\xbf"
_scalars = SafeConstructor()


class Places(Mapping[tuple, Position]):
    """Key path -> Position, made from the composed node only when one is read: a file of
    thousands of units is built without a Position per node, and a message still has its
    place."""

    def __init__(self, file: str, nodes: dict[tuple, Node]) -> None:
        self.file, self.nodes = file, nodes

    def __getitem__(self, path: tuple) -> Position:
        return node_position(self.file, self.nodes[path])

    def __contains__(self, path: object) -> bool:
        return path in self.nodes

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def under(self, key: object) -> Places:
        """The same places with `key` in front of every path (a bare list read as a section)."""
        return Places(self.file, {(key, *path): node for path, node in self.nodes.items()})


@dataclass(frozen=True)
class Doc:
    """A loaded file: `positions[path]` is where the value at that key path starts."""

    file: str
    data: Any
    positions: Mapping[tuple, Position]
    key_positions: Mapping[tuple, Position] = field(default_factory=dict)

    def under(self, key: str) -> Doc:
        """The document as if its data were `{key: data}`, positions and all."""
        def moved(places: Mapping[tuple, Position]) -> Mapping[tuple, Position]:
            if isinstance(places, Places):
                return places.under(key)
            return {(key, *path): pos for path, pos in places.items()}
        return Doc(self.file, {key: self.data}, moved(self.positions),
                   moved(self.key_positions))

    def pos(self, loc: tuple | list = (), key: bool = False) -> Position:
        """The position of `loc` (a key path, e.g. a pydantic error loc), or of its nearest
        known ancestor; with `key=True` the mapping key itself when it is known."""
        loc = tuple(loc)
        if key and loc in self.key_positions:
            return self.key_positions[loc]
        for end in range(len(loc), -1, -1):
            found = self.positions.get(loc[:end])
            if found is not None:
                return found
        return Position(self.file)


def mark_position(file: str, mark: Any) -> Position:
    """The one place where PyYAML's 0-based marks become 1-based positions."""
    return Position(file, mark.line + 1, mark.column + 1)


def node_position(file: str, node: Node) -> Position:
    """Where a node's value starts; a quoted scalar's at the text itself, so formula columns
    line up."""
    where = mark_position(file, node.start_mark)
    if isinstance(node, ScalarNode) and node.style in ("'", '"'):
        return where.shifted(1)
    return where


def load_yaml(path: Path | str, max_bytes: int = MAX_BYTES) -> Doc:
    """Read a YAML or JSON file into a `Doc`; `CchcError` with positions on any problem."""
    return build_doc(compose_yaml(path, max_bytes))


@dataclass(frozen=True)
class Composed:
    """A file's text and its composed root node, before `build_doc` turns it into data."""

    file: str
    text: str
    root: Node


def compose_yaml(path: Path | str, max_bytes: int = MAX_BYTES) -> Composed:
    """The first half of `load_yaml`: the file read, counted and composed (its problems
    raised as `load_yaml` raises them), nothing built yet."""
    file = str(path)
    text = _read_text(Path(path), file, max_bytes)
    _count_nodes(file, text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        raise CchcError([_syntax_problem(file, text, err)]) from None
    except yaml.reader.ReaderError as err:
        char = err.character if isinstance(err.character, int) else ord(err.character)
        raise CchcError.one("YAML01", _("control character U+{char:04X} is not allowed in "
                                        "YAML").format(
                                        char=char),
                            _offset_position(file, text, err.position)) from None
    except yaml.YAMLError as err:
        raise CchcError.one("YAML01", _("not valid YAML: {err}").format(
                                        err=err), Position(file)) from None
    except RecursionError:
        raise CchcError.one("YAML01", _("nesting deeper than {MAX_DEPTH} levels").format(
                                        MAX_DEPTH=MAX_DEPTH),
                            Position(file)) from None
    if root is None:
        raise CchcError.one("YAML07", _("file is empty"), Position(file, 1, 1),
                            _("a ruleset starts with 'ruleset: <id>' and 'title: ...'"))
    return Composed(file, text, root)


def build_doc(composed: Composed) -> Doc:
    """The second half of `load_yaml`: the composed nodes as plain data with positions."""
    file = composed.file
    builder = _Builder(file)
    data = builder.build(composed.root, (), 0)
    if builder.problems:
        raise CchcError(builder.problems)
    return Doc(file, data, Places(file, builder.nodes), Places(file, builder.key_nodes))


_SEQ, _MAP = _T + "seq", _T + "map"


def text_mappings(composed: Composed, key: str) -> tuple[list[dict[str, str]], list[Node]] | None:
    """When the document is `{key: [...]}` (or a bare `[...]`) and every item a mapping of
    text keys, each once, to text values: the items as `build_doc` builds them (`data[key]`)
    with each item's node (its place: `node_position`), built straight from the nodes. None
    for any other document, which `build_doc` reads (and refuses where it must): an alias
    (a file without `*` has none), a merge key, a tag, a repeated key, a number."""
    root = composed.root
    if "*" in composed.text:
        return None
    if root.__class__ is MappingNode and root.tag == _MAP and len(root.value) == 1:
        (top, items), = root.value
        if not (top.__class__ is ScalarNode and top.tag == _STR and top.value == key):
            return None
    else:
        items = root
    if items.__class__ is not SequenceNode or items.tag != _SEQ:
        return None
    entries: list[dict[str, str]] = []
    for item in items.value:
        if item.__class__ is not MappingNode or item.tag != _MAP:
            return None
        pairs = item.value
        if not all(k.__class__ is ScalarNode and k.tag == _STR and v.__class__ is ScalarNode
                   and v.tag == _STR for k, v in pairs):
            return None
        entry = {k.value: v.value for k, v in pairs}
        if len(entry) != len(pairs):
            return None
        entries.append(entry)
    return entries, items.value


def _count_nodes(file: str, text: str) -> None:
    """Refuse (YAML10) a file of more than MAX_NODES values before it is composed; a file
    that does not parse is left to the composer, which says where."""
    if len(text) <= 2 * MAX_NODES:   # a value takes two characters at the least ("1,")
        return
    count = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > MAX_NODES:
                    raise CchcError.one(
                        "YAML10", _("the file holds more than {limit:,} values").format(
                            limit=MAX_NODES), mark_position(file, event.start_mark),
                        _("split it into several files; keep large figures in CSV"))
    except yaml.YAMLError:
        return


def _read_text(path: Path, file: str, max_bytes: int) -> str:
    raw = read_capped(path, max_bytes, lambda size: _too_large(file, size, max_bytes))
    raw = raw.removeprefix(_BOM)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        col = len(raw[line_start:err.start].decode("utf-8", errors="replace")) + 1
        pos = Position(file, raw.count(b"\n", 0, err.start) + 1, col)
        raise CchcError.one(
            "YAML06", _("file is not UTF-8 text: byte 0x{raw:02X} cannot be read").format(
                        raw=raw[err.start]),
            pos, _("save the file as UTF-8 (Excel: 'CSV UTF-8'; Notepad: Encoding → UTF-8)"),
        ) from None


def _too_large(file: str, size: int, max_bytes: int) -> CchcError:
    return CchcError.one("YAML08", _("file is too large ({size:,} bytes; the limit is "
                                     "{max_bytes:,})").format(
                                     size=size, max_bytes=max_bytes), Position(file),
                         _("split the figures into several files"))


def _offset_position(file: str, text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(file, text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _syntax_problem(file: str, text: str, err: yaml.MarkedYAMLError) -> Problem:
    mark = err.problem_mark or err.context_mark
    if mark is not None:
        lines = text.splitlines()
        line = lines[mark.line] if mark.line < len(lines) else ""
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent or "tab" in str(err.problem):
            pos = mark_position(file, mark)
            if "\t" in indent:  # the tab itself, wherever the parser noticed it
                pos = Position(file, pos.line, indent.index("\t") + 1)
            return Problem("YAML05", _("tab character used for indentation"), pos,
                           _("YAML indents with spaces only; replace the tab with spaces"))
    what = " ".join(p for p in (err.context, err.problem) if p) or "not valid YAML"
    return Problem("YAML01", _("not valid YAML: {what}").format(what=what),
                   mark_position(file, mark) if mark else Position(file),
                   _syntax_hint(text, err, mark))


def _syntax_hint(text: str, err: yaml.MarkedYAMLError, mark: Any) -> str | None:
    """The usual cause of the planner mistakes YAML reports most obscurely."""
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if re.search(r":\s*[>|][=<>]", line):  # `op: >=` starts a YAML block scalar
        return _('put comparison operators in quotes: op: ">="')
    if "mapping values are not allowed" in str(err.problem):
        return _('put text that contains ": " in quotes, e.g. title: "Chỉ tiêu: 80%"')
    start = err.context_mark
    if start is not None and mark is not None and start.line != mark.line:
        what = re.sub(r"^while (scanning|parsing) ", "", err.context or "it")
        return _("{what} starts at line {line}, column {col}").format(
            what=what, line=start.line + 1, col=start.column + 1)
    return None


class _Builder:
    """Turns composed nodes into plain data, recording positions and refusing unsafe input."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.nodes: dict[tuple, Node] = {}       # key path -> its value's node
        self.key_nodes: dict[tuple, Node] = {}   # key path -> its key's node
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.expanded = 0

    def pos(self, node: Node) -> Position:
        return node_position(self.file, node)

    def fail(self, code: str, message: str, node: Node, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, self.pos(node), hint))

    def build(self, node: Node, path: tuple, depth: int) -> Any:
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_NODES:
                raise CchcError.one("YAML04", _("aliases expand to more than {n:,} nodes").format(
                                                n=MAX_ALIAS_NODES), self.pos(node),
                                    _("write the values out instead"))
        else:
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise CchcError.one("YAML01", _("nesting deeper than {MAX_DEPTH} levels").format(
                                            MAX_DEPTH=MAX_DEPTH),
                                self.pos(node))
        self.nodes.setdefault(path, node)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if node.tag not in (_T + "seq", _T + "map"):
            self.refuse_tag(node)
            return None
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.mapping(node, path, depth)

    def refuse_tag(self, node: Node) -> None:
        tag = node.tag.replace(_T, "!!", 1)
        self.fail("YAML03", _("tag '{tag}' is not allowed: nothing in the file is run").format(
                              tag=tag), node,
                  _("only plain text, numbers, true/false, lists and mappings are read"))

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.refuse_tag(node)
            return None
        if node.tag in (_T + "str", _T + "timestamp"):
            return node.value  # dates stay text: periods are text, never date objects
        if node.tag == _T + "bool" and node.value.lower() not in ("true", "false"):
            return node.value  # YAML 1.2: yes/no/on/off are text (a target id `ON`)
        try:
            return getattr(_scalars, "construct_yaml_" + node.tag.rsplit(":", 1)[1])(node)
        except (ValueError, yaml.YAMLError):
            self.fail("YAML01", _("cannot read {value!r} as a number").format(
                                  value=node.value[:40]), node)
            return None

    def mapping(self, node: MappingNode, path: tuple, depth: int) -> dict:
        result: dict = {}
        merges: list[Node] = []
        seen, nodes, key_nodes = self.seen, self.nodes, self.key_nodes
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.tag == _STR:
                key = key_node.value   # the common key, read as `scalar` reads it
            elif isinstance(key_node, ScalarNode) and key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            elif not isinstance(key_node, ScalarNode):
                self.fail("YAML09", _("a key must be plain text, not a list or mapping"), key_node)
                continue
            else:
                key = self.scalar(key_node)
            at = (*path, key)
            if key in result:
                # as written: `1:` and `true:` are one key to Python, never 'True' to a reader
                first = key_nodes[at].value if at in key_nodes else str(key)
                same = "" if first == key_node.value else \
                    _(" ('{value}' and '{first}' are read as the same key)").format(
                        value=key_node.value, first=first)
                self.fail("YAML02", _("duplicate key '{value}'").format(
                                      value=key_node.value), key_node,
                          _("'{first}' is already given at line {line}{same}").format(
                            first=first, line=self.pos(key_nodes[at]).line,
                            same=same))
                continue
            key_nodes.setdefault(at, key_node)
            if value_node.__class__ is ScalarNode and value_node.tag == _STR \
                    and id(value_node) not in seen and depth < MAX_DEPTH:
                seen.add(id(value_node))   # `build` of a text met once, without the call
                nodes.setdefault(at, value_node)
                result[key] = value_node.value
            else:
                result[key] = self.build(value_node, at, depth + 1)
        for merged in self.merge_sources(merges):
            for key, value in self.mapping(merged, path, depth).items():
                result.setdefault(key, value)
        return result

    def merge_sources(self, merges: list[Node]) -> list[MappingNode]:
        """`<<: *a` or `<<: [*a, *b]`; earlier sources win, explicit keys win over all."""
        sources: list[MappingNode] = []
        for value in merges:
            items = value.value if isinstance(value, SequenceNode) else [value]
            for item in items:
                if isinstance(item, MappingNode):
                    sources.append(item)
                else:
                    self.fail("YAML01", _("'<<' merges mappings only"), item)
        return sources
