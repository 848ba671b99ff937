"""Benchmark workload definition: the national ruleset's metrics, rates, checks and targets.

Shared by the generator (which writes it as YAML) and the zen-engine port (which encodes the
same rules as a JDM decision), so both sides evaluate exactly the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

# The 34 provinces after the 1 July 2025 reorganization (no district level any more).
PROVINCES = (
    ("ha-noi", "Thành phố Hà Nội"), ("hue", "Thành phố Huế"), ("lai-chau", "Tỉnh Lai Châu"),
    ("dien-bien", "Tỉnh Điện Biên"), ("son-la", "Tỉnh Sơn La"), ("lang-son", "Tỉnh Lạng Sơn"),
    ("quang-ninh", "Tỉnh Quảng Ninh"), ("thanh-hoa", "Tỉnh Thanh Hóa"),
    ("nghe-an", "Tỉnh Nghệ An"), ("ha-tinh", "Tỉnh Hà Tĩnh"), ("cao-bang", "Tỉnh Cao Bằng"),
    ("tuyen-quang", "Tỉnh Tuyên Quang"), ("lao-cai", "Tỉnh Lào Cai"),
    ("thai-nguyen", "Tỉnh Thái Nguyên"), ("phu-tho", "Tỉnh Phú Thọ"),
    ("bac-ninh", "Tỉnh Bắc Ninh"), ("hung-yen", "Tỉnh Hưng Yên"),
    ("hai-phong", "Thành phố Hải Phòng"), ("ninh-binh", "Tỉnh Ninh Bình"),
    ("quang-tri", "Tỉnh Quảng Trị"), ("da-nang", "Thành phố Đà Nẵng"),
    ("quang-ngai", "Tỉnh Quảng Ngãi"), ("gia-lai", "Tỉnh Gia Lai"),
    ("khanh-hoa", "Tỉnh Khánh Hòa"), ("lam-dong", "Tỉnh Lâm Đồng"), ("dak-lak", "Tỉnh Đắk Lắk"),
    ("ho-chi-minh", "Thành phố Hồ Chí Minh"), ("dong-nai", "Tỉnh Đồng Nai"),
    ("tay-ninh", "Tỉnh Tây Ninh"), ("can-tho", "Thành phố Cần Thơ"),
    ("vinh-long", "Tỉnh Vĩnh Long"), ("dong-thap", "Tỉnh Đồng Tháp"), ("ca-mau", "Tỉnh Cà Mau"),
    ("an-giang", "Tỉnh An Giang"),
)
COMMUNES = 3321

# Raw one-stop-shop counts a commune reports each month.
RAW = {
    "received": "Tổng số hồ sơ tiếp nhận",
    "received_online": "Hồ sơ tiếp nhận trực tuyến",
    "received_direct": "Hồ sơ tiếp nhận trực tiếp và qua bưu chính",
    "carried_over": "Hồ sơ kỳ trước chuyển sang",
    "resolved_on_time": "Hồ sơ giải quyết đúng hạn",
    "resolved_late": "Hồ sơ giải quyết quá hạn",
    "pending_in_time": "Hồ sơ đang giải quyết trong hạn",
    "pending_overdue": "Hồ sơ đang giải quyết quá hạn",
    "fee_dossiers": "Hồ sơ có yêu cầu nghĩa vụ tài chính",
    "paid_online": "Hồ sơ thanh toán trực tuyến",
    "results_digital": "Kết quả giải quyết được số hóa",
    "apology_letters": "Thư xin lỗi do trễ hạn",
    "complaints": "Phản ánh, kiến nghị tiếp nhận",
    "complaints_resolved": "Phản ánh, kiến nghị đã xử lý",
    "survey_answers": "Phiếu khảo sát thu về",
    "survey_satisfied": "Phiếu hài lòng",
}


@dataclass(frozen=True)
class Rate:
    id: str
    label: str
    numerator: tuple[str, ...]    # summed raw metrics
    denominator: tuple[str, ...]  # summed raw metrics

    @property
    def formula(self) -> str:
        return f"{_sum(self.numerator)} / {_sum(self.denominator)} * 100"

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.numerator + self.denominator))


def _sum(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else "(" + " + ".join(names) + ")"


RATES = (
    Rate("online_rate", "Tỷ lệ hồ sơ tiếp nhận trực tuyến (trên hồ sơ mới)",
         ("received_online",), ("received_online", "received_direct")),
    Rate("on_time_rate", "Tỷ lệ hồ sơ giải quyết đúng hạn",
         ("resolved_on_time",), ("resolved_on_time", "resolved_late")),
    Rate("late_rate", "Tỷ lệ hồ sơ trễ hẹn",
         ("resolved_late", "pending_overdue"), ("received",)),
    Rate("progress_rate", "Tỷ lệ tiến độ giải quyết (Bộ chỉ số 766)",
         ("resolved_on_time", "pending_in_time"), ("received",)),
    Rate("online_payment_rate", "Tỷ lệ giao dịch thanh toán trực tuyến",
         ("paid_online",), ("fee_dossiers",)),
    Rate("digital_result_rate", "Tỷ lệ kết quả giải quyết được số hóa",
         ("results_digital",), ("resolved_on_time", "resolved_late")),
    Rate("complaint_resolution_rate", "Tỷ lệ phản ánh, kiến nghị được xử lý",
         ("complaints_resolved",), ("complaints",)),
    Rate("satisfaction_rate", "Tỷ lệ hài lòng của người dân, doanh nghiệp",
         ("survey_satisfied",), ("survey_answers",)),
)
RATE_BY_ID = {r.id: r for r in RATES}

# Spec §5, for the quarterly-to-yearly variant: how each raw count adds up over time.
OVER_TIME = {name: "sum" for name in RAW} | {
    "carried_over": "first", "pending_in_time": "last", "pending_overdue": "last"}
QUARTERS_AND_YEAR = ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025")

CHECKS = (
    ("received-breakdown", "received == received_online + received_direct + carried_over"),
    ("received-outcome",
     "received == resolved_on_time + resolved_late + pending_in_time + pending_overdue"),
)


@dataclass(frozen=True)
class Target:
    id: str
    metric: str
    area: str
    levels: tuple[str, ...] | None
    baseline: float | None          # value in BASELINE_PERIOD, or no baseline at all
    milestones: tuple[tuple[str, str, float], ...]  # (by, op, value)
    change: str | None = None


BASELINE_PERIOD = "2024"
P, C = ("province",), ("commune",)
_PROC, _DIG = "procedures", "digital_government"

TARGETS = (
    Target("DVC-01", "online_rate", _DIG, None, 35, (("2025", ">=", 50), ("2030", ">=", 80))),
    Target("DVC-01-T", "online_rate", _DIG, P, 40, (("2025", ">=", 60), ("2030", ">=", 90))),
    Target("DVC-01-X", "online_rate", _DIG, C, 30, (("2025", ">=", 45), ("2030", ">=", 70))),
    Target("DVC-01-H", "online_rate", _DIG, None, None,
           (("2025-06", ">=", 40), ("2025", ">=", 50))),
    Target("DVC-01-G", "online_rate", _DIG, None, 35, (("2025", ">=", 10),), "absolute"),
    Target("TTHC-01", "on_time_rate", _PROC, None, 90, (("2025", ">=", 95), ("2030", ">=", 98))),
    Target("TTHC-01-T", "on_time_rate", _PROC, P, 92, (("2025", ">=", 97),)),
    Target("TTHC-01-X", "on_time_rate", _PROC, C, 88, (("2025", ">=", 93),)),
    Target("TTHC-01-Q", "on_time_rate", _PROC, None, 88,
           (("2025-03", ">=", 90), ("2025-09", ">=", 93), ("2025", ">=", 95))),
    Target("TTHC-01-N", "on_time_rate", _PROC, None, None, (("2025", ">=", 95),)),
    Target("TTHC-02", "late_rate", _PROC, None, 8, (("2025", "<=", 5), ("2030", "<=", 2))),
    Target("TTHC-02-T", "late_rate", _PROC, P, 7, (("2025", "<=", 4),)),
    Target("TTHC-02-X", "late_rate", _PROC, C, 9, (("2025", "<=", 6),)),
    Target("TTHC-02-G", "late_rate", _PROC, None, 8, (("2025", "<=", -3),), "absolute"),
    Target("TTHC-02-N", "late_rate", _PROC, None, None, (("2025-06", "<=", 6), ("2025", "<=", 5))),
    Target("CS766-02", "progress_rate", _PROC, None, 85, (("2025", ">=", 90), ("2030", ">=", 95))),
    Target("CS766-02-T", "progress_rate", _PROC, P, 88, (("2025", ">=", 92),)),
    Target("CS766-02-X", "progress_rate", _PROC, C, 84, (("2025", ">=", 88),)),
    Target("CS766-02-N", "progress_rate", _PROC, None, None, (("2025", ">=", 90),)),
    Target("CS766-02-G", "progress_rate", _PROC, None, 85, (("2025", ">=", 3),), "percent"),
    Target("TTTT-01", "online_payment_rate", _DIG, None, 25,
           (("2025", ">=", 30), ("2030", ">=", 50))),
    Target("TTTT-01-T", "online_payment_rate", _DIG, P, 28,
           (("2025", ">=", 35), ("2030", ">=", 60))),
    Target("TTTT-01-X", "online_payment_rate", _DIG, C, 20, (("2025", ">=", 30),)),
    Target("TTTT-01-N", "online_payment_rate", _DIG, None, None, (("2025", ">=", 30),)),
    Target("TTTT-01-H", "online_payment_rate", _DIG, None, 22,
           (("2025-06", ">=", 25), ("2025", ">=", 30))),
    Target("SH-01", "digital_result_rate", _DIG, None, 60,
           (("2025", ">=", 80), ("2030", ">=", 100))),
    Target("SH-01-T", "digital_result_rate", _DIG, P, 65, (("2025", ">=", 85),)),
    Target("SH-01-X", "digital_result_rate", _DIG, C, 55, (("2025", ">=", 75),)),
    Target("SH-01-N", "digital_result_rate", _DIG, None, None, (("2025", ">=", 80),)),
    Target("SH-01-G", "digital_result_rate", _DIG, None, 60, (("2025", ">=", 15),), "absolute"),
    Target("PAKN-01", "complaint_resolution_rate", _PROC, P, 80,
           (("2025", ">=", 90), ("2030", ">=", 95))),
    Target("PAKN-01-N", "complaint_resolution_rate", _PROC, P, None, (("2025", ">=", 90),)),
    Target("PAKN-01-H", "complaint_resolution_rate", _PROC, P, 78,
           (("2025-06", ">=", 85), ("2025", ">=", 90))),
    Target("PAKN-01-G", "complaint_resolution_rate", _PROC, P, 80, (("2025", ">=", 5),),
           "absolute"),
    Target("PAKN-05", "complaint_resolution_rate", _PROC, None, None, (("2025", ">=", 90),)),
    Target("SIPAS-01", "satisfaction_rate", _PROC, None, 84,
           (("2025", ">=", 90), ("2030", ">=", 95))),
    Target("SIPAS-01-T", "satisfaction_rate", _PROC, P, 85, (("2025", ">=", 90),)),
    Target("SIPAS-01-X", "satisfaction_rate", _PROC, C, 82, (("2025", ">=", 85),)),
    Target("SIPAS-01-N", "satisfaction_rate", _PROC, None, None, (("2025", ">=", 90),)),
    Target("SIPAS-02-X", "satisfaction_rate", _PROC, C, 80, (("2025", ">=", 85),)),
)

_LEVEL_WORDS = {None: "", P: " (cấp tỉnh)", C: " (cấp xã)"}
_CHANGE_WORDS = {None: "", "absolute": ", tăng/giảm so với năm 2024 (điểm %)",
                 "percent": ", tăng/giảm so với năm 2024 (%)"}


def scaled_targets(scale: float = 1.0) -> tuple[Target, ...]:
    """A spread subset of the 40 targets (scale < 1) or copies under new ids (scale > 1)."""
    n = max(1, round(len(TARGETS) * scale))
    if n <= len(TARGETS):
        return tuple(TARGETS[i * len(TARGETS) // n] for i in range(n))
    copies = []
    for i in range(n):
        k, t = divmod(i, len(TARGETS))
        copies.append(replace(TARGETS[t], id=f"{TARGETS[t].id}-K{k + 1}") if k else TARGETS[t])
    return tuple(copies)


def ruleset_document(targets: tuple[Target, ...] = TARGETS) -> dict:
    """The ruleset as plain data, ready for YAML (spec §1)."""
    metrics: dict[str, dict] = {k: {"label": v, "unit": "count"} for k, v in RAW.items()}
    for rate in RATES:
        metrics[rate.id] = {"label": rate.label, "unit": "percent", "formula": rate.formula}
    entries = []
    for t in targets:
        first = t.milestones[0]
        title = (f"{RATE_BY_ID[t.metric].label} {first[1]} {first[2]:g}% đến {first[0]}"
                 f"{_LEVEL_WORDS[t.levels]}{_CHANGE_WORDS[t.change]}")
        entry: dict = {"id": t.id, "title": title, "area": t.area, "metric": t.metric}
        if t.levels is not None:
            entry["levels"] = list(t.levels)
        if t.change is not None:
            entry["change"] = t.change
        if t.baseline is not None:
            entry["baseline"] = {"period": BASELINE_PERIOD, "value": t.baseline}
        entry["milestones"] = [{"by": by, "op": op, "value": v} for by, op, v in t.milestones]
        entry["source"] = "Bộ dữ liệu đo hiệu năng (sinh ngẫu nhiên có hạt giống)"
        entries.append(entry)
    return {
        "ruleset": "bench-national-2025",
        "title": "Đo hiệu năng: chỉ tiêu CCHC toàn quốc theo tháng, 34 tỉnh và 3.321 xã",
        "issuer": "cchc-rules benchmark",
        "source": "bench/generate.py",
        "metrics": metrics,
        "checks": [{"id": cid, "assert": text} for cid, text in CHECKS],
        "targets": entries,
    }


# Decision 766-like groups for the scored variant of the workload.
_GROUPS = (("progress", "Tiến độ, kết quả giải quyết"), ("online", "Dịch vụ trực tuyến"),
           ("digital", "Số hóa hồ sơ"), ("satisfaction", "Mức độ hài lòng"),
           ("targets", "Thực hiện chỉ tiêu"))
_RATE_GROUP = {"online_rate": "online", "on_time_rate": "progress", "late_rate": "progress",
               "progress_rate": "progress", "online_payment_rate": "online",
               "digital_result_rate": "digital", "complaint_resolution_rate": "satisfaction",
               "satisfaction_rate": "satisfaction"}


def scoring_document(targets: tuple[Target, ...] = TARGETS, count: int = 40) -> dict:
    """A spec §7 `scoring` block of `count` indicators over the workload: per rate one
    proportional (`full_at`, lower-is-better for the late rate) and one `steps` indicator,
    the rest `by_status` on the targets in turn; five groups, bands A/B/C."""
    indicators: list[dict] = []
    for rate in RATES:
        group = _RATE_GROUP[rate.id]
        lower = rate.id == "late_rate"
        indicators.append({"id": f"{rate.id}.p", "title": f"{rate.label} (tỷ lệ)",
                           "group": group, "metric": rate.id, "max": 5,
                           **({"full_at": 0, "zero_at": 20} if lower else {"full_at": 90}),
                           "when_invalid": "exclude"})
        indicators.append({"id": f"{rate.id}.s", "title": f"{rate.label} (bậc)",
                           "group": group, "metric": rate.id, "max": 2,
                           "steps": [{"op": "<=" if lower else ">=", "value": 5 if lower else 90,
                                      "points": 2},
                                     {"op": "<=" if lower else ">=", "value": 10 if lower else 70,
                                      "points": 1}]})
    for i in range(max(0, count - len(indicators))):
        target = targets[i % len(targets)]
        indicators.append({"id": f"T{i + 1}.{target.id}", "title": f"Chỉ tiêu {target.id}",
                           "group": "targets", "target": target.id, "max": 3,
                           "by_status": {"met": 3, "on_track": 2, "off_track": 1}})
    return {"scale": 100, "bands": [{"id": "A", "min": 90}, {"id": "B", "min": 80},
                                    {"id": "C", "min": 0}],
            "groups": [{"id": g, "title": title} for g, title in _GROUPS],
            "indicators": indicators[:count]}
