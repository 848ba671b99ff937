"""The one ruleset/data factory for the tests: real figures, metric definitions, units and
small builders. Test modules import from here (or use conftest's fixtures), never from
each other.

Figures are copied from the seeds once, here:
- Hàm Tân district one-stop desk, Q1/2024 (seed 001): 4,917 received = 246 online
  + 2,180 direct + 2,491 carried over = 1,770 on time + 1,733 late + 827 pending in time
  + 587 overdue; online rate 246 / 4,917 = 5.003%, late rate (1,733 + 587) / 4,917 = 47.18%.
- Tây Ninh 2015–2021 (seed 000): 204 of 2,010 civil servants cut, 10.15%.
- Tuyên Quang online-rate target: 12% in 2021, ≥ 50% by 2025, ≥ 80% by 2030.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

HAM_TAN: dict[str, int] = {
    "received": 4917, "received_online": 246, "received_direct": 2180, "carried_over": 2491,
    "resolved_on_time": 1770, "resolved_late": 1733, "pending_in_time": 827,
    "pending_overdue": 587}
HAM_TAN_Q1 = HAM_TAN  # the name the report tests use
HAM_TAN_SOURCE = "Phòng Nội vụ huyện Hàm Tân, báo cáo quý I/2024"
TAY_NINH: dict[str, int] = {"staff_cut": 204, "staff_assigned": 2010}


def _count(label: str) -> dict[str, str]:
    return {"label": label, "unit": "count"}


def _rate(label: str, formula: str) -> dict[str, str]:
    return {"label": label, "unit": "percent", "formula": formula}


# Every metric a test ruleset may declare, defined once.
METRICS: dict[str, Any] = {
    "received": _count("Tổng số hồ sơ tiếp nhận"),
    "received_online": _count("Hồ sơ tiếp nhận trực tuyến"),
    "received_direct": _count("Hồ sơ tiếp nhận trực tiếp và qua bưu chính"),
    "carried_over": _count("Hồ sơ kỳ trước chuyển sang"),
    "resolved_on_time": _count("Hồ sơ giải quyết đúng hạn"),
    "resolved_late": _count("Hồ sơ giải quyết trễ hạn"),
    "pending_in_time": _count("Hồ sơ đang giải quyết trong hạn"),
    "pending_overdue": _count("Hồ sơ đang giải quyết quá hạn"),
    "staff_cut": _count("Biên chế đã tinh giản"),
    "staff_assigned": _count("Biên chế được giao"),
    "staff": _count("Biên chế"),
    "salaried_staff": _count("Biên chế sự nghiệp"),
    "a": _count("a"),
    "b": _count("b"),
    "online_rate": _rate("Tỷ lệ hồ sơ tiếp nhận trực tuyến",
                         "received_online / received * 100"),
    "online_new_rate": _rate("Tỷ lệ trực tuyến trên hồ sơ mới",
                             "received_online / (received_online + received_direct) * 100"),
    "late_rate": _rate("Tỷ lệ hồ sơ trễ hẹn",
                       "(resolved_late + pending_overdue) / received * 100"),
    "cut_rate": _rate("Tỷ lệ tinh giản biên chế", "staff_cut / staff_assigned * 100"),
    "share": _rate("a trên b", "a / b * 100"),
}

CHECKS: dict[str, dict[str, str]] = {
    "received-breakdown": {
        "id": "received-breakdown",
        "assert": "received == received_online + received_direct + carried_over"},
    "received-split": {
        "id": "received-split",
        "assert": "received == resolved_on_time + resolved_late + pending_in_time"
                  " + pending_overdue"},
}

UNITS: list[dict[str, str]] = [
    {"id": "binh-thuan", "name": "Tỉnh Bình Thuận", "level": "province"},
    {"id": "ham-tan", "name": "Huyện Hàm Tân", "level": "district", "parent": "binh-thuan"},
    {"id": "tay-ninh", "name": "Tỉnh Tây Ninh", "level": "province"},
    {"id": "xa-moi", "name": "Xã Mới", "level": "commune"},
    {"id": "noi-khac", "name": "Nơi khác"},
]


def metrics(*ids: str) -> dict[str, Any]:
    """The definitions of the named metrics, in that order."""
    return {m: copy.deepcopy(METRICS[m]) for m in ids}


def target(tid: str, metric: str, *milestones: tuple, **extra: Any) -> dict[str, Any]:
    """A target on `metric`; each milestone is (by, op, value), a tuple value for between."""
    ms = [{"by": by, "op": op, "value": list(v) if isinstance(v, tuple) else v}
          for by, op, v in milestones]
    return {"id": tid, "title": f"Chỉ tiêu {tid}", "area": "procedures", "metric": metric,
            "milestones": ms, **extra}


def report(unit: str, period: str, /, **values: float) -> dict[str, Any]:
    return {"unit": unit, "period": period, "values": values}


# TTHC-06 of the Tuyên Quang plan: the spec's example target.
ONLINE = target("TTHC-06", "online_rate", ("2025", ">=", 50), ("2030", ">=", 80),
                baseline={"period": "2021", "value": 12})


def ruleset(targets: list[dict] | tuple = (), checks: list[dict] | tuple = (),
            ruleset_id: str = "test", title: str = "Thử", metrics: dict | None = None
            ) -> dict[str, Any]:
    """A ruleset document; its metrics are the whole catalogue unless given."""
    return {"ruleset": ruleset_id, "title": title,
            "metrics": copy.deepcopy(METRICS) if metrics is None else metrics,
            "checks": list(checks), "targets": list(targets)}


def data(reports: list[dict] | tuple, units: list[dict] | None = None) -> dict[str, Any]:
    return {"units": UNITS if units is None else units, "reports": list(reports)}


def dump(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)


def write(path: Path, doc: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(doc), encoding="utf-8")
    return path


def write_pair(folder: Path, targets=(), reports=(), checks=(), **top: Any
               ) -> tuple[Path, Path]:
    """`r.yaml` (`ruleset(...)`) and `d.yaml` (the units above and `reports`) in `folder`."""
    return (write(folder / "r.yaml", ruleset(targets, checks, **top)),
            write(folder / "d.yaml", data(reports)))


def run(tmp_path: Path, defs: list[dict], reports: list[dict], checks=(), **filters: Any):
    """Evaluate `defs` on `reports` through the files, as the CLI does."""
    from cchc_rules import evaluate_files

    rules, figures = write_pair(tmp_path, defs, reports, checks)
    return evaluate_files(rules, [figures], **filters)


def one(ev: Any, tid: str, unit: str, period: str) -> dict[str, Any]:
    """The one result record of `tid` for `unit` in `period`."""
    rows = [r for r in ev.records()
            if (r["target"], r["unit"], r["period"]) == (tid, unit, period)]
    assert len(rows) == 1, rows
    return rows[0]


# The valid base of conftest's `make_ruleset`: Hàm Tân's online rate and a staff cut.
BASE_RULESET: dict[str, Any] = {
    "ruleset": "test-ham-tan",
    "title": "Bộ chỉ tiêu thử nghiệm",
    "issuer": "UBND tỉnh Tuyên Quang",
    "metrics": metrics("received", "received_online", "received_direct", "carried_over",
                       "online_rate", "salaried_staff"),
    "checks": [CHECKS["received-breakdown"]],
    "targets": [
        {"id": "TTHC-06", "title": "Tỷ lệ hồ sơ giải quyết trực tuyến", "area": "procedures",
         "metric": "online_rate", "levels": ["province", "district"],
         "baseline": ONLINE["baseline"], "milestones": ONLINE["milestones"],
         "source": "Đề án, mục II.2"},
        {"id": "TCBM-02", "title": "Giảm tối thiểu 10% biên chế sự nghiệp",
         "area": "organization", "metric": "salaried_staff", "change": "percent",
         "baseline": {"period": "2021"},
         "milestones": [{"by": "2025", "op": "<=", "value": -10}]},
    ],
}

# The report tests' plan: Hàm Tân's 2024 CCHC plan on its Q1 figures.
REPORT_RULESET: dict[str, Any] = {
    "ruleset": "ham-tan-report",
    "title": "Kế hoạch cải cách hành chính huyện Hàm Tân năm 2024",
    "issuer": "UBND huyện Hàm Tân",
    "source": "Kế hoạch CCHC năm 2024 của UBND huyện Hàm Tân",
    "metrics": metrics(*HAM_TAN, "online_rate", "late_rate"),
    "checks": [{"id": "received-breakdown",
                "title": "Tiếp nhận = trực tuyến + trực tiếp + kỳ trước",
                "assert": CHECKS["received-breakdown"]["assert"]}, CHECKS["received-split"]],
    "targets": [
        {"id": "TTHC-06", "title": "Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ",
         "area": "procedures", "metric": "online_rate", "baseline": ONLINE["baseline"],
         "milestones": ONLINE["milestones"], "source": "Đề án, mục II.2"},
        {**target("TTHC-LATE", "late_rate", ("2025", "<=", 5)),
         "title": "Tỷ lệ hồ sơ trễ hẹn không quá 5%"},
        {**target("CDS-03", "online_rate", ("2024", "between", (5, 20))),
         "title": "Hồ sơ trực tuyến trong khoảng 5%–20% số tiếp nhận",
         "area": "digital_government"},
    ],
}
RULESET = REPORT_RULESET  # the name the report tests use


def write_inputs(folder: Path, unit_name: str = "Huyện Hàm Tân",
                 extra_reports: list[dict[str, Any]] | None = None) -> tuple[Path, Path]:
    """The report ruleset and a data file (Bình Thuận province over Hàm Tân) in `folder`."""
    rules = write(folder / "ruleset.yaml", REPORT_RULESET)
    figures = write(folder / "ham-tan-2024-q1.yaml", {
        "units": [UNITS[0], {**UNITS[1], "name": unit_name}],
        "reports": [{"unit": "ham-tan", "period": "2024-Q1", "source": HAM_TAN_SOURCE,
                     "values": HAM_TAN},
                    *(extra_reports or [])],
    })
    return rules, figures


def evaluation(folder: Path, **kwargs: Any) -> Any:
    """The real engine's Evaluation of the inputs `write_inputs` writes."""
    from cchc_rules import evaluate
    from cchc_rules.figures.data import read_data
    from cchc_rules.ruleset import load_ruleset

    rules, figures = write_inputs(folder, **kwargs)
    return evaluate(load_ruleset(rules), read_data([figures]))


