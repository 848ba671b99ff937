"""Data stage: one reported cell into a float, refusing anything a planner could misread.

"4.917" is 4917 in a Vietnamese report and 4.917 in an English one, so text in that shape is an
error unless `decimal_comma` says which; NaN and infinity are never figures, and neither is a
number too large for a float (a 400-digit integer, "1" and 309 zeros). Digits are ASCII 0-9 only:
Python and polars would read Arabic-Indic or full-width digits as numbers, planners never write
them on purpose.
"""
from __future__ import annotations

import math
import re

from ...messages import N_, _, translate

_PLAIN = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
# One dot followed by exactly three digits: a thousands group or three decimals, no telling.
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}", re.ASCII)
_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?", re.ASCII)
_NOT_NUMBERS = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity",
                "-infinity"}
SPACES = "\u00a0\u202f\u2009 "
DECIMAL_COMMA_HINT = N_("pass --decimal-comma to read '.' as the thousands separator and ',' "
                        "as the decimal mark (4.917 = 4917, 47,18 = 47.18)")


class BadValue(ValueError):
    """A cell that is not a figure; `code` is DAT01 (not a number), DAT02 (number format) or
    DAT03 (NaN or infinity)."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def parse_value(raw: object, decimal_comma: bool = False) -> float | None:
    """A reported figure as a float, None when the cell is empty (a missing figure, not zero);
    BadValue otherwise. Numbers from YAML, JSON or Excel are taken as they are; text is read
    by the format rules above."""
    if raw.__class__ is str and raw.isascii() and raw.isdigit():
        return _finite(float(raw), raw)  # the common case, first
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise BadValue("DAT01", _("{lower} is not a number").format(lower=str(raw).lower()),
                       _("figures are numbers; leave the cell empty when a figure is missing"))
    if isinstance(raw, int):
        try:
            return float(raw)
        except OverflowError:  # YAML and JSON integers have no size limit
            raise _too_large(str(raw)) from None
    if isinstance(raw, float):
        return _finite(raw, str(raw))
    if not isinstance(raw, str):
        raise BadValue("DAT01", _("{raw!r} is not a number").format(
                                  raw=raw), _("write the figure as a number"))
    text = raw.strip(SPACES + "\t\r\n")
    if not text:
        return None
    if text.lower() in _NOT_NUMBERS:
        raise BadValue("DAT03", _("'{text}' is not a figure").format(text=text),
                       _("leave the cell empty when a figure is missing"))
    return _parse_comma(text) if decimal_comma else _parse_dot(text)


def _parse_dot(text: str) -> float:
    if _PLAIN.fullmatch(text):
        if _AMBIGUOUS.fullmatch(text):
            raise BadValue("DAT02", _("'{text}' could be {replace} or {text}").format(
                                      text=text, replace=text.replace('.', '')),
                           translate(DECIMAL_COMMA_HINT) + _("; for the decimal number write "
                                                             "{text}0").format(text=text))
        return _finite(float(text), text)
    if _COMMA.fullmatch(text):
        raise BadValue("DAT02", _("'{text}' is written the Vietnamese way").format(
                                  text=text), translate(DECIMAL_COMMA_HINT))
    raise _not_a_number(text)


def _parse_comma(text: str) -> float:
    if _COMMA.fullmatch(text):
        return _finite(float(text.replace(".", "").replace(",", ".")), text)
    if _PLAIN.fullmatch(text):
        raise BadValue("DAT02", _("'{text}' has '.' where --decimal-comma expects groups of three "
                                  "digits").format(text=text),
                       _("write {replace} for the decimal number, or drop "
                         "--decimal-comma").format(replace=text.replace('.', ',')))
    raise _not_a_number(text)


def _not_a_number(text: str) -> BadValue:
    if text.endswith("%"):
        hint = _("write the number without '%'")
    elif any(c.isdigit() and not c.isascii() for c in text):
        hint = _("write the figure with the digits 0-9")
    elif any(c in text for c in SPACES) and _PLAIN.fullmatch(
            "".join(c for c in text if c not in SPACES)):
        hint = _("write the number without spaces between digit groups")
    else:
        hint = _("figures are numbers only; leave the cell empty when a figure is missing")
    return BadValue("DAT01", _("'{text}' is not a number").format(text=short(text, 60)), hint)


def _finite(value: float, shown: str) -> float:
    if not math.isfinite(value):
        if _PLAIN.fullmatch(shown.strip(SPACES + "\t\r\n")) or _COMMA.fullmatch(shown):
            raise _too_large(shown)
        raise BadValue("DAT03", _("'{shown}' is not a figure").format(shown=short(shown)),
                       _("leave the cell empty when a figure is missing"))
    return value


def _too_large(text: str) -> BadValue:
    return BadValue("DAT03", _("'{text}' is too large to be a figure").format(text=short(text)),
                    _("check the cell: no reported figure has that many digits"))


def short(text: str, keep: int = 24) -> str:
    """Text for a message, cut in the middle when long: a hostile cell stays one short line."""
    if len(text) <= keep:
        return text
    return f"{text[:10]}…{text[-6:]} ({len(text)} characters)"


def whole_number_problem(value: float) -> BadValue:
    """Why a fractional figure is refused for a `count` (spec §2: a whole number in every
    format). 16.298 is how a Vietnamese report writes 16,298, so that shape says so."""
    text = repr(value)
    if _AMBIGUOUS.fullmatch(text):
        whole = text.replace(".", "")
        return BadValue("DAT02", _("is {text}, but a count is a whole number").format(text=text),
                        _("is {text} the Vietnamese way of writing {whole}? write {whole}").format(
                          text=text, whole=whole))
    return BadValue("DAT21", _("is {text}, but a count is a whole number").format(text=text),
                    _("a count is a whole number"))
