"""Formula tokenizer (validate stage): text -> tokens with 0-based columns.

Refused constructs (strings, '**', '%', attribute access, subscripts, stray
characters) are reported here, all at once, and replaced by a recovery token so
the parser can still report what else is wrong.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from fractions import Fraction

from ..errors import Position, Problem
from ..messages import N_, _, translate

NUM, NAME, OP, LPAREN, RPAREN, COMMA, END = (
    "number", "name", "operator", "(", ")", ",", "end")
STR, LBRACK, RBRACK = "string", "[", "]"  # conditions only (records' `where`)

COMPARE_OPS = ("==", "!=", "<=", ">=", "<", ">")
ARITH_OPS = ("+", "-", "*", "/")

# Python keywords and literals look like names but are never metric ids here;
# soft keywords (match, case, type, _) stay usable as ids.
KEYWORDS = frozenset(keyword.kwlist)
# Words a records condition reads as its own (and/or/not/is/in, null, true/false).
CONDITION_WORDS = frozenset({"and", "or", "not", "is", "in", "null", "true", "false"})

MAX_NUMBER_DIGITS = 1_000  # far past any figure (floats end at 309); Python stops at 4,300

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DIGITS = frozenset("0123456789")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = re.compile(r"\w+")  # identifier-ish run including non-ASCII letters
_SPACE = " \t\r\n"

# Characters that are refused with a specific explanation.
_REFUSED = {
    "%": N_("'%' (remainder) is not allowed"),
    "^": N_("'^' is not allowed; formulas have no power operator"),
    "&": N_("'&' is not allowed; formulas have no logic operators"),
    "|": N_("'|' is not allowed; formulas have no logic operators"),
    "~": N_("'~' is not allowed"),
    ":": N_("':' is not allowed (no lambdas, slices or dicts)"),
    ";": N_("';' is not allowed; a formula is one expression"),
    "@": N_("'@' is not allowed"),
    "{": N_("'{' is not allowed"),
    "}": N_("'}' is not allowed"),
}

# Look-alikes that come in when a formula is copied from a Word document.
_LOOKALIKE = {"×": "*", "÷": "/", "−": "-", "–": "-", "≥": ">=", "≤": "<=", "≠": "!="}


@dataclass(frozen=True)
class Token:
    """One token; `col` is the 0-based offset in the formula text."""

    kind: str
    text: str
    col: int
    value: Fraction | None = None


def where(pos: Position | None, col: int, text: str = "") -> Position:
    """The file position of 0-based offset `col` of formula `text` starting at `pos`.

    Text with newlines comes from a literal block scalar, whose lines share one
    indentation: later lines keep `pos`'s column and count lines down from it.
    """
    base = pos if pos is not None else Position("<formula>", 1, 1)
    lines = text.count("\n", 0, col)
    if not lines:
        return base.shifted(col)
    in_line = col - text.rindex("\n", 0, col) - 1
    return Position(base.file, base.line + lines if base.line else 0, base.col).shifted(in_line)


class _Lexer:
    def __init__(self, text: str, pos: Position | None, condition: bool = False) -> None:
        self.text, self.pos, self.condition = text, pos, condition
        self.tokens: list[Token] = []
        self.problems: list[Problem] = []
        self.i = 0

    def error(self, code: str, message: str, col: int, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, where(self.pos, col, self.text), hint))

    def add(self, kind: str, text: str, col: int, value: Fraction | None = None) -> None:
        self.tokens.append(Token(kind, text, col, value))

    def run(self) -> None:
        text = self.text
        while self.i < len(text):
            ch, start = text[self.i], self.i
            if ch in _SPACE:
                self.i += 1
            elif ch in _DIGITS or (ch == "." and text[self.i + 1:self.i + 2] in _DIGITS):
                self.number()
            elif ch.isalpha() or ch == "_":
                self.name()
            elif ch in "+-*/<>=!":
                self.operator()
            elif ch in "(),":
                self.add({"(": LPAREN, ")": RPAREN, ",": COMMA}[ch], ch, start)
                self.i += 1
            elif ch in "'\"":
                self.string()
            elif ch == ".":
                self.dot()
            elif ch in "[]" and self.condition:
                self.add(LBRACK if ch == "[" else RBRACK, ch, start)
                self.i += 1
            elif ch == "[":
                self.subscript()
            elif ch in _REFUSED:
                self.error("FRM02", translate(_REFUSED[ch]), start)
                if ch == "%":  # recover as a binary operator
                    self.add(OP, "/", start)
                self.i += 1
            elif ch in _LOOKALIKE:
                ascii_op = _LOOKALIKE[ch]
                self.error("FRM01", _("unexpected character {ch!r}").format(ch=ch), start,
                           _("write '{ascii_op}' instead").format(ascii_op=ascii_op))
                self.add(OP, ascii_op, start)
                self.i += 1
            else:
                self.error("FRM01", _("unexpected character {ch!r}").format(ch=ch), start)
                self.i += 1
        self.add(END, "", len(text))

    def number(self) -> None:
        start, text = self.i, self.text
        if text[start] == ".":
            m = _NUMBER.match(text, start + 1)  # `.5` is read as 0.5
            start_value = "0."
        else:
            m = _NUMBER.match(text, start)
            start_value = ""
        assert m is not None   # number() is called on a digit, or on '.' before one
        end = m.end()
        digits = len(m.group()) - ("." in m.group())
        if digits > MAX_NUMBER_DIGITS:
            self.error("FRM08", _("number of {digits:,} digits (at most "
                                  "{MAX_NUMBER_DIGITS:,})").format(
                                  digits=digits, MAX_NUMBER_DIGITS=MAX_NUMBER_DIGITS),
                       start, _("write the figure in the data, or in a smaller unit"))
            self.add(NUM, text[start:end], start, Fraction(0))
            self.i = end
            return
        self.add(NUM, text[start:end], start, Fraction(start_value + m.group()))
        tail = _WORD.match(text, end)
        if text[end:end + 1] == "." or tail:
            # `1.`, `1.2.3`, `1e5`, `2x`: one clear message instead of a cascade.
            stop = end
            while stop < len(text) and (text[stop].isalnum() or text[stop] in "._"):
                stop += 1
            self.error("FRM08", _("malformed number {text!r}").format(
                                  text=text[start:stop]), start,
                       _("numbers are digits with an optional '.' decimal part, e.g. 0.5"))
            end = stop
        self.i = end

    def name(self) -> None:
        start = self.i
        found = _WORD.match(self.text, start)
        assert found is not None   # name() is called on a letter or '_'
        word = found.group()
        if not _NAME.fullmatch(word):
            self.error("FRM07", _("metric id {word!r} must use ASCII letters, digits and "
                                  "'_'").format(
                                  word=word),
                       start)
        elif word.lower() in CONDITION_WORDS and self.condition:
            word = self.text[start:start + len(word)]
        elif word in KEYWORDS:
            self.error("FRM02", _("keyword {word!r} is not allowed in a formula").format(
                                  word=word), start)
        self.add(NAME, word, start)
        self.i = start + len(word)

    def operator(self) -> None:
        start, text = self.i, self.text
        two = text[start:start + 2]
        if two == "**":
            self.error("FRM02", _("'**' (power) is not allowed"), start,
                       _("write the multiplication out, e.g. a * a"))
            self.add(OP, "*", start)
            self.i += 2
        elif two in COMPARE_OPS:
            self.add(OP, two, start)
            self.i += 2
        elif text[start] == "=":
            self.error("FRM01", _("'=' is not an operator"), start, _("did you mean '=='?"))
            self.add(OP, "==", start)
            self.i += 1
        elif text[start] == "!":
            self.error("FRM01", _("'!' is not an operator"), start, _("did you mean '!='?"))
            self.i += 1
        else:
            self.add(OP, text[start], start)
            self.i += 1

    def string(self) -> None:
        start, quote = self.i, self.text[self.i]
        end = self.text.find(quote, start + 1)
        end = len(self.text) if end < 0 else end + 1
        if self.condition:
            if not self.text.endswith(quote, start + 1, end):
                self.error("FRM01", _("text is never closed"), start,
                           _("end it with {quote}").format(quote=quote))
            self.add(STR, self.text[start + 1:end - 1], start)
            self.i = end
            return
        self.error("FRM02", _("strings are not allowed in a formula"), start)
        self.add(NUM, self.text[start:end], start, Fraction(0))
        self.i = end

    def dot(self) -> None:
        start = self.i
        after = _WORD.match(self.text, start + 1)
        if self.tokens and self.tokens[-1].kind in (NAME, RPAREN) and after:
            self.error("FRM02", _("attribute access '.{group}' is not allowed").format(
                                  group=after.group()), start,
                       _("metric ids use '_', not '.'"))
            self.i = after.end()
        else:
            self.error("FRM01", _("unexpected '.'"), start)
            self.i += 1

    def subscript(self) -> None:
        start, depth = self.i, 0
        while self.i < len(self.text):
            depth += {"[": 1, "]": -1}.get(self.text[self.i], 0)
            self.i += 1
            if depth == 0:
                break
        self.error("FRM02", _("subscripts '[...]' are not allowed"), start)


def tokenize(text: str, pos: Position | None = None, condition: bool = False
             ) -> tuple[list[Token], list[Problem]]:
    """Tokens (always ending with END) and every lexical problem found. `condition`: the
    records `where` language, which also reads text in quotes, `[`/`]` lists and the
    CONDITION_WORDS."""
    lexer = _Lexer(text, pos, condition)
    lexer.run()
    return lexer.tokens, lexer.problems
