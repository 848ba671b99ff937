"""Issue 15 (hostile input), files and the CLI edge: forged error lines, special files as
input and --output, symlink loops, exit codes under signals and broken streams, usage errors."""
from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_rules.cli import main
from cchc_rules.errors import CchcError, Position, Problem
from cchc_rules.files import read_capped

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from cchc_rules.cli import run; "
       "sys.argv[0] = 'cchc'; run()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
RULESET = """\
ruleset: hostile
title: Thử
metrics:
  received: {label: Tổng số hồ sơ, unit: count}
  online: {label: Hồ sơ trực tuyến, unit: count}
  rate: {label: Tỷ lệ trực tuyến, unit: percent, formula: online / received * 100}
targets:
  - {id: T-1, title: %s, area: procedures, metric: rate,
     milestones: [{by: "2025", op: ">=", value: 50}]}
"""
DATA = "unit,period,received,online\nham-tan,2024-Q1,4917,246\n"
INJECTED = "fake.yaml:1:1: error XXX99 injected"
# What every stderr line of cchc looks like: an optional place, then severity and code.
LINE = re.compile(r"^(?:\S.*: )?(?:error|warning) [A-Z]+\d\d ")


def cchc(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="cchc")


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=ENV, capture_output=True, timeout=120, **kwargs)


@pytest.fixture
def plan(tmp_path):
    """A ruleset and a CSV of figures; `title` is the target's title as YAML text."""
    def write(title: str = '"Tối thiểu 50% trực tuyến"', data: str = DATA) -> list[str]:
        (tmp_path / "r.yaml").write_text(RULESET % title, "utf-8")
        (tmp_path / "d.csv").write_text(data, "utf-8")
        return ["evaluate", str(tmp_path / "r.yaml"), "--data", str(tmp_path / "d.csv")]
    return write


def assert_no_forged_line(stderr: str) -> None:
    for line in stderr.splitlines():
        assert LINE.match(line), f"a line that is not a problem: {line!r}\n{stderr}"
        assert "\x1b" not in line
    assert not any(line.startswith("fake.yaml") for line in stderr.splitlines())


# ---- item 5: forged error lines --------------------------------------------------------

def test_problem_format_escapes_every_control_character():
    problem = Problem("DAT08", f"unit 'a\n{INJECTED}\r\x1b[31m\x7f\x85\u2028'",
                      Position("f\n.csv", 2, 3), "hint\x00")
    text = problem.format()
    assert "\n" not in text and "\x1b" not in text and "\x00" not in text
    assert text == ("f\\n.csv:2:3: error DAT08 unit 'a\\nfake.yaml:1:1: error XXX99 injected"
                    "\\r\\x1b[31m\\x7f\\x85\\u2028' [hint\\x00]")
    assert Problem("SCH01", "Tỷ lệ 'Hàm Tân'\tx").format() == "error SCH01 Tỷ lệ 'Hàm Tân'\\tx"


@pytest.mark.parametrize("unit", [f"ham\n{INJECTED}", "ham\x1b[2Jtan", "ham\rtan", "ham\x85tan"])
def test_a_control_character_in_a_csv_unit_is_refused_where_it_is(plan, unit):
    quoted = '"' + unit.replace('"', '""') + '"'
    res = cchc(*plan(data=f"unit,period,received,online\n{quoted},2024-Q1,4917,246\n"))
    assert res.exit_code == 2, res.output
    assert "d.csv:2: error DAT08 the unit 'ham" in res.output
    assert_no_forged_line(res.output)


def test_a_control_character_in_a_yaml_period_is_refused(plan, tmp_path):
    args = plan()
    (tmp_path / "d.yaml").write_text(
        'reports:\n  - {unit: ham-tan, period: "2024-Q1\\n' + INJECTED + '",\n'
        '     values: {received: 4917, online: 246}}\n', "utf-8")
    res = cchc(*args[:2], "--data", str(tmp_path / "d.yaml"))
    assert res.exit_code == 2, res.output
    assert "d.yaml:2:30: error DAT08 the period '2024-Q1\\nfake.yaml" in res.output
    assert_no_forged_line(res.output)


