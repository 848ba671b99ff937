"""Render stage edge: write an output file atomically, so a reader never sees half a report.

The content goes to a temporary file in the same folder (same filesystem), then `os.replace`
puts it in place in one step; on any error the temporary file is removed and the old file kept.
Only a regular file (or a new name) is replaced so: a symlink is written through to its
target, a character device or FIFO (/dev/null, a pipe) is written straight to, and `-` is
stdout. Temporary files being written are listed in `PENDING`, so the CLI's signal handler
can remove them when the run is killed.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

PENDING: set[str] = set()
# Callables that ask a server to stop the queries it runs for this process (records'
# engines add theirs while connected); the CLI's signal handler calls them before exiting.
CANCELS: list = []
_DESCRIPTOR = re.compile(r"/(?:dev/(stdout|stderr|fd/\d+)|proc/self/(fd/\d+))")
# Carried by every OSError this module raises, so the CLI says "cannot write" (IO04).
WRITE_NOTE = "cchc: writing the output file"


def cancel_running() -> None:
    """Ask every connected server to stop this process's running queries."""
    for cancel in list(CANCELS):
        with contextlib.suppress(Exception):
            cancel()


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8"
                ) -> Iterator[IO]:
    """Open `path` for writing: a temporary sibling that becomes `path` when the block ends,
    or the stream itself for `-`, a character device or a FIFO."""
    binary = "b" in mode
    if str(path) == "-":
        stream = sys.stdout.buffer if binary else sys.stdout
        with _naming(path):
            yield stream
            stream.flush()
        return
    held = _held_descriptor(str(path))
    if held is not None:  # /dev/stdout, /dev/fd/N: write where the shell pointed it
        sys.stdout.flush()
        with _naming(path), _fdopen(os.dup(held), binary, encoding) as handle:
            yield handle
        return
    path = Path(path)
    target = Path(os.path.realpath(path))  # a symlink is written through, never replaced
    with _naming(path, target):
        kind = _kind(target)
        if kind == "stream":
            fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
            with _fdopen(fd, binary, encoding) as handle:
                yield handle
            return
        if kind == "other":
            raise OSError(errno.EINVAL, "not a regular file, device or FIFO")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    PENDING.add(tmp)
    try:
        with _naming(path, target), _fdopen(fd, binary, encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        with _naming(path, target):
            os.chmod(tmp, _mode_for(target))
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        PENDING.discard(tmp)


def write_atomic(path: str | Path, content: str | bytes) -> None:
    """Write `content` (text as UTF-8) to `path` atomically."""
    with atomic_open(path, "wb" if isinstance(content, bytes) else "w") as handle:
        handle.write(content)


def remove_pending() -> None:
    """Remove the temporary files of writes still in progress (a signal handler calls this)."""
    for tmp in list(PENDING):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    PENDING.clear()


def _held_descriptor(name: str) -> int | None:
    """The descriptor this process already holds that `name` stands for, if any: resolving
    /dev/stdout would find the shell's file and replace it instead of writing into it."""
    found = _DESCRIPTOR.fullmatch(name)
    if found is None:
        return None
    number = {"stdout": "1", "stderr": "2"}.get(found[1], found[1] or found[2])
    return int(number.removeprefix("fd/"))


def _kind(target: Path) -> str:
    """"new", "regular", "stream" (character device, FIFO) or "other"; a directory is EISDIR."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return "new"
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if stat.S_ISREG(mode):
        return "regular"
    return "stream" if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) else "other"


def _fdopen(fd: int, binary: bool, encoding: str | None) -> IO:
    return os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else encoding,
                     newline=None if binary else "")


@contextlib.contextmanager
def _naming(path: str | Path, target: Path | None = None) -> Iterator[None]:
    """An OSError of the block about the output names the file the user asked for (not the
    temporary one, and not nothing, as a full disk would) and is marked as a write error."""
    try:
        yield
    except OSError as err:
        ours = err.filename is None or (target is not None and (
            str(err.filename) == str(target)
            or Path(str(err.filename)).name.startswith(f".{target.name}.")))
        if WRITE_NOTE in getattr(err, "__notes__", ()) or not ours:
            raise
        named = OSError(err.errno, err.strerror or str(err), str(path))
        named.add_note(WRITE_NOTE)
        raise named from None


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0o666 minus umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~process_umask()


@functools.cache
def process_umask() -> int:
    """The umask, read once: from /proc where Linux shows it, else by the set-and-restore
    probe, which briefly changes it for the whole process (so only once, never per write)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0o022)
    os.umask(umask)
    return umask
