"""Render stage: where report templates come from, and the sandbox they run in.

A user's `--templates DIR` is searched first; the shipped templates stay reachable as
`default:<name>` so a user template can `{% extends "default:report.html.j2" %}`.
A template is read only from inside its folder (symlinks resolved), and runs in the
bounded sandbox of sandbox.py.
"""
from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from ...errors import CchcError, Position, did_you_mean
from ...messages import _
from .sandbox import BoundedEnvironment, TemplateLimit

REPORT_TEMPLATE = "report.html.j2"


def default_dir() -> Path:
    """Shipped templates: inside the wheel, else the repository's `reports/templates`."""
    package = Path(__file__).resolve().parents[2]
    inside = package / "templates"
    return inside if inside.is_dir() else package.parent / "reports" / "templates"


class TemplateOutside(TemplateError):
    """A template whose real path (symlinks resolved) is outside its templates folder."""

    def __init__(self, name: str, real: str) -> None:
        super().__init__(_("template '{name}' resolves to {real}, outside its templates "
                           "folder").format(name=name, real=real))
        self.name = name


class ContainedLoader(FileSystemLoader):
    """A FileSystemLoader that refuses files whose real path leaves the folder.

    `{% include 'p' %}` with `p -> /etc/passwd` would otherwise copy that file into the
    report; the folder itself may be a symlink (its real path is the root).
    """

    def get_source(self, environment: Any, template: str) -> Any:
        pieces = split_template_path(template)
        for searchpath in self.searchpath:
            filename = posixpath.join(searchpath, *pieces)
            if os.path.lexists(filename):
                root, real = os.path.realpath(searchpath), os.path.realpath(filename)
                if os.path.commonpath([root, real]) != root:
                    raise TemplateOutside(template, real)
        return super().get_source(environment, template)


def environment(user_dir: Path | None = None) -> SandboxedEnvironment:
    """A sandboxed, autoescaping environment over the loader chain (user first)."""
    default = ContainedLoader(str(default_dir()))
    loaders: list[Any] = []
    if user_dir is not None:
        if not user_dir.is_dir():
            raise CchcError.one("RPT02", _("templates folder '{user_dir}' does not exist").format(
                                           user_dir=user_dir),
                                Position(str(user_dir)))
        loaders.append(ContainedLoader(str(user_dir)))
    loaders += [PrefixLoader({"default": default}, delimiter=":"), default]
    # Always the sandbox: user templates are input, and sharing one path keeps it tested.
    return BoundedEnvironment(loader=ChoiceLoader(loaders), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)


def render(env: SandboxedEnvironment, name: str, context: dict[str, Any]) -> str:
    """Render `name`; template mistakes become RPT problems at the template's line."""
    try:
        if isinstance(env, BoundedEnvironment):
            with env.limits():
                return env.get_template(name).render(context)
        return env.get_template(name).render(context)
    except TemplateOutside as err:
        raise CchcError.one("RPT06", str(err.message), Position(err.name),
                            hint=_("templates are read only from inside their folder")) from None
    except TemplateLimit as err:
        raise CchcError.one("RPT07", _("template refused: {message}").format(message=err.message),
                            _failing_template(err, name)) from None
    except (RecursionError, MemoryError) as err:
        what = _("recursion too deep (a template that extends or includes itself, or a "
                 "macro that calls itself without end)") if isinstance(err, RecursionError) \
            else _("out of memory")
        raise CchcError.one("RPT07", _("template refused: {what}").format(what=what),
                            _failing_template(err, name)) from None
    except TemplateSyntaxError as err:
        where = Position(err.filename or err.name or name, err.lineno or 0)
        raise CchcError.one("RPT03", _("template syntax: {message}").format(
                                       message=err.message), where) from None
    except TemplateNotFound as err:
        raise CchcError.one("RPT04", _("template '{name}' not found").format(name=err.name),
                            hint=did_you_mean(str(err.name), env.list_templates())) from None
    except TemplateError as err:
        raise CchcError.one("RPT05", _("template error: {message}").format(message=err.message),
                            _failing_template(err, name),
                            hint=_field_hint(err, context)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as err:
        # A user template's own mistake ({{ 1 // 0 }}, a bad index): still the template's line.
        raise CchcError.one("RPT05", _("template error: {kind}: {err}").format(
                                       kind=type(err).__name__, err=err),
                            _failing_template(err, name)) from None


def _failing_template(err: Exception, name: str) -> Position:
    # Jinja rewrites the traceback so that the template's own frames name its file and line.
    where = Position(name)
    tb = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = Position(filename, tb.tb_lineno)
        tb = tb.tb_next
    return where


def _field_hint(err: TemplateError, context: dict[str, Any]) -> str | None:
    message = err.message or ""
    if "is undefined" in message and message.startswith("'"):
        return did_you_mean(message.split("'")[1], context)
    return None