def test_a_csv_period_with_a_newline_is_refused(plan):
    res = cchc(*plan(data=f'unit,period,received,online\nham-tan,"2024-Q1\n{INJECTED}",1,1\n'))
    assert res.exit_code == 2, res.output
    assert "d.csv:2: error DAT08 the period '2024-Q1\\nfake.yaml" in res.output
    assert_no_forged_line(res.output)


def test_a_forged_csv_header_prints_one_escaped_warning(plan):
    header = f'"online\n{INJECTED}"'
    res = cchc(*plan(data=f"unit,period,received,{header}\nham-tan,2024-Q1,4917,246\n"))
    assert "warning DAT20 metric 'online\\nfake.yaml:1:1: error XXX99 injected'" in res.output
    assert_no_forged_line(res.stderr)


def test_a_control_character_in_a_declared_unit_is_refused(plan, tmp_path):
    args = plan()
    (tmp_path / "units.yaml").write_text(
        'units:\n  - {id: ham-tan, name: "Hàm Tân\\e]0;pwned\\a"}\n', "utf-8")
    res = cchc(*args, "--units", str(tmp_path / "units.yaml"))
    assert res.exit_code == 2, res.output
    assert "units.yaml:2:26: error UNT01 unit field 'name' holds a control character" \
        in res.output
    assert_no_forged_line(res.output)


def test_a_sheet_name_is_escaped(plan, tmp_path):
    import openpyxl
    args = plan()
    book = openpyxl.Workbook()
    book.active.title = "Số liệu"
    book.active.append(["unit", "period", "received", "online"])
    book.active.append(["ham-tan", "2024-Q1", 4917, 246])
    notes = book.create_sheet("notes")
    notes.append(["ghi chú"])
    book.save(tmp_path / "d.xlsx")
    # openpyxl refuses control characters in a title; a hostile file is not so polite
    import zipfile
    with zipfile.ZipFile(tmp_path / "d.xlsx") as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b'name="notes"', b'name="notes&#10;' + INJECTED.encode() + b'"')
    with zipfile.ZipFile(tmp_path / "d.xlsx", "w") as out:
        for name, body in parts.items():
            out.writestr(name, body)
    res = cchc(*args[:2], "--data", str(tmp_path / "d.xlsx"))
    assert "notes\\nfake.yaml:1:1: error XXX99 injected" in res.output, res.output
    assert_no_forged_line(res.stderr)


def test_the_table_shows_control_characters_escaped(plan):
    res = cchc(*plan(title='"Tối thiểu\\e[2J 50%\\n' + INJECTED + '"'))
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output
    assert "Tối thiểu\\x1b[2J 50%\\nfake.yaml:1:1: error XXX99 injected" in res.output
    assert not any(line.startswith("fake.yaml") for line in res.output.splitlines())


# ---- item 7 and 8: special inputs, symlink loops ---------------------------------------

@pytest.mark.parametrize("name", ["z.csv", "z.yaml", "z.json", "z.xlsx"])
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_behind_a_symlink_is_refused_without_reading(plan, tmp_path, name, device):
    args = plan()
    (tmp_path / name).symlink_to(device)
    res = run(*args[:2], "--data", str(tmp_path / name))
    assert res.returncode == 2, res.stderr
    assert f"{tmp_path / name}: error IO03 not a regular file: a character device" \
        in res.stderr.decode()


def test_a_fifo_as_data_ruleset_or_units_does_not_hang(plan, tmp_path):
    args = plan()
    os.mkfifo(tmp_path / "f.csv")
    os.mkfifo(tmp_path / "f.yaml")
    res = run(*args[:2], "--data", str(tmp_path / "f.csv"), "--units", str(tmp_path / "f.yaml"))
    assert res.returncode == 2
    err = res.stderr.decode()
    assert "f.csv: error IO03 not a regular file: a FIFO" in err
    assert "f.yaml: error IO03 not a regular file: a FIFO" in err
    res = run("validate", str(tmp_path / "f.yaml"))
    assert res.returncode == 2 and b"f.yaml: error IO03" in res.stderr


