"""`cchc serve` latency (`make bench`, after bench.run): from a file change to the page.

On the Tuyên Quang demo (the shipped 2021–2030 ruleset with its two parents, the five
`examples/demo` data files), a running `cchc serve` sees one figure of a data file change 20
times. Two clocks, both started just before the file is written:
- **event**: until the server-sent event of the new evaluation reaches a client (watcher
  poll, re-evaluation through the pipeline Session, the event);
- **page**: until the status cell in headless chromium has changed (the event, the page
  fetching itself again, the swap); only when /usr/bin/chromium and Playwright are there.
The section `## Live app latency (cchc serve)` of bench/RESULTS.md is replaced (or added).
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench import report
from cchc_rules.serve.watcher import POLL_SECONDS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RULESET = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"
EDITED = "ham-tan-2024-q1.yaml"           # the file whose figure changes
FIGURE = re.compile(r"(received_online: )(\d+)")
VALUES = (246, 3000)                       # TTHC-05 pending, then met: the cell changes colour
UNIT_PAGE = "unit/ham-tan?period=2024-Q1"
CELL = 'td.status[data-result="TTHC-05|ham-tan|2024-Q1"] .badge'
CHROMIUM = "/usr/bin/chromium"
HEADING = "## Live app latency (cchc serve)"


def start(data: list[Path]) -> tuple[subprocess.Popen, str]:
    args = [sys.executable, "-c", "from cchc_rules.cli import run; run()", "serve",
            str(RULESET), *[a for p in data for a in ("--data", str(p))], "--port", "0"]
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in proc.stderr:
        found = re.search(r"http://\S+", line)
        if found:
            return proc, found.group(0)
    raise RuntimeError(f"cchc serve did not start (exit {proc.wait()})")


class Events:
    """The server's update events, read as they arrive."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.conn.request("GET", "/events")
        self.response = self.conn.getresponse()

    def next(self) -> dict:
        while True:
            line = self.response.readline().decode()
            if not line:
                raise RuntimeError("the event stream ended")
            if line.startswith("data: "):
                return json.loads(line[6:])


def edit(path: Path, value: int) -> None:
    path.write_text(FIGURE.sub(lambda m: f"{m.group(1)}{value}", path.read_text("utf-8")),
                    encoding="utf-8")


def measure_events(url: str, path: Path, edits: int
                   ) -> tuple[list[float], list[int], list[int]]:
    """Seconds from each write to its event, and the server's own evaluation times (ms):
    wall, and CPU (every thread of the server; none from a server that does not say)."""
    events = Events(url)
    version = events.next()["version"]
    out, server_ms, server_cpu = [], [], []
    for i in range(edits):
        time.sleep(0.3)  # the server idle again, as between two saves by a person
        start = time.perf_counter()
        edit(path, VALUES[(i + 1) % 2])
        while True:
            event = events.next()
            if event["version"] > version and event["ok"]:
                break
        out.append(time.perf_counter() - start)
        server_ms.append(event["ms"])
        if "cpu_ms" in event:
            server_cpu.append(event["cpu_ms"])
        version = event["version"]
    events.conn.close()
    return out, server_ms, server_cpu


def refreshes(url: str) -> int:
    """How many evaluations the server has made (its version number)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("GET", "/state")
    return json.loads(conn.getresponse().read())["version"]


def measure_page(url: str, path: Path, edits: int) -> list[float] | None:
    if not Path(CHROMIUM).exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.goto(url + UNIT_PAGE, wait_until="load")
        page.wait_for_selector("#live-state.on")
        for i in range(edits):
            time.sleep(0.3)
            before = page.get_attribute(CELL, "class")
            start = time.perf_counter()
            edit(path, VALUES[(i + 1) % 2])
            page.wait_for_function(
                "([sel, old]) => { const el = document.querySelector(sel);"
                " return el && el.className !== old; }", arg=[CELL, before], timeout=30_000)
            out.append(time.perf_counter() - start)
        browser.close()
    return out


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100)."""
    ranked = sorted(values)
    return ranked[max(0, min(len(ranked), math.ceil(q / 100 * len(ranked))) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def section(machine: dict[str, str], events: list[float], page: list[float] | None,
            evaluate_ms: list[int], evaluations: int | None = None,
            evaluate_cpu_ms: list[int] | None = None) -> str:
    rows = [["event (SSE received)", str(len(events)), ms(percentile(events, 50)),
             ms(percentile(events, 95)), ms(max(events))]]
    if page:
        rows.append(["page (status cell changed in chromium)", str(len(page)),
                     ms(percentile(page, 50)), ms(percentile(page, 95)), ms(max(page))])
    lines = [HEADING, "",
             f"Written by `python -m bench.serve_latency` on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. The Tuyên Quang demo "
             f"(`{RULESET.relative_to(ROOT)}` and its parents, every `examples/demo` file): "
             f"`received_online` of `{EDITED}` rewritten {len(events)} times, alternating "
             f"{VALUES[0]} and {VALUES[1]}; the clock starts just before the write. The "
             f"watcher polls every {POLL_SECONDS * 1000:.0f} ms. Goal: p95 under 300 ms on 2 "
             "cores.", "",
             *report._table(["from a file change to", "edits", "p50", "p95", "max"], rows), "",
             f"Re-evaluation alone (the server's own timing, median): "
             f"{statistics.median(evaluate_ms):.0f} ms"
             + (f" wall, {statistics.median(evaluate_cpu_ms):.0f} ms CPU"
                if evaluate_cpu_ms else "")
             + (f"; {evaluations} evaluations in all for {len(events) + len(page or [])} "
                "edits and the first one." if evaluations else "."), "",
             *report._table(["machine", ""], [[k, v] for k, v in machine.items()]), ""]
    return "\n".join(lines)


def write_section(results: Path, text: str) -> None:
    """Replace this script's section of RESULTS.md (up to the next `## `), or append it."""
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    start = old.find(HEADING)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(HEADING))
        new = old[:start] + text + (old[end + 1:] if end >= 0 else "")
    results.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.serve_latency", description=__doc__)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-browser", action="store_true", help="time the event only")
    a = ap.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cchc-serve-bench-") as folder:
        data = []
        for source in sorted((ROOT / "examples/demo").glob("*.yaml")):
            data.append(Path(shutil.copy(source, folder)))
        edited = Path(folder) / EDITED
        proc, url = start(data)
        try:
            events, evaluate_ms, evaluate_cpu = measure_events(url, edited, a.edits)
            page = None if a.no_browser else measure_page(url, edited, a.edits)
            time.sleep(1)
            evaluations = refreshes(url)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
    machine = report.machine(ROOT, load_before, os.getloadavg())
    machine.pop("zen-engine", None)
    text = section(machine, events, page, evaluate_ms, evaluations, evaluate_cpu)
    write_section(a.output, text)
    print(text)


if __name__ == "__main__":
    main()
