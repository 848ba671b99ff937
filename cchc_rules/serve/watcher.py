"""Noticing that a watched file changed, and telling every open page.

Polling `stat` every few tens of milliseconds costs nothing for a handful of files, needs no
platform notification API and sees an editor's save-by-rename as well as an in-place write
(the signature is size, modification time and inode). A change is evaluated once two looks
agree, so a save in several writes is evaluated once, whole. Pages listen through server-sent
events: each gets a queue that holds only the newest version (a slow page skips ones it
never needed).
"""
from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

POLL_SECONDS = 0.02
# The second look of a change comes sooner: an editor's save is a few writes within a
# millisecond or two, and every look spent waiting adds to the page's latency.
SETTLE_SECONDS = 0.01

Signature = tuple[tuple[int, int, int] | None, ...]


def signature(files: Iterable[Path]) -> Signature:
    """Size, mtime (ns) and inode of each file; None for one that is missing."""
    out: list[tuple[int, int, int] | None] = []
    for path in files:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            out.append(None)
        else:
            out.append((info.st_size, info.st_mtime_ns, info.st_ino))
    return tuple(out)


class Hub:
    """The open pages' event queues; `publish` hands the newest message to each."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str | None]] = set()

    def subscribe(self) -> asyncio.Queue[str | None]:
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=1)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str | None]) -> None:
        self._queues.discard(queue)

    def publish(self, message: str | None) -> None:
        """`message` to every page (None: the server is stopping, end the stream)."""
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueEmpty):
                queue.get_nowait()   # an unread older version is worthless now
            queue.put_nowait(message)

    def __len__(self) -> int:
        return len(self._queues)


async def watch(files: Callable[[], Iterable[Path]], changed: Callable[[], Awaitable[None]],
                stop: asyncio.Event, interval: float = POLL_SECONDS,
                seen: Signature | None = None) -> None:
    """Call `changed()` whenever the signature of `files()` differs from the last one seen
    (`seen`: as of the evaluation on show, so an edit made before watching starts counts),
    until `stop` is set. Changes made while `changed()` runs are caught on the next look."""
    seen = signature(files()) if seen is None else seen
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
        if stop.is_set():
            return
        now = signature(files())
        if now != seen:
            # Settle first: an editor's save is several writes, and a half-written file
            # would flash an error banner and cost one more evaluation right after.
            settled = await _settled(files, now, min(interval, SETTLE_SECONDS), stop)
            if settled is None:
                return
            seen = now = settled
            await changed()
            seen_after = signature(files())  # the watched set may change (a new parent)
            if seen_after != now:
                seen = ()  # look again at once: something moved while we evaluated


async def _settled(files: Callable[[], Iterable[Path]], now: Signature, interval: float,
                   stop: asyncio.Event, most: int = 20) -> Signature | None:
    """The signature once two looks `interval` apart agree (at most `most` looks: a file
    written without pause is evaluated anyway); None when `stop` is set meanwhile."""
    for _ in range(most):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
        if stop.is_set():
            return None
        again = signature(files())
        if again == now:
            break
        now = again
    return now
