"""`cchc serve RULESET --data FILE… [--units FILE] [--port 8000] [--host H]`: the live web app.

Binds 127.0.0.1 unless --host says otherwise (then a warning: anyone who can reach the
address can read the results). The socket is bound here, before uvicorn starts, so a port in
use is one IO06 line and exit 2. Ctrl-C stops the server cleanly and exits 130, as any
interrupted command does.
"""
from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click
import uvicorn

from ..cli import release_signals, say
from ..errors import CchcError, Position
from ..messages import _, set_language
from .evaluate import data_options, echo_warning

LOOPBACK = "127.0.0.1"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free one), or IO06."""
    where = Position(f"{host}:{port}")
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as err:
        raise CchcError.one("IO06", _("cannot listen on {host}: {reason}").format(
            host=host, reason=getattr(err, "strerror", None) or err), where) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise CchcError.one("IO06", _("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=err.strerror or err), where,
            _("choose another --port, or stop what uses it")) from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


@click.command()
@data_options
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port (0: any free port).")
@click.option("--host", default=None, metavar="H",
              help=f"Address to listen on (default {LOOPBACK}: this computer only).")
@click.option("--evidence", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False),
              help="The index's evidence and comments (cchc collect --evidence), shown on "
                   "the unit and appraisal pages.")
def command(ruleset: Path, data: tuple[Path, ...], units_file: Path | None,
            decimal_comma: bool, lang: str, port: int, host: str | None,
            evidence: Path | None) -> None:
    """Serve the results of RULESET as a live local web app (Ctrl-C to stop)."""
    from ..serve import Workspace, create_app

    gc.enable()  # a long-running process: cli.run pauses the collector for one-shot runs
    set_language(lang)
    sock = bind(host or LOOPBACK, port)
    workspace = Workspace(ruleset, data, units_file, decimal_comma, lang, evidence)
    snap = workspace.refresh()
    for problem in snap.problems:
        say(problem)
    for warning in snap.warnings:
        echo_warning(warning)
    local = (host or LOOPBACK) in LOOPBACK_NAMES
    allowed = None
    if local:
        allowed = ["127.0.0.1", "localhost", "[::1]", "::1"]
    else:
        click.echo(_("warning: listening on {host}: anyone who can reach this address can "
                     "read these results").format(host=host), err=True)
    url = url_of(sock)
    app = create_app(workspace, allowed_hosts=allowed, ready=lambda: click.echo(
        _("serving {url} (Ctrl-C to stop)").format(url=url), err=True))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=2)
    server = _Server(config, app.state.serve.stop)
    release_signals()  # uvicorn's own handlers stop the server gracefully
    server.run(sockets=[sock])


class _Server(uvicorn.Server):
    """uvicorn's Server, with our event streams ended as soon as a stop is asked for (a
    page's open stream would otherwise hold the shutdown for the graceful timeout)."""

    def __init__(self, config: uvicorn.Config, stop: Callable[[], None]) -> None:
        super().__init__(config)
        self._stop_streams = stop

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:  # the signal arrives on the loop's thread, between two steps
            loop.call_soon_threadsafe(self._stop_streams)
        super().handle_exit(sig, frame)
