"""The message catalogue: every message written in cchc_rules/ has its Vietnamese text, the
texts keep their placeholders, `_()` only ever sees a literal template, and every error code
has both its one-line texts. A message added without a translation fails here, listed."""
from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po as babel_read_po

from cchc_rules import messages
from cchc_rules.codes import CODES
from cchc_rules.messages import (
    CONTEXT,
    N_,
    _,
    language,
    language_from_env,
    po_path,
    read_po,
    set_language,
    translate,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cchc_rules"
KEYWORDS = {"_": None, "N_": None, "W_": ((1, "c"), 2)}  # babel.cfg's header: -k N_ -k W_:1c,2
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
          ast.SetComp, ast.DictComp, ast.GeneratorExp)


def extracted() -> dict[str, str]:
    """msgid -> file:line of its first use, by Babel's own extractor (babel.cfg's mapping)."""
    found: dict[str, str] = {}
    for file, line, msgid, _comments, context in extract_from_dir(
            PACKAGE, [("**.py", "python")], keywords=KEYWORDS, comment_tags=()):
        found.setdefault(key(msgid, context), f"cchc_rules/{file}:{line}")
    return found


def key(msgid: str, context: str | None) -> str:
    """The catalogue's key of an entry: a word of an output has its key as context."""
    return f"{context}{CONTEXT}{msgid}" if context else msgid


def _calls(tree: ast.AST, names: set[str]):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in names:
            yield node


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "messages.py":
            continue  # translate(): the one `_()` of a variable, for N_-marked constants
        yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def catalogue() -> dict[str, str]:
    return read_po(po_path("vi"))


