"""Load and data stages: the one way an input file is opened and read.

Every input (ruleset, data, units, test file) is a regular file read with a byte cap: a FIFO
would block forever and /dev/zero (even behind a symlink) never ends, so anything that is not
a regular file once symlinks are followed is refused (IO03) before it is opened, and checked
again on the open descriptor in case it was swapped in between.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from .errors import CchcError, Position
from .messages import N_, _, translate

_KINDS = ((stat.S_ISFIFO, N_("a FIFO (named pipe)")), (stat.S_ISCHR, N_("a character device")),
          (stat.S_ISBLK, N_("a block device")), (stat.S_ISSOCK, N_("a socket")))


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((translate(name) for test, name in _KINDS if test(mode)),
                _("not a regular file"))


def io_error(file: str, err: OSError) -> CchcError:
    """An input file's OSError as one positioned IO01 line."""
    if isinstance(err, FileNotFoundError):
        message = _("file not found")
    elif isinstance(err, IsADirectoryError):
        message = _("is a directory, not a file")
    elif err.errno == errno.ELOOP:
        message = _("cannot read: the symbolic link loops back on itself")
    else:
        message = _("cannot read: {reason}").format(reason=err.strerror or err)
    return CchcError.one("IO01", message, Position(file))


def regular_size(path: str | Path) -> int:
    """The size of `path` (symlinks followed) when it is a regular file; CchcError (IO01 or
    IO03) otherwise. Nothing is opened, so a FIFO or a device is never touched."""
    file = str(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the name
        raise io_error(file, err if isinstance(err, OSError) else OSError(str(err))) from None
    _require_regular(file, info.st_mode)
    return info.st_size


def read_capped(path: str | Path, limit: int,
                too_large: Callable[[int], CchcError] | None = None) -> bytes:
    """The bytes of the regular file `path`, never more than `limit + 1` read;
    `too_large(size)` (default: IO02) is raised when it holds more than `limit`."""
    file = str(path)
    too_large = too_large or (lambda size: CchcError.one(
        "IO02", _("file is larger than {limit:,} bytes").format(limit=limit), Position(file)))
    regular_size(path)
    try:
        # O_NONBLOCK: should a FIFO be swapped in after the stat, opening it does not wait.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        raise io_error(file, err) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        _require_regular(file, info.st_mode)
        if info.st_size > limit:
            raise too_large(info.st_size)
        try:
            raw = handle.read(limit + 1)
        except OSError as err:
            raise io_error(file, err) from None
    if len(raw) > limit:
        raise too_large(len(raw))
    return raw


def _require_regular(file: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise CchcError.one("IO01", _("is a directory, not a file"), Position(file))
    if not stat.S_ISREG(mode):
        raise CchcError.one("IO03", _("not a regular file: {kind_of}").format(
                                      kind_of=kind_of(mode)), Position(file),
                            _("give a file saved on disk"))


def sha256_file(path: Path) -> str:
    """The file's SHA-256 in hex, read a megabyte at a time (a report's inputs, a returned
    workbook's provenance)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
