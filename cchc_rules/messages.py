"""User-facing words through a message catalogue: Vietnamese by default, English on request.

Messages are written in English in the code (the catalogue's msgid) and translated from the
catalogue `cchc_rules/locale/vi/LC_MESSAGES/cchc.po`. Write a message as a template and fill
it afterwards, `_("no figure for {unit}").format(unit=unit)`, never as an f-string inside
`_()`: the catalogue must see the template, not one filled-in sentence. A message kept in a
module constant is marked `N_("…")` where it is written and translated where it is used,
`translate(HINT)` (a constant is made at import, before the language is known).

The language: `--lang`, else the environment (CCHC_LANG, then the locale LC_ALL,
LC_MESSAGES, LANG: the first one set decides), else Vietnamese. A value starting with `en`
means English, anything else (`vi_VN`, `C`, `POSIX`, `C.UTF-8`, `fr_FR`) Vietnamese: C and
POSIX say "no preference", and the tool's own language is Vietnamese. It is held in a context
variable, so the web app's requests and the tests can each use their own.

The .po file is read directly (a few hundred entries, about a millisecond): no compiled .mo
to rebuild, so `pip install .`, `pip install -e .` and a fresh clone all work alike. Problem
codes, positions and the words `error`/`warning` are the same in both languages.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGS = ("vi", "en")
DOMAIN = "cchc"
LOCALE_DIR = Path(__file__).parent / "locale"
ENV_VARS = ("CCHC_LANG", "LC_ALL", "LC_MESSAGES", "LANG")

CONTEXT = "\x04"   # between an entry's context and its msgid, as in GNU gettext
_ESCAPE = re.compile(r'\\(.)')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_LANG: ContextVar[str | None] = ContextVar("cchc_lang", default=None)


def language_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """'en' when the first of CCHC_LANG, LC_ALL, LC_MESSAGES, LANG that is set starts with
    'en'; 'vi' otherwise (also for C and POSIX)."""
    for name in ENV_VARS:
        value = environ.get(name, "").strip().lower()
        if value:
            return "en" if value.startswith("en") else "vi"
    return "vi"


def set_language(lang: str | None) -> None:
    """Use `lang` ('vi' or 'en') for every message from here on in this context; None goes
    back to the environment's choice."""
    _LANG.set(lang if lang in LANGS else None if lang is None else "vi")


def language() -> str:
    return _LANG.get() or language_from_env()


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file's translated, non-fuzzy entries; an entry with a context
    is keyed `context + "\x04" + msgid`, as GNU gettext keys it (no plurals: the catalogue has
    none). tests/test_messages.py checks it reads what Babel reads."""
    found: dict[str, str] = {}
    entry: dict[str, list[str]] | None = None
    key, fuzzy, next_fuzzy = "", False, False

    def close() -> None:
        if entry is not None and not fuzzy:
            msgid, msgstr = "".join(entry["msgid"]), "".join(entry["msgstr"])
            context = "".join(entry["msgctxt"])
            if msgid and msgstr:
                found[f"{context}{CONTEXT}{msgid}" if context else msgid] = msgstr

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#"):
            next_fuzzy = next_fuzzy or (line.startswith("#,") and "fuzzy" in line)
            continue
        if line.startswith("msgctxt "):
            close()
            entry, key, fuzzy, next_fuzzy = _entry(), "msgctxt", next_fuzzy, False
            line = line[len("msgctxt "):]
        elif line.startswith("msgid "):
            if key != "msgctxt":
                close()
                entry, fuzzy, next_fuzzy = _entry(), next_fuzzy, False
            key, line = "msgid", line[len("msgid "):]
        elif line.startswith("msgstr "):
            key, line = "msgstr", line[len("msgstr "):]
        if entry is not None and line.startswith('"'):
            text = line[1:-1]
            entry[key].append(_ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[0]), text)
                              if "\\" in text else text)
    close()
    return found


def _entry() -> dict[str, list[str]]:
    return {"msgctxt": [], "msgid": [], "msgstr": []}


@cache
def _catalogue(lang: str) -> dict[str, str]:
    path = po_path(lang)
    # a missing catalogue gives the English msgid back, never an error
    return read_po(path) if path.is_file() else {}


def _(msgid: str) -> str:
    """`msgid` in the current language (the English msgid when untranslated)."""
    lang = language()
    return msgid if lang == "en" else _catalogue(lang).get(msgid, msgid)


def translate(msgid: str) -> str:
    """`_()` for a message kept in a constant marked `N_()`."""
    return _(msgid)


def N_(msgid: str) -> str:  # gettext's name: "mark for the catalogue"
    """Mark `msgid` for the catalogue without translating it (module constants)."""
    return msgid


# The names of the things a message names by kind (`unknown {kind} '{name}'`).
_NOUNS = {"period": N_("period"), "unit": N_("unit"), "target": N_("target"),
          "check": N_("check"), "metric": N_("metric"), "level": N_("level"),
          "indicator": N_("indicator"), "group": N_("group"), "band": N_("band"),
          "parent": N_("parent"), "successor": N_("successor")}


def noun(kind: str) -> str:
    """`kind` ('period', 'unit', 'target', …) in the current language."""
    return translate(_NOUNS[kind]) if kind in _NOUNS else kind


# The outputs' fixed words (table headings, report labels, explain's sentences) are the same
# catalogue's entries, each with its key as gettext context (`msgctxt`), so one English word
# may read differently in two places ("Period" a heading, "period" in a sentence).
def W_(key: str, msgid: str) -> tuple[str, str]:
    """Mark a word of an output for the catalogue: `key` is its context, `msgid` the English."""
    return key, msgid


class Words:
    """A table of an output's words: key -> English, read in a language by `in_lang`."""

    def __init__(self, *entries: tuple[str, str]) -> None:
        self.english = dict(entries)

    def __contains__(self, key: object) -> bool:
        return key in self.english

    def keys(self):
        return self.english.keys()

    def in_lang(self, lang: str) -> dict[str, str]:
        """key -> word in `lang` (the English when untranslated)."""
        if lang == "en":
            return dict(self.english)
        book = _catalogue(lang)
        return {key: book.get(f"{key}{CONTEXT}{en}", en) for key, en in self.english.items()}
