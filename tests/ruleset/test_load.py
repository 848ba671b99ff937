"""Load stage: positions, refusals (tags, duplicates, aliases, tabs, encodings, size)."""
from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_rules.errors import CchcError, Position
from cchc_rules.load import MAX_ALIAS_NODES, load_yaml


def write(tmp_path: Path, content: str | bytes, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problem(path: Path, **kwargs):
    with pytest.raises(CchcError) as info:
        load_yaml(path, **kwargs)
    assert len(info.value.problems) >= 1
    return info.value.problems[0]


def test_positions_are_one_based_for_every_node(tmp_path):
    path = write(tmp_path, "a:\n  b: [1, 'x']\n  c:\n    - {d: 2.5}\n")
    doc = load_yaml(path)
    assert doc.data == {"a": {"b": [1, "x"], "c": [{"d": 2.5}]}}
    f = str(path)
    assert doc.positions[()] == Position(f, 1, 1)
    assert doc.positions[("a", "b")] == Position(f, 2, 6)
    assert doc.positions[("a", "b", 0)] == Position(f, 2, 7)
    assert doc.positions[("a", "b", 1)] == Position(f, 2, 11)  # inside the quotes
    assert doc.positions[("a", "c", 0, "d")] == Position(f, 4, 11)
    assert doc.key_positions[("a", "c")] == Position(f, 3, 3)


def test_places_are_every_node_with_its_mark_and_move_under_a_key(tmp_path):
    """Positions are made from the nodes when read: each equals the composer's own mark,
    1-based (a quoted scalar's one further on), for every key path; `under` only prefixes."""
    text = "- id: a\n  name: 'Xã A'\n- {id: b, parent: a}\n"
    path = write(tmp_path, text)
    doc = load_yaml(path)
    root = yaml.compose(text, Loader=yaml.CSafeLoader)

    def marks(node, at=()):   # plain walk of the composed nodes: key path -> 1-based place
        start = node.start_mark
        quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
        yield at, Position(str(path), start.line + 1, start.column + 1 + quoted)
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                yield from marks(item, (*at, i))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                yield from marks(value, (*at, key.value))
    expected = dict(marks(root))
    assert dict(doc.positions) == expected
    assert len(doc.positions) == len(expected) and (0, "name") in doc.positions
    moved = doc.under("units")
    assert moved.data == {"units": doc.data}
    assert dict(moved.positions) == {("units", *k): v for k, v in expected.items()}
    assert moved.pos(("units", 1, "parent"), key=True) == Position(str(path), 3, 11)


def test_pos_walks_up_to_the_nearest_known_position(tmp_path):
    doc = load_yaml(write(tmp_path, "targets:\n  - id: T1\n"))
    assert doc.pos(("targets", 0, "milestones", 3, "value")) == doc.positions[("targets", 0)]
    assert doc.pos(("nowhere",)).line == 1
    assert doc.pos(("targets", 0, "id"), key=True) == Position(doc.file, 2, 5)


def test_vietnamese_text_counts_characters_not_bytes(tmp_path):
    doc = load_yaml(write(tmp_path, "a: {title: Đề án CCHC, x: 1}\n"))
    assert doc.positions[("a", "x")].col == 27


def test_python_tag_is_refused_and_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, 'x: !!python/object/apply:os.system ["touch pwned"]\n')
    p = problem(path)
    assert p.code == "YAML03" and "!!python/object/apply:os.system" in p.message
    assert (p.pos.line, p.pos.col) == (1, 4)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("text", ["x: !custom 1\n", "x: !!set {a, b}\n", "x: !!binary aGk=\n",
                                  "!!python/name:os.system\n"])
def test_unknown_and_non_plain_tags_are_refused(tmp_path, text):
    assert problem(write(tmp_path, text)).code == "YAML03"


def test_duplicate_key_reported_at_the_second_key(tmp_path):
    p = problem(write(tmp_path, "metrics:\n  a: 1\n  b: 2\n  a: 3\n"))
    assert p.code == "YAML02" and "'a'" in p.message
    assert (p.pos.line, p.pos.col) == (4, 3)
    assert "line 2" in p.hint


def test_merge_keys_explicit_keys_win(tmp_path):
    doc = load_yaml(write(tmp_path, "d: &d {unit: count, label: x}\nm:\n  <<: *d\n  label: y\n"))
    assert doc.data["m"] == {"label": "y", "unit": "count"}


