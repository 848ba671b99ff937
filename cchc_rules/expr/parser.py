"""Formula parser (validate stage): tokens -> AST, one method per precedence level.

Grammar (ruleset-format §1), lowest precedence first:
    assert     := sum (COMPARE sum)?        comparison only when allow_compare
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | primary
    primary    := NUMBER | NAME | FUNC "(" sum ("," sum)* ")" | "(" sum ")"
"""
from __future__ import annotations

from fractions import Fraction
from typing import cast

from ..errors import CchcError, Position, Problem, did_you_mean
from ..messages import _
from .ast import FUNCTIONS, Binary, Call, Compare, Name, Node, Number, Unary, children
from .tokens import COMMA, COMPARE_OPS, END, LPAREN, NAME, NUM, OP, RPAREN, Token, tokenize, where

MAX_DEPTH = 100  # keeps hostile input like "((((…" away from Python's recursion limit
# The tree's height, each operator of a chain `a + b + …` counting one: every later stage
# (printer, explain, polars) walks the tree by recursion, and polars slows sharply past it.
MAX_HEIGHT = 256
MAX_TOKENS = 10_000  # a bound on parse time too: a 10 MB formula would take minutes


class _Stop(Exception):
    """A syntax error after which the rest of the formula cannot be read."""


def _describe(tok: Token) -> str:
    return _("the end of the formula") if tok.kind == END else repr(tok.text)


class _Parser:
    def __init__(self, text: str, tokens: list[Token], pos: Position | None) -> None:
        self.text, self.tokens, self.pos = text, tokens, pos
        self.i = 0
        self.depth = 0
        self.problems: list[Problem] = []

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        return self.tok.kind == OP and self.tok.text in ops

    def error(self, code: str, message: str, col: int, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, where(self.pos, col, self.text), hint))

    def stop(self, message: str, hint: str | None = None) -> _Stop:
        self.error("FRM01", message, self.tok.col, hint)
        return _Stop()

    def formula(self, allow_compare: bool) -> Node:
        node = self.sum()
        if self.at_op(*COMPARE_OPS):
            op = self.next()
            if not allow_compare:
                self.error("FRM05", _("comparison '{text}' is only allowed in a check's "
                                      "assert").format(
                                      text=op.text),
                           op.col)
            node = Compare(op.text, node, self.sum(), op.col)
            if self.at_op(*COMPARE_OPS):
                self.error("FRM05", _("chained comparisons are not allowed"), self.tok.col,
                           _("write one check per comparison"))
                while self.at_op(*COMPARE_OPS):
                    self.next()
                    self.sum()
        elif allow_compare:
            self.error("FRM05", _("an assert needs one comparison, e.g. 'a == b + c'"), 0)
        if self.tok.kind != END:
            between = _("write an operator between them")
            hint = {NUM: between, NAME: between, LPAREN: between,
                    COMMA: _("decimals use '.', e.g. 0.5; ',' only separates min/max arguments"),
                    }.get(self.tok.kind)
            raise self.stop(_("unexpected {describe}").format(describe=_describe(self.tok)), hint)
        return node

    def sum(self) -> Node:
        return self.chain(("+", "-"), self.product)

    def product(self) -> Node:
        return self.chain(("*", "/"), self.unary)

    def chain(self, ops: tuple[str, ...], operand) -> Node:
        """Left-associative run of `ops` between operands of the next level up."""
        node = operand()
        while self.at_op(*ops):
            op = self.next()
            node = Binary(op.text, node, operand(), op.col)
        return node

    def unary(self) -> Node:
        if not self.at_op("-", "+"):
            return self.primary()
        op = self.next()
        self.enter()
        if op.text == "+":
            node = self.unary()
        elif self.tok.kind == NUM:  # `-3` is a negative literal, `-(3)` a negation
            # a NUM token always carries its value (tokens.py)
            node = Number(-cast(Fraction, self.next().value), op.col)
        else:
            node = Unary("-", self.unary(), op.col)
        self.depth -= 1
        return node

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.stop(_("formula is nested more than {MAX_DEPTH} levels deep").format(
                              MAX_DEPTH=MAX_DEPTH))

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == NUM:
            self.next()
            return Number(tok.value if tok.value is not None else Fraction(0), tok.col)
        if tok.kind == NAME:
            self.next()
            if self.tok.kind == LPAREN:
                return self.call(tok)
            return Name(tok.text, tok.col)
        if tok.kind == LPAREN:
            self.next()
            self.enter()
            node = self.sum()
            if self.at_op(*COMPARE_OPS):
                self.error("FRM05", _("a comparison cannot be inside parentheses"), self.tok.col)
                self.next()
                self.sum()
            self.expect_close(tok)
            self.depth -= 1
            return node
        if tok.kind == END:
            raise self.stop(_("formula ends where a number, metric id or '(' was expected"))
        raise self.stop(_("unexpected {describe}; expected a number, metric id or '('").format(
                          describe=_describe(tok)))

    def call(self, name: Token) -> Call:
        open_paren = self.next()
        self.enter()
        if name.text not in FUNCTIONS:
            hint = did_you_mean(name.text, FUNCTIONS) or _("functions: {names}").format(
                names=", ".join(FUNCTIONS))
            self.error("FRM03", _("function '{text}' is not allowed").format(
                                  text=name.text), name.col, hint)
        args = [] if self.tok.kind == RPAREN else [self.sum()]
        while self.tok.kind == COMMA:
            self.next()
            args.append(self.sum())
        self.expect_close(open_paren)
        self.depth -= 1
        if name.text in FUNCTIONS:
            low, high = FUNCTIONS[name.text]
            if len(args) < low or (high is not None and len(args) > high):
                takes = _("{name}() takes exactly {low} argument(s), got {n}") if low == high \
                    else _("{name}() takes at least {low} argument(s), got {n}")
                self.error("FRM04", takes.format(name=name.text, low=low, n=len(args)), name.col)
        return Call(name.text, tuple(args), name.col)

    def expect_close(self, opener: Token) -> None:
        if self.tok.kind == RPAREN:
            self.next()
            return
        if self.tok.kind == END:
            self.error("FRM01", _("'(' is never closed"), opener.col)
            raise _Stop()
        raise self.stop(_("unexpected {describe}; expected ')' or an operator").format(
                          describe=_describe(self.tok)))


