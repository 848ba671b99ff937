"""Draft stage: the Vietnamese shapes of a target — operator words, values and their units,
deadlines, baselines, ranks, ranges, "duy trì", levels and exclusions — read from one
normalised clause. Pure functions over text; `sentences.py` walks the document with them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import COUNTED, MEASURES, NUMBER, parse_number, unit_words

YEAR = r"(20\d\d|19\d\d)"

# Operator words written just before the value ("đạt tối thiểu từ 55%"): longest first.
_BEFORE = [
    (r"không (?:dưới|thấp hơn|ít hơn|nhỏ hơn)", ">="),
    (r"tối thiểu|ít nhất|thấp nhất", ">="),
    (r"không (?:quá|vượt quá|vượt|cao hơn|lớn hơn|nhiều hơn)|tối đa|nhiều nhất|cao nhất là", "<="),
    (r"trên|hơn|vượt|cao hơn|lớn hơn|nhiều hơn", ">"),
    (r"dưới|thấp hơn|ít hơn|nhỏ hơn", "<"),
    (r"từ", ">="),
    (r"đạt|phấn đấu|bằng|là|có", ">="),
]
_OP_WORDS = re.compile(r"(?:(?:" + "|".join(w for w, _ in _BEFORE) + r")\s*)+$")
_AFTER_UP = re.compile(r"^\s*(?:trở lên|trở lại đây)")
_AFTER_DOWN = re.compile(r"^\s*trở xuống")

VALUE = re.compile(rf"(?P<num>{NUMBER})\s*%")
RANGE = re.compile(rf"(?:từ\s*)?(?P<low>{NUMBER})\s*%?\s*(?:-|đến|tới)\s*(?P<high>{NUMBER})\s*%")
RANK = re.compile(r"(?:nhóm|top|tốp|tốp đầu|trong)\s*(?P<num>\d{1,2})\s*(?:tỉnh|địa phương|"
                  r"đơn vị)?[^.;]{0,30}?(?:dẫn đầu|đứng đầu|cao nhất|xếp hạng cao|đầu)|"
                  r"(?:top|tốp)\s*(?P<top>\d{1,2})\b|xếp (?:hạng|thứ)\s*(?:từ\s*)?"
                  r"(?P<place>\d{1,2})\b|"
                  # "trong nhóm 30/63 tỉnh", "thuộc nhóm 70 nước": a group of the ranking
                  r"(?:trong|thuộc|vào)\s+nhóm\s*(?P<group>\d{1,2})\s*(?:/\s*\d{2}\b|"
                  r"(?:tỉnh|địa phương|nước|quốc gia)\b)")
RANK_NO_NUMBER = re.compile(r"nhóm (?:dẫn đầu|đứng đầu|khá|tốt|xuất sắc|cao)|tốp đầu|top đầu")
DAYS = re.compile(rf"(?P<num>{NUMBER})\s*ngày(?: làm việc)?")
COUNT = re.compile(rf"(?P<num>{NUMBER})\s+(?P<noun>{unit_words(COUNTED)})\b")
# any figure with a unit word ("10 đến 15 bậc", "5 điểm", "300 xã"): what no value may leave
# unread without saying so
FIGURE = re.compile(rf"\b(?:{NUMBER})(?:\s*(?:-|đến|tới)\s*(?:{NUMBER}))?\s*(?:%|"
                    rf"{unit_words(COUNTED, MEASURES)})(?!\w)")

# "hết tháng 6-2025", "trước tháng 7/2025", "tháng 9 năm 2025": a month's deadline
MONTH_DEADLINE = re.compile(r"(?P<word>hết|đến|tới|trước|trong|cuối|vào)?\s*tháng\s*"
                            r"(?P<month>1[0-2]|0?[1-9])\s*(?:[-/.]|năm)\s*(?P<year>20\d\d)\b")
# a cited title ("“Chiến lược … giai đoạn 2021 - 2025, định hướng đến năm 2030”") states no
# deadline of the sentence
QUOTED = re.compile(r"[“\"][^”\"]{10,300}[”\"]")
# years a title gives as orientation, not as its horizon: "định hướng đến năm 2030"
ORIENTATION = re.compile(rf"(?:định hướng|tầm nhìn)\s*(?:đến\s*)?(?:năm\s*)?{YEAR}")
DEADLINE = re.compile(rf"(?P<word>đến|tới|trước|vào|trong|hết|cuối|từ nay đến)?\s*"
                      rf"(?:hết |cuối )?năm\s+{YEAR}(?!\s*[-/]\s*\d)")
PERIOD_SPAN = re.compile(rf"(?:giai đoạn|thời kỳ)\s*(?:từ\s*)?(?:năm\s*)?{YEAR}\s*(?:-|đến)\s*"
                         rf"(?:năm\s*)?{YEAR}")
SHORT_DEADLINE = re.compile(rf"(?:đến|tới|trước|vào)\s+{YEAR}\b")
BASE = re.compile(rf"so với (?:cùng kỳ )?(?:năm\s*{YEAR}|giai đoạn\s*{YEAR}\s*-\s*{YEAR}|"
                  rf"(?P<other>[^,;.]{{0,40}}))")
EVERY_PERIOD = re.compile(r"\b(?:duy trì|giữ vững|hằng năm|hàng năm|mỗi năm)\b")
DECREASE = re.compile(r"\b(?:giảm|cắt giảm|tinh giản|rút ngắn|hạ)\b")
INCREASE = re.compile(r"\b(?:tăng|nâng)\b(?!\s+(?:thêm|cao)\b)")   # "giá trị tăng thêm" names
# between the verb and the figure, the level to reach: "nâng … lên 95%", "giảm … xuống còn 5%"
TO_LEVEL = re.compile(r"\b(?:đạt|lên|xuống|còn|ở mức)\b")
# what a plan keeps low: a bare figure of these may be a ceiling
LOWER_IS_BETTER = re.compile(r"trễ hạn|quá hạn|trễ hẹn|chậm|tồn đọng|sai sót|vi phạm|khiếu nại|"
                             r"chi phí|thời gian|lỗi")
AVERAGE = re.compile(r"\bbình quân\b|\btrung bình\b")
EXCLUSION = re.compile(r"[\[(]?\s*(?:trừ|ngoại trừ|không bao gồm|không tính)\s+"
                       r"([^\])]{3,80})[\])]?")
SUBTARGET = re.compile(r"\b(?:trong đó|trong số đó|trong số này|riêng)\b,?\s*")
LEVEL_WORDS = {"province": r"cấp tỉnh|các sở, ban, ngành|sở, ngành",
               "district": r"cấp huyện", "commune": r"cấp xã"}
PAST = re.compile(r"\b(?:đã đạt|đạt được|đã có|đã thực hiện|kết quả|năm qua)\b")


@dataclass
class Value:
    """A value found in a clause: where it stands, its unit and the operator around it."""

    start: int
    end: int
    unit: str                       # percent, count, rank, days
    value: float | tuple[float, float]
    op: str | None                  # None: no operator word
    op_words: str = ""
    noun: str | None = None         # count: what is counted


def operator_before(text: str, at: int) -> tuple[str | None, str, int]:
    """The operator the words just before position `at` give, the words, and where they
    start: "đạt tối thiểu từ" → ('>=', 'đạt tối thiểu từ', start). The most telling word
    wins: a bound ('tối thiểu', 'không quá', 'trên', 'dưới') over 'từ' over 'đạt'."""
    head = text[:at].rstrip()
    match = _OP_WORDS.search(head[-60:])
    if not match or not match.group(0).strip():
        return None, "", at
    words = match.group(0).strip()
    start = len(head) - len(match.group(0))
    for pattern, op in _BEFORE:
        if re.search(rf"(?:^|\s)(?:{pattern})(?:\s|$)", words):
            return op, words, start
    return None, words, at


def find_values(text: str) -> list[Value]:
    """Every value of a clause, left to right: ranges, percents, ranks, days, counts."""
    found: list[Value] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in RANGE.finditer(text):
        low, high = parse_number(m.group("low")), parse_number(m.group("high"))
        if low < high:
            found.append(Value(m.start(), m.end(), "percent", (low, high), "between"))
            taken.append((m.start(), m.end()))
    for m in RANK.finditer(text):
        if free(m.start(), m.end()):
            number = m.group("num") or m.group("top") or m.group("place") or m.group("group")
            found.append(Value(m.start(), m.end(), "rank", float(number), "<="))
            taken.append((m.start(), m.end()))
    for m in VALUE.finditer(text):
        if free(m.start(), m.end()):
            found.append(_with_op(text, m.start(), m.end(), "percent",
                                  parse_number(m.group("num"))))
            taken.append((m.start(), m.end()))
    for m in DAYS.finditer(text):
        if free(m.start(), m.end()):
            value = _with_op(text, m.start(), m.end(), "days", parse_number(m.group("num")))
            if value.op is not None or DECREASE.search(text[:m.start()]):
                found.append(value)
                taken.append((m.start(), m.end()))
    counted: Value | None = None
    for m in COUNT.finditer(text):
        if free(m.start(), m.end()) and not re.search(r"(?:năm|số|nghị quyết|quyết định|"
                                                      r"kế hoạch)\s*$", text[:m.start()]):
            value = _with_op(text, m.start(), m.end(), "count", parse_number(m.group("num")))
            value.noun = m.group("noun")
            # "có 06 huyện, thị xã, thành phố và 300 xã": the second count of a pair shares
            # the first one's operator
            if value.op is None and counted is not None and counted.op is not None and \
                    re.fullmatch(r"[^.;]*(?:,|\bvà\b)[^.;]*", text[counted.end:m.start()]):
                value.op, value.op_words = counted.op, counted.op_words
            counted = value
            # a bare count ("6 nhóm giải pháp") is no target: only with an operator or a cut
            if value.op is not None or re.search(r"(?:giảm|cắt giảm|tinh giản|tăng)\s*$",
                                                 text[:m.start()]):
                found.append(value)
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda v: v.start)


def _with_op(text: str, start: int, end: int, unit: str, value: float) -> Value:
    op, words, op_start = operator_before(text, start)
    after = text[end:end + 20]
    if _AFTER_UP.match(after):
        op, words = (op if op in (">=", ">") else ">="), (words + " … trở lên").strip()
    elif _AFTER_DOWN.match(after):
        op, words = "<=", (words + " … trở xuống").strip()
    return Value(op_start if words else start, end, unit, value, op, words)


def level_of(text: str) -> str | None:
    """The one level a segment names ('tại cấp huyện'), None for none or several."""
    named = [level for level, words in LEVEL_WORDS.items() if re.search(words, text)]
    return named[0] if len(named) == 1 else None


def _compared(text: str, at: int) -> bool:
    """Whether the year or period at `at` is what something is compared with: 'so với' earlier
    in the same clause ('so với dự toán chi … giai đoạn 2017 - 2021')."""
    clause = re.split(r"[;,:]", text[:at])[-1]
    return "so với" in clause


def deadlines(text: str) -> list[tuple[int, str, str]]:
    """(position, period, words) of every deadline a clause states; a base year ('so với năm
    2021') or a year inside a cited title is none. 'trước năm 2026' is by the end of 2025;
    'hết tháng 6-2025' is the month 2025-06."""
    out = []
    quoted = [(m.start(), m.end()) for m in QUOTED.finditer(text)]

    def cited(at: int) -> bool:
        return any(a <= at < b for a, b in quoted)

    months = []
    for m in MONTH_DEADLINE.finditer(text):
        if cited(m.start()) or _compared(text, m.start()):
            continue
        year, month = int(m.group("year")), int(m.group("month"))
        if m.group("word") == "trước":
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append((m.start(), m.end()))
        out.append((m.start(), f"{year}-{month:02d}", m.group(0).strip()))
    for m in DEADLINE.finditer(text):
        if _compared(text, m.start()) or cited(m.start()) or \
                any(a <= m.start() < b for a, b in months):
            continue
        year = int(m.group(2) if m.lastindex and m.lastindex >= 2 else m.group(1))
        word = (m.group("word") or "")
        if word == "trước":
            year -= 1
        out.append((m.start(), str(year), m.group(0).strip()))
    for m in SHORT_DEADLINE.finditer(text):
        if not any(abs(p - m.start()) < 8 for p, _, _ in out) and \
                not _compared(text, m.start()) and not cited(m.start()):
            year = int(m.group(1)) - (1 if m.group(0).startswith("trước") else 0)
            out.append((m.start(), str(year), m.group(0).strip()))
    for m in PERIOD_SPAN.finditer(text):
        if not _compared(text, m.start()) and not cited(m.start()):
            out.append((m.start(), m.group(2), m.group(0).strip()))
    return sorted(out)


def span(text: str) -> tuple[str, str] | None:
    """The first 'giai đoạn 2026 - 2027' of a text that is no base period nor inside a cited
    title: (start, end)."""
    quoted = [(q.start(), q.end()) for q in QUOTED.finditer(text)]
    for m in PERIOD_SPAN.finditer(text):
        if not _compared(text, m.start()) and not any(a <= m.start() < b for a, b in quoted):
            return m.group(1), m.group(2)
    return None


def baseline(text: str) -> tuple[str | None, str | None]:
    """('2021', None) for 'so với năm 2021'; (None, words) for a base that is no single year
    ('so với giai đoạn 2016 - 2020', 'so với cùng kỳ'); (None, None) for none."""
    m = BASE.search(text)
    if not m:
        return None, None
    if m.group(1):
        return m.group(1), None
    return None, m.group(0).strip()