def test_alias_bomb_fails_fast(tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    start = time.monotonic()
    p = problem(write(tmp_path, "\n".join(lines) + "\n"))
    assert p.code == "YAML04" and f"{MAX_ALIAS_NODES:,}" in p.message
    assert time.monotonic() - start < 5


def test_recursive_alias_is_an_error(tmp_path):
    assert problem(write(tmp_path, "a: &a [*a]\n")).code == "YAML01"


@pytest.mark.parametrize("text, line, col", [("a: 1\n\tb: 2\n", 2, 1),
                                             ("a:\n  b: 1\n \tc: 2\n", 3, 2)])
def test_tab_indentation_names_the_tab(tmp_path, text, line, col):
    p = problem(write(tmp_path, text))
    assert p.code == "YAML05" and "tab" in p.message
    assert (p.pos.line, p.pos.col) == (line, col)


def test_utf8_bom_is_accepted(tmp_path):
    assert load_yaml(write(tmp_path, b"\xef\xbb\xbftitle: \xc4\x90\xe1\xbb\x81 \xc3\xa1n\n")).data \
        == {"title": "Đề án"}


def test_non_utf8_names_the_first_bad_byte(tmp_path):
    p = problem(write(tmp_path, "a: 1\ntitle: Đà Nẵng\n".encode("cp1258", errors="replace")))
    assert p.code == "YAML06" and "UTF-8" in p.message
    assert (p.pos.line, p.pos.col) == (2, 8)


@pytest.mark.parametrize("content", ["", "\n\n", "# chỉ có chú thích\n", b"\xef\xbb\xbf"])
def test_empty_file_is_an_error(tmp_path, content):
    p = problem(write(tmp_path, content))
    assert p.code == "YAML07" and p.pos.line == 1


def test_size_cap_is_checked_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:  # sparse: 50 MB on paper, nothing to read
        handle.truncate(50 * 1024 * 1024)
    start = time.monotonic()
    p = problem(path)
    assert p.code == "YAML08" and "52,428,800" in p.message
    assert time.monotonic() - start < 1


def test_size_cap_applies_to_real_content(tmp_path):
    path = write(tmp_path, "values: [" + ", ".join(["1"] * 5000) + "]\n")
    assert problem(path, max_bytes=1000).code == "YAML08"
    assert len(load_yaml(path).data["values"]) == 5000


@pytest.mark.parametrize("text, code", [
    ("a: [1\n", "YAML01"), ("a: 1\n---\nb: 2\n", "YAML01"), ("? [a]\n: 1\n", "YAML09"),
    ("a: \x07\n", "YAML01"), ("x: " + "9" * 5000 + "\n", "YAML01"),
    ("[" * 300 + "]" * 300, "YAML01"),
])
def test_malformed_input_gives_a_positioned_problem(tmp_path, text, code):
    p = problem(write(tmp_path, text))
    assert p.code == code and p.pos.line >= 1, p


def test_missing_file_and_directory(tmp_path):
    assert problem(tmp_path / "nope.yaml").code == "IO01"
    assert problem(tmp_path).code == "IO01"


def test_json_files_load_with_positions(tmp_path):
    doc = load_yaml(write(tmp_path, '{"reports": [\n  {"unit": "ham-tan", "values": '
                                    '{"received": 4917}}\n]}\n', "d.json"))
    assert doc.data["reports"][0]["values"]["received"] == 4917
    assert doc.positions[("reports", 0, "values", "received")] == Position(doc.file, 2, 46)


def test_dates_stay_text(tmp_path):
    assert load_yaml(write(tmp_path, "by: 2025-12-31\n")).data == {"by": "2025-12-31"}


# PyYAML's emitter mangles control characters and line separators; the loader is not at fault.
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20)
scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=False) | texts)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(texts, inner, max_size=4), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_round_trip_and_every_path_has_a_position(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("rt") / "d.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    doc = load_yaml(path)
    assert doc.data == data or (isinstance(data, float) and math.isclose(doc.data, data))

    def paths(node, prefix=()):
        yield prefix
        items = node.items() if isinstance(node, dict) else \
            enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            yield from paths(value, (*prefix, key))
    for p in paths(data):
        assert doc.positions[p].line >= 1 and doc.positions[p].col >= 1


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_any_bytes_load_or_give_a_problem(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("any") / "d.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    try:
        load_yaml(path)
    except CchcError as err:
        assert err.problems and all(p.pos is not None and p.pos.file for p in err.problems)
    assert os.path.exists(path)


@pytest.mark.parametrize("text, hint", [
    ('milestones:\n  - by: "2025"\n    op: >=\n    value: 50\n', 'op: ">="'),
    ('milestones: [{by: "2025", op: >=, value: 50}]\n', 'op: ">="'),
    ("title: Chỉ tiêu: 80%\n", 'title: "Chỉ tiêu: 80%"'),
    ('title: "Đề án\nissuer: UBND\n', "a quoted scalar starts at line 1, column 8"),
])
def test_common_yaml_mistakes_get_a_hint(tmp_path, text, hint):
    p = problem(write(tmp_path, text))
    assert p.code == "YAML01" and hint in (p.hint or ""), p
