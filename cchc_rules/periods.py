"""Data stage: reporting periods as calendar spans — "2024", "2024-H1", "2024-Q1", "2024-03".

A `Period` knows its first and last days, its kind, its place among the periods of its kind
(`ordinal`, `shift`), whether it contains another, and the shorter periods that tile it. The
ranges of spec §5 ("2024-01/2024-09", "2024-Q1/2024-Q3", kind "range") and ISO date ranges
("2021-09-28/2024-08-31", both days included) are periods too, in every input.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache, total_ordering

from .messages import N_, _, translate

KINDS = ("year", "half", "quarter", "month")   # calendar kinds, longest first
RANGE = "range"                                 # START/END of two calendar periods (spec §5)
MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}  # months in one period of a kind
_RANK = {kind: i for i, kind in enumerate((*KINDS, RANGE))}
# One calendar period, as the JSON Schema of the ruleset spells it for editors.
_ONE = r"\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?"
_DAY = r"\d{4}-\d{2}-\d{2}"
PATTERN = rf"^{_ONE}$"
# Any period an input accepts: one calendar period, a range of two, or a range of two days.
RANGE_PATTERN = rf"^({_ONE}|{_ONE}/{_ONE}|{_DAY}/{_DAY})$"
_MATCH = re.compile(PATTERN).match
_DAY_MATCH = re.compile(rf"^{_DAY}$").match
_EXPECTED = N_('expected "2024", "2024-H1", "2024-Q1" or "2024-03"')


@total_ordering
@dataclass(frozen=True)
class Period:
    """A span of days, both ends included: whole months, except for an ISO date range.

    Order (`key`): by last day, then by first day (of periods ending together the longer comes
    first), then by kind, then by text. So a period that ends before another sorts before it,
    and of two periods that end on the same day the one containing the other sorts first.
    """

    text: str
    kind: str  # one of KINDS, or RANGE
    start: date
    end: date

    def __str__(self) -> str:
        return self.text

    @property
    def key(self) -> tuple[date, date, int, str]:
        return self.end, self.start, _RANK[self.kind], self.text

    def __lt__(self, other: Period) -> bool:
        return self.key < other.key

    @property
    def ordinal(self) -> int:
        """Position among the periods of the same calendar kind (consecutive periods differ by
        one): 2024-Q1 is one after 2023-Q4. ValueError for a range."""
        return _month_index(self.start) // _months(self)

    def shift(self, steps: int) -> Period:
        """The period of the same kind `steps` later (earlier when negative): 2025-Q3 shifted
        by -1 is 2025-Q2, by -4 it is 2024-Q3. ValueError for a range."""
        return _nth(self.kind, self.ordinal + steps)

    def contains(self, other: Period) -> bool:
        """Every day of `other` lies in this period (a period contains itself)."""
        return self.start <= other.start and other.end <= self.end

    def sub_periods(self, kind: str) -> tuple[Period, ...]:
        """The periods of calendar `kind` that tile this one, in order: 2024 → four quarters,
        2024-H1 → six months, 2024-Q1/2024-Q2 → two quarters. ValueError when they cannot
        (a quarter into halves)."""
        step = MONTHS[kind]
        first, last = _month_index(self.start), _month_index(self.end) + 1
        if first % step or last % step:
            raise ValueError(_("'{text}' is not made of whole {plural}").format(
                               text=self.text, plural=_plural(kind)))
        return tuple(_nth(kind, i) for i in range(first // step, last // step))

    @classmethod
    def between(cls, first: Period, last: Period) -> Period:
        """The range from the start of `first` to the end of `last` (spec §5)."""
        if first.kind == RANGE or last.kind == RANGE:
            raise ValueError(_("a range is made of two periods, not of ranges"))
        if last.end < first.start or last.start < first.start:
            raise ValueError(_("'{text}/{text2}' ends before it starts").format(
                               text=first.text, text2=last.text))
        if last.end < first.end:
            # "2024/2024-03": the second part lies inside the first; no order says what it means
            raise ValueError(_("'{text}/{text2}' ends before its first part ends").format(
                               text=first.text, text2=last.text))
        return cls(f"{first.text}/{last.text}", RANGE, first.start, last.end)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _months(period: Period) -> int:
    if period.kind not in MONTHS:
        raise ValueError(_("'{text}' is a range, not one period of a kind").format(
                           text=period.text))
    return MONTHS[period.kind]


def _plural(kind: str) -> str:
    return {"year": _("years"), "half": _("halves"), "quarter": _("quarters"),
            "month": _("months")}.get(kind, kind + "s")


def _nth(kind: str, ordinal: int) -> Period:
    """The period of `kind` at `ordinal` (see Period.ordinal)."""
    year, index = divmod(ordinal, 12 // MONTHS[kind])
    suffix = {"year": "", "half": f"-H{index + 1}", "quarter": f"-Q{index + 1}",
              "month": f"-{index + 1:02d}"}[kind]
    return parse_period(f"{year:04d}{suffix}")


# Vietnamese period names as reports and `cchc form` write them (issue 23): each pattern, on
# the lower-cased text with spaces collapsed, gives the canonical period.
_ROMAN_NUMBERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_SEP = r"\s*(?:/|-|nam|,)\s*"
# On the text without diacritics (quý → quy, đầu → dau), so "Quy I/2024" reads too.
_VI_NAMES = (
    # "Quý I/2024", "Quý 1 năm 2024", "quý II - 2024"
    (re.compile(rf"quy\s*(iv|iii|ii|i|[1-4]){_SEP}(?:nam\s*)?(\d{{4}})"),
     lambda m: f"{m[2]}-Q{_ROMAN_NUMBERS[m[1]]}"),
    # "6 tháng đầu năm 2024", "sáu tháng cuối năm 2024", "6 tháng năm 2024"
    (re.compile(r"(?:6|sau)\s*thang\s*(dau|cuoi)?\s*nam\s*(\d{4})"),
     lambda m: f"{m[2]}-H{2 if m[1] == 'cuoi' else 1}"),
    # "9 tháng năm 2024", "9 tháng đầu năm 2024": year to date, a range (spec §5)
    (re.compile(r"(\d{1,2})\s*thang\s*(?:dau\s*)?nam\s*(\d{4})"), lambda m: _to_date(m)),
    # "Tháng 3/2024", "tháng 03 năm 2024"
    (re.compile(rf"thang\s*(\d{{1,2}}){_SEP}(?:nam\s*)?(\d{{4}})"),
     lambda m: f"{m[2]}-{int(m[1]):02d}" if 1 <= int(m[1]) <= 12 else None),
    # "Năm 2024", "năm 2024"
    (re.compile(r"nam\s*(\d{4})"), lambda m: m[1]),
)
# Words that say a text means to be a Vietnamese period name (for the hint of a bad one).
VI_WORDS = ("quy", "thang", "nam")
VI_EXAMPLES = '"Quý I/2024", "6 tháng đầu năm 2024", "9 tháng năm 2024", "Tháng 3/2024", ' \
    '"Năm 2024"'


def plain(text: str) -> str:
    """Lower case, spaces collapsed, without diacritics (đ as d): "Quý I" → "quy i"."""
    import unicodedata
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _to_date(m: re.Match) -> str | None:
    """"N tháng (đầu) năm Y": the first N months of Y — Q1, H1, the year, else a range."""
    months, year = int(m[1]), m[2]
    if not 1 <= months <= 12:
        return None
    named = {1: f"{year}-01", 3: f"{year}-Q1", 6: f"{year}-H1", 12: year}
    return named.get(months, f"{year}-01/{year}-{months:02d}")


def from_vietnamese(text: object) -> str | None:
    """The canonical period a Vietnamese period name means ("Quý I/2024" → "2024-Q1",
    "9 tháng năm 2024" → "2024-01/2024-09"); None when `text` is no such name."""
    if not isinstance(text, str):
        return None
    clean = plain(text)
    if not any(word in clean for word in VI_WORDS):
        return None
    for pattern, build in _VI_NAMES:
        m = pattern.fullmatch(clean)
        if m:
            return build(m)
    return None


def canonical(text: str) -> str:
    """`text` as the canonical period text when it is a Vietnamese name, else itself."""
    return from_vietnamese(text) or text


@lru_cache(maxsize=4096)
def parse_period(text: str, *, ranges: bool = True) -> Period:
    """Parse a period string; ValueError with a planner-readable message otherwise.
    Accepts "START/END" of two periods (spec §5) or of two ISO dates unless `ranges=False`,
    and the Vietnamese names of `from_vietnamese` (the Period's text is the canonical one)."""
    named = from_vietnamese(text)
    if named is not None:
        return parse_period(named, ranges=ranges)
    if ranges and isinstance(text, str) and "/" in text:
        head, _slash, tail = text.strip().partition("/")
        if _DAY_MATCH(head) and _DAY_MATCH(tail):
            return _day_range(text.strip(), head, tail)
        if is_period(head):   # "Q1/2024" stays one bad period, with its rewrite hint
            try:
                return Period.between(parse_period(head), parse_period(tail))
            except ValueError as err:
                raise ValueError(_("'{text}' is not a period range: {err}").format(
                                   text=text, err=err)) from None
    clean = text.strip() if isinstance(text, str) else None
    if clean is None or not _MATCH(clean):
        raise ValueError(_("'{text}' is not a period; {EXPECTED}").format(
                           text=text, EXPECTED=translate(_EXPECTED)))
    year, mark = int(clean[:4]), clean[5:6]
    if mark == "H":
        half = int(clean[6])
        first, last, kind = 6 * half - 5, 6 * half, "half"
    elif mark == "Q":
        q = int(clean[6])
        first, last, kind = 3 * q - 2, 3 * q, "quarter"
    elif mark:
        first = last = int(clean[5:])
        kind = "month"
    else:
        first, last, kind = 1, 12, "year"
    end = date(year, last, calendar.monthrange(year, last)[1])
    return Period(clean, kind, date(year, first, 1), end)


def _day_range(text: str, first: str, last: str) -> Period:
    """"2021-09-28/2024-08-31": from the first day to the last, both included."""
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as err:
        raise ValueError(_("'{text}' is not a date range: {err}").format(
                           text=text, err=err)) from None
    if end < start:
        raise ValueError(_("'{text}' is not a date range: it ends before it starts").format(
                           text=text))
    return Period(text, RANGE, start, end)


def is_period(text: object, *, ranges: bool = True) -> bool:
    try:
        parse_period(text, ranges=ranges)   # anything else is a ValueError too
    except ValueError:
        return False
    return True


def period_key(text: str) -> tuple[date, date, int, str]:
    """Sort key for period strings: the order of `Period` (by last day, then first day)."""
    return parse_period(text).key


def day_after(day: date) -> date:
    """The next day; the last representable day (9999-12-31, "never ends") stays itself, so
    a unit valid to 9999-12-31 is one that never ends, not an OverflowError."""
    return day if day == date.max else date.fromordinal(day.toordinal() + 1)


def midnight_after(day: date) -> datetime:
    """The first local moment after `day`. The last representable day (9999-12-31) has no
    next one: datetime.max ("never ends"), not an OverflowError."""
    if day == date.max:
        return datetime.max
    return datetime.combine(day + timedelta(days=1), time())


def moment_after(period: Period) -> datetime:
    """The first local moment after `period`: midnight after its last day."""
    return midnight_after(period.end)


def local_time(moment: datetime, offset: int) -> datetime:
    """`moment` as a wall-clock time `offset` hours ahead of UTC, without a zone (a naive
    moment is taken as that wall-clock time already)."""
    if moment.tzinfo is None:
        return moment
    return (moment.astimezone(UTC) + timedelta(hours=offset)).replace(tzinfo=None)