def fields(text: str) -> list[tuple[str, str, str]]:
    """The placeholders of a template; a literal message with a lone brace (never given to
    .format()) by its braces."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [("", "{" * text.count("{"), "}" * text.count("}"))]
    return sorted((name, conv or "", spec or "") for _lit, name, spec, conv in parsed
                  if name is not None)


def test_every_message_in_the_code_has_a_vietnamese_text():
    vi = catalogue()
    missing = {msgid: at for msgid, at in extracted().items() if not vi.get(msgid)}
    assert not missing, (
        "translate these in cchc_rules/locale/vi/LC_MESSAGES/cchc.po (docs/errors.md, "
        "'Messages and languages'): " + "\n".join(f"{at}: {m!r}" for m, at in missing.items()))


def test_the_catalogue_holds_no_stale_or_fuzzy_entry():
    used = set(extracted())
    entries = babel_read_po(po_path("vi").open("rb"))
    stale = sorted(m.id for m in entries if m.id and key(m.id, m.context) not in used)
    fuzzy = sorted(m.id for m in entries if m.id and m.fuzzy)
    assert not stale, f"no longer in the code, remove from cchc.po: {stale}"
    assert not fuzzy, f"fuzzy entries are not used; check and unmark them: {fuzzy}"


def test_a_translation_keeps_the_placeholders_of_its_template():
    wrong = {msgid: text for msgid, text in catalogue().items() if fields(msgid) != fields(text)}
    assert not wrong, f"placeholders differ between template and translation: {wrong}"


def formatted() -> set[str]:
    """The templates written as `_("…").format(…)` in cchc_rules/."""
    return {node.func.value.args[0].value for _path, tree in _sources()
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format" and isinstance(node.func.value, ast.Call)
            and getattr(node.func.value.func, "id", "") == "_"}


@pytest.mark.parametrize("msgid", sorted(formatted()))
def test_every_template_fills_in_both_languages(msgid):
    values = {name: 1234 if spec else "x" for name, _conv, spec in fields(msgid)}
    for lang in ("vi", "en"):
        set_language(lang)
        assert _(msgid).format(**values)


def test_the_catalogue_reads_as_babel_reads_it():
    reference = {key(m.id, m.context): m.string for m in babel_read_po(po_path("vi").open("rb"))
                 if m.id and m.string and not m.fuzzy}
    assert read_po(po_path("vi")) == reference
    assert len(reference) >= 400


def test_the_catalogue_ships_inside_the_package():
    # hatch's wheel takes every file under cchc_rules/ (pyproject: packages = ["cchc_rules"])
    assert po_path("vi").is_file()
    assert po_path("vi").is_relative_to(PACKAGE)
    assert "locale" not in (ROOT / ".gitignore").read_text(encoding="utf-8")


def test_messages_are_given_to_the_catalogue_as_literal_templates():
    """`_(f"…{x}")` or `_(text)` would look up a filled-in sentence that no catalogue holds."""
    bad = [f"{path}:{call.lineno}" for path, tree in _sources()
           for call in _calls(tree, {"_", "N_"})
           if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Constant)
           or not isinstance(call.args[0].value, str)]
    assert not bad, f"_() and N_() take one literal string (fill it with .format after): {bad}"


def _scope_nodes(scope: ast.AST):
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, SCOPES):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def test_no_function_that_translates_rebinds_the_underscore():
    """`a, _ = …` in a function makes `_` local there: its `_("…")` would then fail."""
    bad = []
    for path, tree in _sources():
        for scope in ast.walk(tree):
            if not isinstance(scope, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            nodes = list(_scope_nodes(scope))
            binds = [n.lineno for n in nodes if isinstance(n, ast.Name) and n.id == "_"
                     and isinstance(n.ctx, ast.Store)]
            if binds and any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "_"
                             for n in nodes):
                bad.append(f"{path}:{binds[0]}")
    assert not bad, f"rename the throwaway variable `_` (it hides the translator): {bad}"


def test_every_code_has_its_one_line_text_in_both_languages():
    for code in CODES.values():
        assert code.en.strip() and code.vi.strip(), code.code
        assert "\n" not in code.en + code.vi, code.code
        assert code.vi != code.en, f"{code.code}: the Vietnamese text is the English one"


@pytest.mark.parametrize(("env", "lang"), [
    ({}, "vi"),
    ({"LANG": "C"}, "vi"),
    ({"LANG": "POSIX"}, "vi"),
    ({"LANG": "C.UTF-8"}, "vi"),
    ({"LANG": "vi_VN.UTF-8"}, "vi"),
    ({"LANG": "fr_FR.UTF-8"}, "vi"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_GB"}, "en"),
    ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "vi_VN"}, "en"),
    ({"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),   # LC_ALL wins, as in POSIX
    ({"LC_ALL": "", "LANG": "en_US.UTF-8"}, "en"),          # set but empty: not a choice
    ({"CCHC_LANG": "vi", "LC_ALL": "en_US.UTF-8"}, "vi"),  # the tool's own setting first
    ({"CCHC_LANG": "en", "LANG": "vi_VN.UTF-8"}, "en"),
])
def test_the_language_from_the_environment(env, lang):
    assert language_from_env(env) == lang


def test_set_language_holds_until_reset(monkeypatch):
    monkeypatch.setenv("CCHC_LANG", "en")
    set_language("vi")
    assert language() == "vi" and _("file not found") == "không tìm thấy tệp"
    set_language("en")
    assert _("file not found") == "file not found"
    set_language(None)
    assert language() == "en"
    set_language("fr")  # not a language of the tool: the default
    assert language() == "vi"


def test_a_constant_marked_for_the_catalogue_is_translated_where_it_is_used():
    hint = N_("split the figures into several files")
    set_language("vi")
    assert translate(hint) == "chia số liệu thành nhiều tệp"


def test_an_unknown_message_and_a_missing_catalogue_give_the_english_back(monkeypatch, tmp_path):
    set_language("vi")
    assert _("a message nobody translated") == "a message nobody translated"
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path)
    messages._catalogue.cache_clear()
    try:
        assert _("file not found") == "file not found"
    finally:
        messages._catalogue.cache_clear()


def test_po_escapes_are_read(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr "Language: vi\\n"\n\n#, fuzzy\nmsgid "a"\nmsgstr "b"\n\n'
                  'msgid "say \\"hi\\"\\t"\nmsgstr ""\n"nói \\"chào\\"\\t"\n', encoding="utf-8")
    assert read_po(po) == {'say "hi"\t': 'nói "chào"\t'}


def test_messages_of_outputs_are_marked_with_a_literal_key_and_text():
    bad = [f"{path}:{call.lineno}" for path, tree in _sources()
           for call in _calls(tree, {"W_"})
           if len(call.args) != 2 or call.keywords
           or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                      for a in call.args)]
    assert not bad, f"W_() takes a literal key and a literal English text: {bad}"


def test_every_word_of_every_output_has_both_languages():
    """The word tables of the table, report, explain and web app: every key has its English
    text and its Vietnamese in the catalogue."""
    from cchc_rules.render import explain, i18n, scores
    from cchc_rules.serve import pages
    tables = [i18n._WORDS, explain.TEXT, explain.ORIGIN, explain.OVER_TIME_PICK,
              pages.APP_WORDS, scores._WORDS]
    vi = catalogue()
    for table in tables:
        english = table.in_lang("en")
        assert all(english.values())
        untranslated = [k for k, en in english.items() if not vi.get(key(en, k))]
        assert untranslated == [], f"translate these words in cchc.po: {untranslated}"
