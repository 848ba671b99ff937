"""User-facing words through a message catalogue: Vietnamese by default, English on request.

Messages are written in English in the code (the catalogue's msgid) and translated from the
catalogue under `cchc_rules/locale/`. Write a message as a template and fill it afterwards,
`_("no figure for {unit}").format(unit=unit)`, never as an f-string inside `_()`: the
catalogue must see the template, not one filled-in sentence.

The language is chosen once per command (`--lang`, else the locale) and held in a context
variable, so the web app's requests and the tests can each use their own.
"""
from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGS = ("vi", "en")
DOMAIN = "cchc"
LOCALE_DIR = Path(__file__).parent / "locale"

_LANG: ContextVar[str] = ContextVar("cchc_lang", default="vi")


def set_language(lang: str) -> None:
    """Use `lang` ('vi' or 'en') for every message from here on in this context."""
    _LANG.set(lang if lang in LANGS else "vi")


def language() -> str:
    return _LANG.get()


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    # fallback=True: a missing catalogue gives the English msgid back, never an error
    return gettext.translation(DOMAIN, LOCALE_DIR, [lang], fallback=True)


def _(msgid: str) -> str:
    """`msgid` in the current language."""
    lang = _LANG.get()
    return msgid if lang == "en" else _catalogue(lang).gettext(msgid)