def test_validate_and_test_walk_a_folder_holding_a_fifo(tmp_path):
    (tmp_path / "ok.yaml").write_text(RULESET % "Tối thiểu", "utf-8")
    os.mkfifo(tmp_path / "pipe.yaml")
    os.mkfifo(tmp_path / "pipe.test.yaml")
    res = run("validate", str(tmp_path))
    assert res.returncode == 2
    assert b"pipe.yaml: error IO03 not a regular file: a FIFO" in res.stderr
    assert f"ok {tmp_path / 'ok.yaml'}".encode() in res.stdout
    res = run("test", str(tmp_path))
    assert res.returncode == 2, res.stderr
    assert b"pipe.test.yaml: error IO03" in res.stderr


def test_the_byte_cap_holds_when_the_size_is_not_known_in_advance():
    # /proc files are regular files that say they are empty (st_size 0)
    with pytest.raises(CchcError) as err:
        read_capped("/proc/self/maps", 10)
    assert err.value.problems[0].code == "IO02"
    assert len(read_capped("/proc/self/maps", 1 << 20)) > 10


def test_a_self_symlinked_ruleset_is_a_positioned_io_error(tmp_path):
    (tmp_path / "a.yaml").symlink_to("a.yaml")
    (tmp_path / "b.yaml").symlink_to("c.yaml")
    (tmp_path / "c.yaml").symlink_to("b.yaml")
    for name in ("a.yaml", "b.yaml"):
        res = cchc("validate", str(tmp_path / name))
        assert res.exit_code == 2, res.output
        assert f"{tmp_path / name}: error IO01 cannot read: the symbolic link loops back on " \
               "itself" in res.output
        assert "INT01" not in res.output
    res = cchc("evaluate", str(tmp_path / "a.yaml"), "--data", str(tmp_path / "b.yaml"))
    assert res.exit_code == 2 and "INT01" not in res.output, res.output


# ---- item 6 and 13: --output onto special files ----------------------------------------

def test_output_dev_null_stays_a_device(plan):
    res = run(*plan(), "--format", "json", "--output", "/dev/null")
    assert res.returncode == 0, res.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_dev_full_is_an_io_error_naming_the_file(plan):
    res = run(*plan(), "--format", "json", "--output", "/dev/full")
    assert res.returncode == 2
    assert res.stderr.decode() == \
        "/dev/full: error IO04 cannot write: No space left on device\n"


def test_output_to_a_fifo_is_written_straight_through(plan, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    res = cchc(*plan(), "--format", "csv", "--output", str(fifo))
    reader.join(60)
    assert res.exit_code == 0, res.output
    assert got and got[0].startswith(b"target,unit,period")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "out.fifo", "r.yaml"]