# Flows over time (spec §5): two summed counts and their rate, one yearly milestone.
FLOW_RULESET = """\
ruleset: flow
title: Hồ sơ theo kỳ
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count, over_time: sum}
  on_time:  {label: Hồ sơ đúng hạn, unit: count, over_time: sum}
  on_time_rate: {label: Tỷ lệ đúng hạn, unit: percent, formula: on_time / received * 100}
targets:
  - {id: D1, title: Đúng hạn, area: procedures, metric: on_time_rate,
     milestones: [{by: "2025", op: ">=", value: 90}]}
"""


# Two targets (a title that starts like a formula, a baseline on the previous period) over
# four units; tests of the result rows built in slices.
SLICES_RULESET = """\
ruleset: slices
title: Từng phần
metrics:
  received: {label: Hồ sơ tiếp nhận, unit: count}
  online:   {label: Hồ sơ trực tuyến, unit: count}
  online_rate: {label: Tỷ lệ trực tuyến, unit: percent, formula: online / received * 100}
targets:
  - {id: RATE, title: "=Tỷ lệ trực tuyến", area: procedures, metric: online_rate,
     milestones: [{by: "2025-02", op: ">=", value: 40}, {by: "2025-04", op: ">=", value: 60}]}
  - {id: MOM, title: Không giảm so với kỳ trước, area: procedures, metric: online,
     change: absolute, baseline: {period: previous},
     milestones: [{by: "2025-04", op: ">=", value: 0}]}
"""
SLICES_DATA = "unit,period,received,online\n" + "".join(
    f"{unit},2025-0{month},{100 + month},{10 * month + len(unit)}\n"
    for unit in ("a", "bb", "ccc") for month in range(1, 5)) + "dd,2025-01,0,0\n"


def cchc(*args: object, input: str | None = None) -> Any:
    """`cchc ARGS…` run in-process through click's CliRunner (arguments turned into text),
    giving click's `Result`; conftest's `cli` fixture is this function."""
    from click.testing import CliRunner

    from cchc_rules.cli import main
    return CliRunner().invoke(main, [str(a) for a in args], input=input, prog_name="cchc")
