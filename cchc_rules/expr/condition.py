"""Records conditions (validate stage): the `where` of a metric counted from dossier records.

The formula grammar (parser.py) plus column names, text, dates, true/false and logic, lowest
precedence first:
    condition  := conjunct ("or" conjunct)*
    conjunct   := negation ("and" negation)*
    negation   := "not" negation | predicate
    predicate  := sum (COMPARE sum | "is" ["not"] "null" | ["not"] "in" "[" sum ("," sum)* "]")?
    primary    := formula primary | TEXT | "true" | "false" | "(" condition ")"
Names are the source's declared columns and `period_start` / `period_end`. Every name is
checked against the columns (REC01, with a did-you-mean) and every operator against the
types of its sides (REC02), so the SQL generated from the tree is always well typed. The
tree never becomes SQL text by pasting: records/sql.py builds it node by node.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from ..errors import CchcError, Position, Problem, did_you_mean
from ..messages import _
from .ast import (
    Binary,
    Bool,
    Call,
    Compare,
    In,
    IsNull,
    Logic,
    Name,
    Node,
    Not,
    Number,
    Text,
    Unary,
)
from .parser import _Parser, _Stop
from .tokens import COMMA, COMPARE_OPS, END, LBRACK, LPAREN, NAME, RBRACK, STR, tokenize, where

PERIOD_NAMES = ("period_start", "period_end")  # the first and last day of the period counted
# Declared column type -> what the condition checks it as.
COLUMN_TYPES = {"text": "text", "integer": "number", "number": "number", "date": "date",
                "timestamp": "date", "timestamptz": "date", "boolean": "boolean"}


def _word(tok, *words: str) -> bool:
    return tok.kind == NAME and tok.text.lower() in words


class _ConditionParser(_Parser):
    def condition(self) -> Node:
        node = self.conjunct()
        while _word(self.tok, "or"):
            op = self.next()
            node = Logic("or", node, self.conjunct(), op.col)
        return node

    def conjunct(self) -> Node:
        node = self.negation()
        while _word(self.tok, "and"):
            op = self.next()
            node = Logic("and", node, self.negation(), op.col)
        return node

    def negation(self) -> Node:
        if not _word(self.tok, "not"):
            return self.predicate()
        op = self.next()
        self.enter()
        node = Not(self.negation(), op.col)
        self.depth -= 1
        return node

    def predicate(self) -> Node:
        node = self.sum()
        if self.at_op(*COMPARE_OPS):
            op = self.next()
            node = Compare(op.text, node, self.sum(), op.col)
            if self.at_op(*COMPARE_OPS):
                raise self.stop(_("chained comparisons are not allowed"),
                                _("join two comparisons with 'and'"))
        elif _word(self.tok, "is"):
            op = self.next()
            negated = _word(self.tok, "not")
            if negated:
                self.next()
            if not _word(self.tok, "null"):
                raise self.stop(_("expected 'null' after 'is not'") if negated
                                else _("expected 'null' after 'is'"))
            self.next()
            node = IsNull(node, negated, op.col)
        elif _word(self.tok, "in") or (_word(self.tok, "not")
                                       and _word(self.tokens[self.i + 1], "in")):
            negated = _word(self.tok, "not")
            if negated:
                self.next()
            op = self.next()
            node = In(node, self.items(), op.col)
            if negated:
                node = Not(node, op.col)
        return node

    def items(self) -> tuple[Node, ...]:
        if self.tok.kind != LBRACK:
            raise self.stop(_("expected '[' after 'in'"), _("write a list: channel in ['a', 'b']"))
        self.next()
        items = [self.sum()]
        while self.tok.kind == COMMA:
            self.next()
            items.append(self.sum())
        if self.tok.kind != RBRACK:
            raise self.stop(_("expected ']' or ',' in the list"))
        self.next()
        return tuple(items)

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == STR:
            self.next()
            return Text(tok.text, tok.col)
        if _word(tok, "true", "false"):
            self.next()
            return Bool(tok.text.lower() == "true", tok.col)
        if _word(tok, "null"):
            raise self.stop(_("'null' only follows 'is'"), _("write 'column is null'"))
        if _word(tok, "and", "or", "not", "is", "in"):
            raise self.stop(_("unexpected '{text}'; expected a column, a value or '('").format(
                              text=tok.text))
        if tok.kind == LPAREN:
            self.next()
            self.enter()
            node = self.condition()
            self.expect_close(tok)
            self.depth -= 1
            return node
        return super().primary()


def parse_condition(text: str, columns: Mapping[str, str], pos: Position | None = None
                    ) -> Node:
    """The checked tree of condition `text` over `columns` (name -> declared type), or
    CchcError with every problem found, each at its place in the file."""
    if not isinstance(text, str) or not text.strip():
        raise CchcError([Problem("FRM06", _("a condition must be non-empty text, got "
                                            "{text!r}").format(
                                            text=text), where(pos, 0))])
    tokens, problems = tokenize(text, pos, condition=True)
    parser = _ConditionParser(text, tokens, pos)
    node: Node | None = None
    try:
        node = parser.condition()
        if parser.tok.kind != END:
            raise parser.stop(_("unexpected {text!r}").format(text=parser.tok.text),
                              _("join conditions with 'and' or 'or'"))
    except _Stop:
        node = None
        if problems:  # after a refused character the rest is an echo of it
            parser.problems = [p for p in parser.problems if p.code != "FRM01"]
    problems = problems + parser.problems
    if node is not None and not problems:
        checker = _Types(text, pos, columns)
        if checker.type_of(node) not in ("boolean", None):
            checker.error("REC02", _("a condition must be true or false, e.g. 'x > 0'"), node)
        problems = checker.problems
    if problems or node is None:
        raise CchcError(sorted(problems, key=lambda p: p.place))
    return node


def literal_date(text: str) -> date | datetime | None:
    """The date (or date and time) an ISO text literal names, else None."""
    for kind in (date, datetime):
        try:
            return kind.fromisoformat(text)
        except ValueError:
            continue
    return None


class _Types:
    """Types of condition nodes: number, text, date, boolean; None after an error."""

    def __init__(self, text: str, pos: Position | None, columns: Mapping[str, str]) -> None:
        self.text, self.pos, self.columns = text, pos, columns
        self.problems: list[Problem] = []

    def error(self, code: str, message: str, node: Node, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, where(self.pos, node.col, self.text), hint))

    def type_of(self, node: Node) -> str | None:
        if isinstance(node, Number):
            return "number"
        if isinstance(node, Text):
            return "text"
        if isinstance(node, Bool):
            return "boolean"
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Unary | Binary | Call):
            parts = (node.operand,) if isinstance(node, Unary) else \
                (node.left, node.right) if isinstance(node, Binary) else node.args
            kinds = [self.type_of(p) for p in parts]
            for part, kind in zip(parts, kinds, strict=True):
                if kind not in ("number", None):
                    self.error("REC02", _("arithmetic needs numbers, not {kind}").format(
                                          kind=kind), part)
            return "number"
        if isinstance(node, Logic | Not):
            parts = (node.left, node.right) if isinstance(node, Logic) else (node.operand,)
            for part in parts:
                if self.type_of(part) not in ("boolean", None):
                    self.error("REC02", _("'and', 'or' and 'not' join conditions, e.g. 'x > 0 and "
                                          "y is null'"), part)
            return "boolean"
        if isinstance(node, IsNull):
            self.type_of(node.operand)
            return "boolean"
        if isinstance(node, Compare):
            self.same(node.left, (node.right,), node.op)
            return "boolean"
        if isinstance(node, In):
            self.same(node.operand, node.items, "in")
            return "boolean"
        raise TypeError(node)  # pragma: no cover - every node kind is listed above

    def name(self, node: Name) -> str | None:
        if node.id in PERIOD_NAMES:
            return "date"
        declared = self.columns.get(node.id)
        if declared is None:
            choices = [*self.columns, *PERIOD_NAMES]
            self.error("REC01", _("unknown column '{id}'").format(id=node.id), node,
                       did_you_mean(node.id, choices)
                       or _("columns: {columns}").format(columns=", ".join(sorted(self.columns))))
            return None
        return COLUMN_TYPES[declared]

    def same(self, left: Node, rights: tuple[Node, ...], op: str) -> None:
        """Both sides of a comparison (or every list item) have one type; text against a
        date must be an ISO date, which the SQL then carries as a typed date."""
        kind = self.type_of(left)
        for right in rights:
            other = self.type_of(right)
            if None in (kind, other) or kind == other:
                continue
            pair = {kind, other}
            if pair == {"date", "text"}:
                text = right if isinstance(right, Text) else left
                if isinstance(text, Text) and literal_date(text.value) is not None:
                    continue
                if isinstance(text, Text):
                    self.error("REC02", _("'{value}' is not a date").format(
                                          value=text.value), text,
                               _("write dates as 'YYYY-MM-DD'"))
                    continue
            self.error("REC02", _("'{op}' compares {kind} with {other}").format(
                                  op=op, kind=kind, other=other), right)
        if op in ("<", "<=", ">", ">=") and kind == "boolean":
            self.error("REC02", _("'{op}' does not order true and false").format(op=op), left)