def parse(text: str, pos: Position | None = None, allow_compare: bool = False) -> Node:
    """The AST of `text`, or CchcError with every problem found.

    `pos` is the file position of the formula's first character; problems are
    reported at `pos` shifted by their offset (file "<formula>" when None).
    """
    if not isinstance(text, str):
        raise CchcError([Problem("FRM06", _("a formula must be text, got {text!r}").format(
                                            text=text),
                                 where(pos, 0))])
    tokens, problems = tokenize(text, pos)
    if tokens[0].kind == END:
        raise CchcError([Problem("FRM06", _("formula is empty"), where(pos, 0))])
    if len(tokens) > MAX_TOKENS:
        raise CchcError([Problem("FRM09", _("formula has more than {MAX_TOKENS:,} numbers, names "
                                            "and signs").format(
                                            MAX_TOKENS=MAX_TOKENS), where(pos, 0),
                                 _("split it into derived metrics"))])
    parser = _Parser(text, tokens, pos)
    node: Node | None = None
    try:
        node = parser.formula(allow_compare)
    except _Stop:
        # After a refused construct the token stream is a guess; a syntax
        # error found then is usually an echo of the first problem.
        if problems:
            parser.problems = [p for p in parser.problems if p.code != "FRM01"]
    if node is not None and not problems and not parser.problems and _too_deep(node):
        parser.error("FRM09", _("formula is more than {MAX_HEIGHT} operations deep (each operator "
                                "of a chain a + b + … counts one)").format(
                                MAX_HEIGHT=MAX_HEIGHT), 0,
                     _("split it into derived metrics, e.g. subtotals of 100 terms"))
    problems = sorted(problems + parser.problems, key=lambda p: p.place)
    if problems or node is None:
        raise CchcError(problems)
    return node


def _too_deep(node: Node) -> bool:
    """Whether the tree is more than MAX_HEIGHT levels high (iterative: it may be deep)."""
    todo = [(node, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_HEIGHT:
            return True
        todo.extend((child, depth + 1) for child in children(node))
    return False
