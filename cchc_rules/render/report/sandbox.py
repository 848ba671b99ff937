"""Render stage: the Jinja sandbox with bounds on what a template may spend.

A user template is input. Jinja's sandbox stops it reaching Python internals; this
module also stops it spending minutes or gigabytes: a power, a repetition or a join
that would build something huge, a long `range`, and rendering past a deadline are
each refused with a `TemplateLimit`, which the caller turns into an RPT07 line.
"""
from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator, Sized
from contextlib import contextmanager
from typing import Any

from jinja2 import Environment, TemplateError
from jinja2.compiler import CodeGenerator
from jinja2.filters import FILTERS
from jinja2.sandbox import SandboxedEnvironment

from ...messages import _

MAX_ITEMS = 100_000            # one range, string, list or tuple a template builds
MAX_RANGE_TOTAL = 1_000_000    # every range item of one render together
MAX_INT_BITS = 10_000          # an integer a power or product may reach (~3,000 digits)
RENDER_SECONDS = 60.0          # wall time of one render
_WIDE = re.compile(r"\d{6,}")  # a width or precision of a million or more in a format string
_NESTED = re.compile(r"\{[^{}]*\{")  # '{:>{w}}': a width taken from an argument


class TemplateLimit(TemplateError):
    """A template asked for more than the sandbox allows (the message says what)."""


def _too_long(value: Any) -> bool:
    return isinstance(value, str | list | tuple) and len(value) > MAX_ITEMS


class _Generator(CodeGenerator):
    """Jinja's code generator, with every `~` join passed through the size bound."""

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedEnvironment(SandboxedEnvironment):
    """A SandboxedEnvironment whose arithmetic, ranges, joins and time are bounded."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = self.bounded_range
        for name in ("center", "indent", "wordwrap", "truncate", "format"):
            self.filters[name] = self._checked_filter(FILTERS[name])
        self.deadline = float("inf")
        self.range_left = MAX_RANGE_TOTAL

    @contextmanager
    def limits(self) -> Iterator[None]:
        """Bounds for one render: a fresh range budget and a deadline.

        The deadline is checked at each intercepted operation; on the main thread an
        alarm also stops a loop that calls none of them (`{% for … %}x{% endfor %}`).
        """
        self.deadline = time.monotonic() + RENDER_SECONDS
        self.range_left = MAX_RANGE_TOTAL
        alarm = threading.current_thread() is threading.main_thread() and \
            hasattr(signal, "setitimer")
        if alarm:
            previous = signal.signal(signal.SIGALRM, self._on_alarm)
            signal.setitimer(signal.ITIMER_REAL, RENDER_SECONDS)
        try:
            yield
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            self.deadline = float("inf")

    def _on_alarm(self, signum: int, frame: Any) -> None:
        raise TemplateLimit(_("rendering took longer than {RENDER_SECONDS:g} s").format(
                              RENDER_SECONDS=RENDER_SECONDS))

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimit(_("rendering took longer than {RENDER_SECONDS:g} s").format(
                                  RENDER_SECONDS=RENDER_SECONDS))

    def bounded(self, value: Any) -> Any:
        """`value` when it is small enough, else TemplateLimit."""
        self.check_time()
        if _too_long(value):
            raise TemplateLimit(_("a template value of more than {MAX_ITEMS:,} items or "
                                  "characters").format(
                                  MAX_ITEMS=MAX_ITEMS))
        return value

    def bounded_range(self, *args: int) -> range:
        items = range(*args)
        if len(items) > MAX_ITEMS:
            raise TemplateLimit(_("range of {n:,} items (at most {MAX_ITEMS:,})").format(
                                  n=len(items), MAX_ITEMS=MAX_ITEMS))
        self.range_left -= len(items)
        if self.range_left < 0:
            raise TemplateLimit(_("ranges of more than {MAX_RANGE_TOTAL:,} items in all").format(
                                  MAX_RANGE_TOTAL=MAX_RANGE_TOTAL))
        return items

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        if operator == "**" and _big_power(left, right):
            raise TemplateLimit(_("power beyond {MAX_INT_BITS:,} bits").format(
                                  MAX_INT_BITS=MAX_INT_BITS))
        if operator == "*":
            _check_product(left, right)
        if operator == "+" and isinstance(left, Sized) and isinstance(right, Sized) and \
                isinstance(left, str | list | tuple) and \
                len(left) + len(right) > MAX_ITEMS:
            raise TemplateLimit(_("a template value of more than {MAX_ITEMS:,} items or "
                                  "characters").format(
                                  MAX_ITEMS=MAX_ITEMS))
        if operator == "%" and isinstance(left, str) and _WIDE.search(left):
            raise TemplateLimit(_("a format width of a million or more"))
        return self.bounded(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.check_time()
        if isinstance(getattr(__obj, "__self__", None), str):  # 'x'.center(…), '{:>…}'.format
            __self.bounded(__obj.__self__)
            if any(isinstance(a, int) and a > MAX_ITEMS for a in (*args, *kwargs.values())) \
                    or _WIDE.search(__obj.__self__):
                raise TemplateLimit(_("a string method asked for more than {MAX_ITEMS:,} "
                                      "characters").format(MAX_ITEMS=MAX_ITEMS))
        return __self.bounded(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text = value.__self__

        def checked(*args: Any, **kwargs: Any) -> Any:
            wide = _NESTED.search(text) and any(
                isinstance(a, int) and a > MAX_ITEMS for a in (*args, *kwargs.values()))
            if wide or _WIDE.search(text):
                raise TemplateLimit(_("a string method asked for more than {MAX_ITEMS:,} "
                                      "characters").format(MAX_ITEMS=MAX_ITEMS))
            return self.bounded(wrapped(*args, **kwargs))
        return checked

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_time()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.check_time()
        return super().getitem(obj, argument)

    def _checked_filter(self, original: Any) -> Any:
        def checked(*args: Any, **kwargs: Any) -> Any:
            values = [a for a in (*args, *kwargs.values()) if not isinstance(a, Environment)]
            if any(isinstance(a, int) and a > MAX_ITEMS for a in values[1:]) or \
                    (values and isinstance(values[0], str) and _WIDE.search(values[0])):
                raise TemplateLimit(_("a filter asked for more than {MAX_ITEMS:,} "
                                      "characters").format(
                                      MAX_ITEMS=MAX_ITEMS))
            return self.bounded(original(*args, **kwargs))
        if hasattr(original, "jinja_pass_arg"):  # keep @pass_environment
            # an attribute jinja2 sets on a function and reads back; no function type has it
            checked.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
        return checked


def _big_power(base: Any, exponent: Any) -> bool:
    if not (isinstance(base, int) and isinstance(exponent, int)) or exponent <= 1:
        return False
    return abs(base) > 1 and abs(base).bit_length() * exponent > MAX_INT_BITS


def _check_product(left: Any, right: Any) -> None:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int) and \
                len(seq) * count > MAX_ITEMS:
            raise TemplateLimit(_("a repetition of more than {MAX_ITEMS:,} items or "
                                  "characters").format(
                                  MAX_ITEMS=MAX_ITEMS))
    if isinstance(left, int) and isinstance(right, int) and \
            abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
        raise TemplateLimit(_("a product beyond {MAX_INT_BITS:,} bits").format(
                              MAX_INT_BITS=MAX_INT_BITS))