def test_a_symlinked_output_is_written_through_its_target(plan, tmp_path):
    (tmp_path / "real.csv").write_text("old", "utf-8")
    (tmp_path / "link.csv").symlink_to("real.csv")
    res = cchc(*plan(), "--format", "csv", "--output", str(tmp_path / "link.csv"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "link.csv").is_symlink()
    assert (tmp_path / "real.csv").read_text("utf-8").startswith("target,unit,period")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_dash_and_dev_stdout_are_standard_output(plan, tmp_path):
    res = cchc(*plan(), "--format", "csv", "--output", "-")
    assert res.exit_code == 0 and res.output.startswith("target,unit,period"), res.output
    out = tmp_path / "stdout.txt"
    out.write_bytes(b"before\n")
    with out.open("ab") as handle:
        res = subprocess.run([*CLI, *plan(), "--format", "csv", "--output", "/dev/stdout"],
                             env=ENV, stdout=handle, stderr=subprocess.PIPE, timeout=120)
    assert res.returncode == 0, res.stderr
    assert out.read_bytes().startswith(b"before\ntarget,unit,period")
    assert out.is_file() and not out.is_symlink()


def test_an_empty_or_missing_folder_output_gives_one_clear_line(plan, tmp_path):
    res = cchc(*plan(), "--output", "")
    assert res.exit_code == 2, res.output
    assert res.output == "error IO04 the output file name is empty [give a file name, or - for "\
                         "standard output]\n"
    res = cchc(*plan(), "--output", str(tmp_path / "no" / "out.json"))
    assert res.output == f"{tmp_path / 'no' / 'out.json'}: error IO04 cannot write: " \
                         "No such file or directory\n"


# ---- item 9: exit codes --------------------------------------------------------------

SLOW = """\
import sys, time
import cchc_rules.render as render
def slow_write(name, evaluation, out, **options):
    out.write(b"half a report")
    out.flush()
    print("WRITING", file=sys.stderr, flush=True)
    time.sleep(120)
render.write = slow_write
from cchc_rules.cli import run
sys.argv[0] = "cchc"
run()
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129),
                                              (signal.SIGINT, 130)])
def test_a_killed_run_removes_its_temporary_file(plan, tmp_path, signum, code):
    """The real entry point, its render slowed down so the signal comes mid-write."""
    (tmp_path / "slow.py").write_text(SLOW, "utf-8")
    (tmp_path / "out.json").write_text("old", "utf-8")
    proc = subprocess.Popen([sys.executable, str(tmp_path / "slow.py"), *plan(), "--format",
                             "json", "--output", str(tmp_path / "out.json")],
                            env=ENV, stderr=subprocess.PIPE)
    try:
        assert proc.stderr.readline() == b"WRITING\n"
        assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        proc.send_signal(signum)
        assert proc.wait(60) == code
    finally:
        proc.kill()
        proc.wait()
    assert b"Traceback" not in proc.stderr.read()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "out.json", "r.yaml",
                                                          "slow.py"]
    assert (tmp_path / "out.json").read_text("utf-8") == "old"


def test_a_stderr_that_cannot_be_written_exits_2(plan, tmp_path):
    with open("/dev/full", "wb") as full:
        res = subprocess.run([*CLI, "validate", str(tmp_path / "missing.yaml")], env=ENV,
                             stderr=full, stdout=subprocess.PIPE, timeout=120)
        assert res.returncode == 2
        res = subprocess.run([*CLI, "evaluate", "--fromat"], env=ENV, stderr=full,
                             timeout=120)
        assert res.returncode == 2


def test_a_stdout_that_cannot_be_written_exits_2_naming_it(plan):
    with open("/dev/full", "wb") as full:
        res = subprocess.run([*CLI, *plan()], env=ENV, stdout=full, stderr=subprocess.PIPE,
                             timeout=120)
    assert res.returncode == 2
    assert res.stderr == b"<stdout>: error IO04 cannot write: No space left on device\n"


# ---- item 13: usage errors as one coded line -------------------------------------------

@pytest.mark.parametrize(("args", "line"), [
    (["evaluate", "r.yaml", "--data", "d.csv", "--fromat", "json"],
     "error USG01 No such option '--fromat' [did you mean '--format'?]"),
    (["evaluat"], "error USG01 No such command 'evaluat' [did you mean 'evaluate'?]"),
    (["evaluate"], "error USG02 Missing argument 'RULESET' [see 'cchc evaluate --help']"),
    (["evaluate", "r.yaml", "--data", "."],
     "error USG03 Invalid value for '--data': File '.' is a directory "
     "[see 'cchc evaluate --help']"),
    (["evaluate", "r.yaml", "--data", "d.csv", "--format", "xml"],
     "error USG03 Invalid value for '--format': 'xml' is not one of 'table', 'json', 'csv', "
     "'junit', 'parquet', 'arrow' [see 'cchc evaluate --help']"),
    (["evaluate", "r.yaml", "d.csv", "--data", "d.csv"],
     "error USG01 Got unexpected extra argument (d.csv) [see 'cchc evaluate --help']"),
])
def test_usage_errors_are_one_coded_line(args, line):
    res = run(*args)
    assert res.returncode == 2
    assert res.stderr.decode() == line + "\n"
    assert b"Usage:" not in res.stderr


def test_help_version_and_no_arguments_still_work():
    assert cchc("--version").exit_code == 0
    assert "Usage: cchc" in cchc("evaluate", "--help").output
    res = cchc()
    assert res.exit_code == 2 and "Commands:" in res.output
