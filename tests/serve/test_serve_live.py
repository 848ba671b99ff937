"""`cchc serve` as a user runs it: a real server in a subprocess, its event stream, Ctrl-C,
a port in use, and the browser test (Playwright driving Debian's chromium): a figure
changed on disk recolours its status cell within 2 s, a broken ruleset shows the error
banner, a filled-in form dropped on the page is previewed."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from factory import HAM_TAN, write_inputs

from cchc_rules.cli import main

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
KEY = "TTHC-06|ham-tan|2024-Q1"


@contextmanager
def served(*args: str) -> Iterator[tuple[subprocess.Popen, str, list[str]]]:
    """`cchc serve ARGS --port 0` running; (process, its URL, stderr lines before it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", "from cchc_rules.cli import run; run()",
                             "serve", *args, "--port", "0"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if "http://" in line:
                break
        found = re.search(r"http://\S+", "".join(lines))
        assert found, f"no URL printed: {lines}"
        yield proc, found.group(0), lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    code = proc.wait(15)
    return code, proc.stderr.read()


def events(url: str, busy: bool = False) -> Iterator[dict]:
    """The server's update events, parsed, as they come (not the 'busy' notices that a file
    changed and is being evaluated)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    conn.request("GET", "/events")
    response = conn.getresponse()
    assert response.getheader("content-type", "").startswith("text/event-stream")
    try:
        while True:
            line = response.readline().decode()
            if not line:
                return
            if line.startswith("data: ") and (busy or not json.loads(line[6:]).get("busy")):
                yield json.loads(line[6:])
    finally:
        conn.close()


def test_an_edit_on_disk_reaches_the_event_stream_and_ctrl_c_stops_clean(tmp_path) -> None:
    ruleset, data = write_inputs(tmp_path)
    with served(str(ruleset), "--data", str(data)) as (proc, url, _):
        assert url.startswith("http://127.0.0.1:")
        stream = events(url, busy=True)
        first = next(stream)
        assert first["version"] == 1 and first["ok"]
        start = time.monotonic()
        data.write_text(data.read_text(encoding="utf-8").replace(
            f"received_online: {HAM_TAN['received_online']}", "received_online: 3000"),
            encoding="utf-8")
        notice = next(stream)   # at once: a file changed, its evaluation follows
        assert notice["busy"] and notice["version"] == 1
        second = next(stream)
        assert second["version"] == 2 and second["ok"]
        assert time.monotonic() - start < 5
        ruleset.write_text("ruleset: [\n", encoding="utf-8")
        third = next(s for s in stream if not s.get("busy"))
        assert not third["ok"] and re.match(rf"{re.escape(str(ruleset))}:\d+:\d+: error",
                                            third["problems"][0])
        code, err = stop(proc)
    assert code == 130, (code, err)
    assert "Traceback" not in err and "Error" not in err


def test_another_host_is_announced_with_a_warning(tmp_path) -> None:
    ruleset, data = write_inputs(tmp_path)
    with served(str(ruleset), "--data", str(data), "--host", "127.0.0.2") as (proc, url, lines):
        assert url.startswith("http://127.0.0.2:")
        assert any("warning" in line and "127.0.0.2" in line for line in lines)
        code, err = stop(proc)
    assert code == 130 and "Traceback" not in err, (code, err)


def test_a_port_in_use_is_one_io06_line(tmp_path) -> None:
    ruleset, data = write_inputs(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", str(ruleset), "--data", str(data),
                                           "--port", str(port)])
    assert result.exit_code == 2
    assert re.fullmatch(rf"127\.0\.0\.1:{port}: error IO06 .+\n", result.stderr)


# -- the real browser --------------------------------------------------------------------------

def fill_form(ruleset: Path, units: Path, out: Path) -> Path:
    """`cchc form` for ham-tan 2024-Q1, then the figures typed in as an officer would."""
    import openpyxl

    from cchc_rules.figures.forms import ID_ROW, SHEET

    blank = out.with_name("blank.xlsx")
    made = CliRunner().invoke(main, ["form", str(ruleset), "--units", str(units),
                                     "--period", "2024-Q1", "--output", str(blank)])
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(blank)
    sheet = book[SHEET]
    ids = [c.value for c in sheet[ID_ROW]]
    row = next(r for r in range(ID_ROW + 1, sheet.max_row + 1)
               if sheet.cell(r, 1).value == "ham-tan")
    for metric, value in {**HAM_TAN, "received_online": 1000,
                          "received_direct": 1426}.items():
        sheet.cell(row, ids.index(metric) + 1).value = value
    book.save(out)
    return out


@pytest.mark.slow
def test_the_app_in_chromium(tmp_path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed at /usr/bin/chromium: run `make system-deps` "
                    "(Debian package 'chromium'); the browser tests never skip")
    from playwright.sync_api import sync_playwright

    ruleset, data = write_inputs(tmp_path, unit_name="<img src=x onerror=alert(1)>")
    form = fill_form(ruleset, data, tmp_path / "ham-tan-q1.xlsx")
    with served(str(ruleset), "--data", str(data)) as (proc, url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("dialog", lambda d: (problems.append(d.message), d.dismiss()))
        page.goto(url + "unit/ham-tan?period=2024-Q1", wait_until="load")
        page.wait_for_selector("#live-state.on")   # the event stream is open
        badge = f'td.status[data-result="{KEY}"] .badge'
        colour = "el => getComputedStyle(el).backgroundColor"
        before = page.eval_on_selector(badge, colour)
        assert "s-off_track" in page.get_attribute(badge, "class")

        start = time.monotonic()
        data.write_text(data.read_text(encoding="utf-8").replace(
            f"received_online: {HAM_TAN['received_online']}", "received_online: 3000"),
            encoding="utf-8")
        page.wait_for_function(
            "([sel, old]) => { const el = document.querySelector(sel);"
            " return el && getComputedStyle(el).backgroundColor !== old; }",
            arg=[badge, before], timeout=2000)
        took = time.monotonic() - start
        assert took < 2, took
        assert "s-off_track" not in page.get_attribute(badge, "class")

        good = ruleset.read_text(encoding="utf-8")
        ruleset.write_text(good.replace("metric: online_rate", "metric: online_rat", 1),
                           encoding="utf-8")
        page.wait_for_selector(".error-banner", timeout=5000)
        banner = page.inner_text("#banner")
        assert re.search(rf"{re.escape(ruleset.name)}:\d+:\d+: error SEM", banner), banner
        assert page.locator(badge).count() == 1     # the last good results stay below

        page.set_input_files("#upload", str(form))
        preview = page.wait_for_selector("#preview-result", timeout=10000)
        text = preview.inner_text()
        assert "ham-tan-q1.xlsx" in text and "2024-Q1" in text
        assert page.locator("#preview-result .badge").count() >= 3

        ruleset.write_text(good, encoding="utf-8")
        page.wait_for_function("() => !document.querySelector('.error-banner')", timeout=5000)
        page.click(f'td.status[data-result="{KEY}"] a')    # one click to the explanation
        page.wait_for_selector("pre.explain")
        assert "TTHC-06" in page.inner_text("pre.explain")
        assert problems == []
        browser.close()
        code, err = stop(proc)
    assert code == 130 and "Traceback" not in err, (code, err)


@pytest.mark.slow
def test_the_demo_app_in_chromium_without_clutter() -> None:
    """A planner's run of a real plan with merged units (the Tuyên Quang plan, Hà Giang
    merged in, examples/demo): no not applicable row unless asked, no internal period, one
    ranking per level and period with scored units only, and a unit's scorecard (issue 23)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed at /usr/bin/chromium: run `make system-deps` "
                    "(Debian package 'chromium'); the browser tests never skip")
    from playwright.sync_api import sync_playwright

    from cchc_rules import evaluate_files
    from cchc_rules.evaluation.view import internal_periods

    ruleset = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"
    demo = sorted((ROOT / "examples/demo").glob("*.yaml"))
    internal = internal_periods(evaluate_files(ruleset, demo))
    data = [arg for path in demo for arg in ("--data", str(path))]
    with served(str(ruleset), *data) as (proc, url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.goto(url, wait_until="load")
        assert page.locator(".badge.s-not_applicable").count() == 0
        headings = page.locator("article.score-cohort h3").all_inner_texts()
        assert headings and len(headings) == len(set(headings))      # one per level × period
        ranks = page.locator("table.score-ranking tbody td:first-child").all_inner_texts()
        assert ranks and all(re.fullmatch(r"\d+/\d+", r) for r in ranks)   # scored units only
        periods = page.inner_text("p.note")                            # the periods line
        assert not any(p in periods for p in internal)
        page.click("#na-toggle")
        page.wait_for_load_state("load")
        assert "na=1" in page.url and page.locator("#na-toggle").inner_text() == \
            "Ẩn kết quả không áp dụng"
        page.goto(url + "unit/minh-hoa-tinh?period=all", wait_until="load")
        assert page.locator(".badge.s-not_applicable").count() == 0
        card = page.inner_text("#scorecard")
        assert "24,76 / 28,00" in card and "88,45" in card and "1/1" in card
        page.click("#na-toggle")
        page.wait_for_load_state("load")
        assert page.locator(".badge.s-not_applicable").count() > 0
        browser.close()
        assert stop(proc)[0] == 130
