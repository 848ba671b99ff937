"""The fuzz suite's resource harness: `cchc` runs in a worker process under a memory ceiling
(RLIMIT_AS) and each run under a time ceiling, so a blow-up fails the example instead of
taking the machine down with it.

One worker (spawned, not forked: polars' and DuckDB's threads do not survive a fork) serves
many runs through click's runner, so an example costs a run, not an interpreter start; it is
replaced once it holds more than half the ceiling, so each run starts well below it. A run
that passes the time ceiling, or a worker that dies (the kernel's answer to a runaway past
the ceiling can be a kill as well as a MemoryError), fails the example and a new worker
starts for the next one.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

# Address space, not resident memory: RLIMIT_AS counts what is reserved, and DuckDB cannot
# even map its library under 1 GB. A workbook at the cell limit (10 M cells) reads in about
# 540 MB resident; 2 GB of address space leaves it room and stops anything larger.
MEMORY_BYTES = int(os.environ.get("CCHC_FUZZ_MEMORY_MB", "2048")) * 1024 * 1024
SECONDS = float(os.environ.get("CCHC_FUZZ_SECONDS", "60"))
ROOT = str(Path(__file__).resolve().parents[2])


@dataclass
class Outcome:
    exit_code: int | None       # None: the worker died or was stopped
    stdout: str
    stderr: str
    exception: str | None       # repr of an exception other than SystemExit
    seconds: float
    failure: str | None = None  # why the harness stopped the run


def _serve(conn, memory: int) -> None:
    import sys
    sys.path.insert(0, ROOT)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    from click.testing import CliRunner

    from cchc_rules.cli import main
    while True:
        args = conn.recv()
        if args is None:
            return
        result = CliRunner().invoke(main, args)
        failed = result.exception
        conn.send((result.exit_code, result.stdout, result.stderr,
                   None if failed is None or isinstance(failed, SystemExit)
                   else f"{type(failed).__name__}: {failed}"))


class Sandbox:
    def __init__(self, memory: int = MEMORY_BYTES, seconds: float = SECONDS) -> None:
        self.memory, self.seconds = memory, seconds
        self._worker = self._conn = None

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._worker = context.Process(target=_serve, args=(child, self.memory), daemon=True)
        self._worker.start()
        child.close()

    def _stop(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker.join()
        self._worker = self._conn = None

    def run(self, args: list[str]) -> Outcome:
        if self._worker is None or not self._worker.is_alive():
            self._start()
        started = time.monotonic()
        self._conn.send(args)
        if not self._conn.poll(self.seconds):
            self._stop()
            return Outcome(None, "", "", None, time.monotonic() - started,
                           f"still running after {self.seconds:.0f} s")
        try:
            code, out, err, failed = self._conn.recv()
        except EOFError:
            self._stop()
            return Outcome(None, "", "", None, time.monotonic() - started,
                           f"the worker died (past {self.memory >> 20} MB of address space?)")
        if self._address_space() > self.memory // 2:
            self._stop()  # what earlier runs left behind must not count against the next
        return Outcome(code, out, err, failed, time.monotonic() - started)

    def _address_space(self) -> int:
        """The worker's address space now (VmSize), 0 where /proc does not say."""
        try:
            status = Path(f"/proc/{self._worker.pid}/status").read_text()
        except OSError:
            return 0
        line = next((x for x in status.splitlines() if x.startswith("VmSize:")), "")
        return int(line.split()[1]) * 1024 if line else 0

    def close(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            self._conn.send(None)
            self._worker.join(10)
        self._stop()
