"""`cchc serve`'s app through Starlette's TestClient: pages, 404s, errors kept as a banner
above the last good results, the upload preview and its limits, safety headers, the watcher."""
from __future__ import annotations

import asyncio
import re
import warnings
from pathlib import Path

import pytest
from factory import HAM_TAN, write_inputs

with warnings.catch_warnings():  # Starlette ≥ 1.0 would rather have httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from cchc_rules.serve import Workspace, create_app
from cchc_rules.serve import upload as upload_module
from cchc_rules.serve.watcher import Hub, signature, watch

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_inputs(tmp_path, unit_name=HOSTILE)


@pytest.fixture
def client(files):
    ruleset, data = files
    app = create_app(Workspace(ruleset, [data]), watching=False)
    with TestClient(app) as c:
        yield c


def status_cells(html: str) -> list[tuple[str, str, str]]:
    """(data-result key, explanation link, status class) of every linked status cell."""
    return re.findall(r'<td class="status" data-result="([^"]*)"><a class="status-link" '
                      r'href="([^"]*)"><span class="badge s-(\w+)', html)


def test_summary_is_the_reports_summary_and_ranking(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="summary"' in page.text and 'id="ranking"' in page.text
    assert "Xếp hạng đơn vị" in page.text            # the report's own heading words
    assert 'href="/unit/ham-tan"' in page.text and 'href="/target/TTHC-06"' in page.text
    assert HOSTILE not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert '<script src="/static/live.js" defer></script>' in page.text
    assert page.text.count("<script") == 1           # only our own script file


def test_every_status_cell_links_to_its_explanation(client) -> None:
    page = client.get("/unit/ham-tan?period=2024-Q1")
    assert page.status_code == 200
    cells = status_cells(page.text)
    assert len(cells) == page.text.count('<td class="status"') == 3  # three targets
    statuses = {key.split("|")[0]: status for key, _, status in cells}
    assert statuses["TTHC-06"] == "off_track" and statuses["CDS-03"] == "met"
    for key, href, _ in cells:
        explained = client.get(href.replace("&amp;", "&"))
        assert explained.status_code == 200
        target = key.split("|")[0]
        assert f"Chỉ tiêu {target}:" in explained.text   # the explain text of that result
        assert 'class="explain"' in explained.text
    target = client.get("/target/TTHC-06?period=2024-Q1")
    assert {c[0] for c in status_cells(target.text)} == {
        "TTHC-06|ham-tan|2024-Q1", "TTHC-06|binh-thuan|2024-Q1"}   # rolled up to the province


def test_explanation_is_the_explain_commands_text(client, files) -> None:
    from cchc_rules.pipeline import Session
    from cchc_rules.render.explain import explain

    inputs = Session().load(files[0], [files[1]])
    text = explain(inputs.ruleset, inputs.figures, "TTHC-06", "ham-tan", "2024-Q1")
    page = client.get("/explain", params={"target": "TTHC-06", "unit": "ham-tan",
                                          "period": "2024-Q1"})
    shown = re.search(r'<pre class="explain">(.*?)</pre>', page.text, re.S).group(1)
    assert "5,003" in shown and "33,354" in shown
    assert shown.replace("&lt;", "<").replace("&gt;", ">") == text


def test_urls_are_bookmarkable_by_period(client) -> None:
    assert client.get("/unit/ham-tan").text == client.get("/unit/ham-tan?period=2024-Q1").text
    assert client.get("/unit/ham-tan?period=all").status_code == 200
    assert client.get("/unit/ham-tan?period=2030").status_code == 404


@pytest.mark.parametrize("url", [
    "/unit/..%2F..%2F..%2Fetc%2Fpasswd", "/unit/../../etc/passwd", "/target/%2Fetc%2Fpasswd",
    "/target/..%2Fruleset.yaml", "/explain?target=TTHC-06&unit=/etc/passwd&period=2024-Q1",
    "/explain?target=../ruleset.yaml&unit=ham-tan&period=2024-Q1", "/unit/ham-tam",
])
def test_unknown_ids_are_404s_that_read_no_file(client, url) -> None:
    page = client.get(url)
    assert page.status_code == 404
    assert "root:" not in page.text and "ruleset:" not in page.text


def test_did_you_mean_on_a_mistyped_unit(client) -> None:
    page = client.get("/unit/ham-tam")
    assert "ham-tan" in page.text and page.status_code == 404


def test_a_broken_ruleset_shows_its_errors_above_the_last_good_results(files) -> None:
    ruleset, data = files
    ws = Workspace(ruleset, [data])
    app = create_app(ws, watching=False)
    with TestClient(app) as c:
        good = c.get("/unit/ham-tan")
        text = ruleset.read_text(encoding="utf-8")
        ruleset.write_text(text.replace("metric: online_rate", "metric: online_rat", 1),
                           encoding="utf-8")
        snap = ws.refresh()
        assert not snap.ok and snap.version == 2
        broken = c.get("/unit/ham-tan")
        banner = re.search(r'<div id="banner".*?</div>\s*</div>', broken.text, re.S).group(0)
        assert re.search(rf"{re.escape(str(ruleset))}:\d+:\d+: error SEM\d+", banner), banner
        assert status_cells(broken.text) == status_cells(good.text)  # the last good results
        assert c.get("/state").json()["ok"] is False
        ruleset.write_text(text, encoding="utf-8")
        assert ws.refresh().ok
        assert 'class="error-banner"' not in c.get("/unit/ham-tan").text


def test_a_first_evaluation_that_fails_shows_only_the_banner(tmp_path) -> None:
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text("ruleset: x\ntitle: [\n", encoding="utf-8")
    data = tmp_path / "d.yaml"
    data.write_text("reports: []\n", encoding="utf-8")
    with TestClient(create_app(Workspace(ruleset, [data]), watching=False)) as c:
        page = c.get("/")
        assert page.status_code == 200 and "error YAML" in page.text
        assert c.get("/unit/ham-tan").status_code == 404


def test_the_data_file_change_changes_the_status(files) -> None:
    ruleset, data = files
    ws = Workspace(ruleset, [data])
    with TestClient(create_app(ws, watching=False)) as c:
        before = dict((k, s) for k, _, s in status_cells(c.get("/unit/ham-tan").text))
        data.write_text(data.read_text(encoding="utf-8").replace(
            f"received_online: {HAM_TAN['received_online']}", "received_online: 3000"),
            encoding="utf-8")
        ws.refresh()
        after = dict((k, s) for k, _, s in status_cells(c.get("/unit/ham-tan").text))
    key = "TTHC-06|ham-tan|2024-Q1"
    assert before[key] == "off_track" and after[key] in ("on_track", "met")


def upload(c: TestClient, name: str, body: bytes, **headers: str):
    return c.post("/upload", params={"name": name}, content=body,
                  headers={"X-CCHC-Upload": "1", **headers})


def test_a_csv_upload_is_previewed_and_nothing_is_written(client, files, tmp_path) -> None:
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    csv = "unit,period,received,received_online\nham-tan,2024-Q2,1000,600\n"
    page = upload(client, "../../ham tan.csv", csv.encode())
    assert page.status_code == 200
    assert "ham-tan.csv" in page.text and "../" not in page.text   # a cleaned-up name
    cells = re.findall(r'<td class="status"><span class="badge s-(\w+)', page.text)
    assert "on_track" in cells or "met" in cells    # 60% online
    assert "2024-Q2" in page.text
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert "2024-Q2" not in client.get("/unit/ham-tan?period=all").text  # not merged


def test_a_blank_form_upload_is_read_by_the_form_reader(client, files, tmp_path) -> None:
    from click.testing import CliRunner

    from cchc_rules.cli import main

    form = tmp_path / "out" / "form.xlsx"
    form.parent.mkdir()
    made = CliRunner().invoke(main, ["form", str(files[0]), "--units", str(files[1]),
                                     "--period", "2024-Q1", "--output", str(form)])
    assert made.exit_code == 0, made.output
    page = upload(client, "form.xlsx", form.read_bytes())
    assert page.status_code == 200 and 'id="preview-result"' in page.text
    assert "Traceback" not in page.text


def test_upload_errors_name_the_uploaded_file_not_a_temporary_one(client) -> None:
    page = upload(client, "ham-tan.csv", b"unit,period,received\nham-tan,2024-Q1,abc\n")
    assert "ham-tan.csv:2" in page.text and "error DAT" in page.text
    assert "cchc-upload-" not in page.text and "/tmp" not in page.text


def test_upload_limits(client, monkeypatch) -> None:
    assert client.post("/upload", content=b"x").status_code == 403   # no custom header
    assert client.get("/upload").status_code == 405
    wrong = upload(client, "notes.pdf", b"%PDF-1.4")
    assert "error IO03" in wrong.text
    monkeypatch.setattr(upload_module, "MAX_BYTES", 100)
    big = upload(client, "big.csv", b"unit,period\n" + b"x" * 200)
    assert big.status_code == 413 and "error IO02" in big.text


def test_security_headers_and_host_check(files) -> None:
    app = create_app(Workspace(*files[:1], [files[1]]), watching=False,
                     allowed_hosts=["127.0.0.1"])
    with TestClient(app, base_url="http://127.0.0.1") as c:
        page = c.get("/")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert c.get("/", headers={"host": "evil.example"}).status_code == 400


def test_english_pages(files) -> None:
    app = create_app(Workspace(files[0], [files[1]], lang="en"), watching=False)
    with TestClient(app) as c:
        page = c.get("/unit/ham-tan")
    assert 'lang="en"' in page.text and "Off track" in page.text
    assert "Part of" in page.text and "Updates itself when a file changes" in page.text
    assert "Chậm tiến độ" not in page.text


def test_the_watcher_sees_a_change_and_the_hub_keeps_the_newest(tmp_path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    seen: list[int] = []

    async def scenario() -> None:
        stop = asyncio.Event()

        async def changed() -> None:
            seen.append(len(seen))
            stop.set()

        task = asyncio.create_task(watch(lambda: [path], changed, stop, interval=0.01))
        await asyncio.sleep(0.05)
        path.write_text("a: 22\n", encoding="utf-8")
        await asyncio.wait_for(task, 2)

        hub = Hub()
        queue = hub.subscribe()
        hub.publish("1")
        hub.publish("2")
        assert await queue.get() == "2" and queue.empty()
        hub.unsubscribe(queue)
        assert len(hub) == 0

    asyncio.run(scenario())
    assert seen == [0]
    assert signature([tmp_path / "missing"]) == (None,)


def test_pages_rendered_at_once_by_several_threads_agree(client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    urls = ["/", "/unit/ham-tan", "/target/TTHC-06", "/quality"] * 4
    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(client.get, urls))
    assert all(p.status_code == 200 for p in pages)
    for url in set(urls):
        assert len({p.text for u, p in zip(urls, pages, strict=True) if u == url}) == 1


def test_the_rulesets_parents_are_watched(tmp_path) -> None:
    root = Path(__file__).resolve().parents[2]
    ruleset = root / "rulesets/tuyen-quang/cchc-2021-2030.yaml"
    data = root / "examples/demo/ham-tan-2024-q1.yaml"
    ws = Workspace(ruleset, [data], tmp_path / "units.yaml")
    assert ws.watched() == (ruleset, data, tmp_path / "units.yaml")  # before any load
    ws.refresh()
    names = [p.name for p in ws.watched()]
    assert names[:3] == ["cchc-2021-2030.yaml", "nq76-2021-2030.yaml", "one-stop.yaml"]
    assert len(ws.seen) == len(ws.watched())


def test_plans_in_force_in_the_web_app(tmp_path) -> None:
    """Thanh Hóa's 2649 replacing 5137 (tests/ruleset/test_versions.py): the summary page
    lists the versions, an explanation names and uses the plan in force, and the replaced
    plan's file is watched."""
    import sys
    sys.path.insert(0, str(Path(__file__).parents[1] / "ruleset"))
    from test_versions import write
    write(tmp_path)
    ws = Workspace(tmp_path / "new.yaml", [tmp_path / "data.yaml"], lang="en")
    with TestClient(create_app(ws, watching=False)) as c:
        summary = c.get("/").text
        explained = {p: c.get("/explain", params={"target": "DVC-01", "unit": "thanh-hoa",
                                                  "period": p}).text
                     for p in ("2025-Q2", "2025-Q4")}
    assert "Plans in force by date" in summary and "dropped HUYEN-01" in summary
    assert "Plan in force: thanh-hoa-cchc-2025-5137" in explained["2025-Q2"]
    assert "≥ 50" in explained["2025-Q2"]
    assert "Plan in force: thanh-hoa-cchc-2025-2649" in explained["2025-Q4"]
    assert (tmp_path / "old.yaml") in ws.watched()
    csv = "unit,period,online_rate,district_rate,payment_rate\nthanh-hoa,2025-Q4,55,60,45\n"
    with TestClient(create_app(ws, watching=False)) as c:
        preview = upload(c, "q4.csv", csv.encode()).text
        q2 = upload(c, "q2.csv", csv.replace("2025-Q4", "2025-Q2").encode()).text
    # 2025-Q4 by the new plan: HUYEN-01 was dropped, DVC-01 asks for 60
    assert "TT-01" in preview and "HUYEN-01" not in preview and "≥ 60" in preview
    # 2025-Q2 by the old one: HUYEN-01 judged on its figure (the old plan's metric is read)
    assert "HUYEN-01" in q2 and "≥ 50.00%" in q2 and "≥ 70.00%" in q2 and "60.00%" in q2
