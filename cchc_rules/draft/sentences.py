"""Draft stage: the document walked sentence by sentence, each target sentence structured —
metric words, operator, value, unit, deadline (from the sentence, else from the section
heading or the text before it), baseline and change, every period, levels, sub-targets — and
what was assumed or not understood written down as review notes, never assumed silently.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ..messages import _
from . import patterns as p
from .documents import Block
from .text import normalise

AREA_WORDS = {
    "institutions": r"thể chế|văn bản quy phạm pháp luật|xây dựng pháp luật",
    "procedures": r"thủ tục hành chính|tthc|một cửa|dịch vụ công|hồ sơ",
    "organization": r"tổ chức bộ máy|bộ máy|biên chế|sắp xếp|đơn vị sự nghiệp công lập",
    "civil_service": r"công vụ|công chức|viên chức|cán bộ|đào tạo|bồi dưỡng",
    "public_finance": r"tài chính công|ngân sách|chi thường xuyên|tự chủ tài chính|tự bảo đảm",
    "digital_government": r"chính phủ điện tử|chính quyền điện tử|chính phủ số|chính quyền số|"
                          r"chuyển đổi số|số hóa|môi trường mạng|dữ liệu|định danh|kinh tế số|"
                          r"xã hội số|thương mại điện tử|điện tử|internet|cáp quang|phủ sóng|"
                          r"điện thoại thông minh|nền tảng số|an toàn thông tin|dti",
}
# the whole-reform indices (PAR INDEX, SIPAS, PAPI, PCI) name no one area: they are filed, as
# the hand-made rulesets do, under the first area of the plan's general objective
_INDEX_AREA = ("institutions", r"chỉ số cải cách hành chính|par index|sipas|papi|pci|"
                               r"dẫn đầu (?:cả nước )?về cải cách hành chính")
# a plan whose title names one area: its targets are of that area unless a section says not
_TITLE_AREA = {"digital_government": r"chuyển đổi số|chính (?:quyền|phủ) (?:số|điện tử)|"
                                     r"đề án 06"}
# a section of the plan names its area first: "Thứ hai, về cải cách thủ tục hành chính"
_SECTION_AREA = {
    "institutions": r"(?:cải cách )?thể chế",
    "procedures": r"(?:cải cách )?thủ tục hành chính",
    "organization": r"(?:cải cách )?tổ chức bộ máy",
    "civil_service": r"(?:cải cách )?chế độ công vụ|xây dựng và nâng cao chất lượng đội ngũ",
    "public_finance": r"(?:cải cách )?tài chính công",
    "digital_government": r"(?:xây dựng,? phát triển )?chính (?:phủ|quyền) (?:điện tử|số)|"
                          r"chuyển đổi số",
}
_INTRO = re.compile(r"^(?:thứ (?:nhất|hai|ba|tư|năm|sáu|bảy|tám)|về|mục tiêu về|"
                    r"[0-9]+(?:\.[0-9]+)*\.?|[a-zđ]\)|[ivx]+\.)[\s,.:-]*(?:về\s+)?", re.I)
_SENTENCE_END = re.compile(r"(?<!\bTP\.)(?<!\bTp\.)(?<!\bTX\.)(?<!\bTT\.)(?<=[.!?])\s+"
                           r"(?=[\"'(\[]?[A-ZĐÀ-Ỹ0-9])")
_CUES = re.compile(r"\b(?:phấn đấu|hoàn thành|duy trì|nâng cao|cải thiện|hoàn thiện|nâng hạng|"
                   r"giữ vững|bảo đảm|đảm bảo|sẽ|(?<!định )hướng (?:đến|tới)|đặt mục tiêu)\b")
_SEPARATOR = re.compile(r"[,;]|\bvà\b|\bđồng thời\b")
_OP_TAIL = re.compile(r"\b(?:đạt|tối thiểu|ít nhất|từ|trên|dưới|hơn|lên|xuống|còn|là|có|"
                      r"không quá|tối đa|phấn đấu)\b")


@dataclass
class Drafted:
    """One drafted target before it is named and written."""

    quote: str                  # the sentence as written
    place: str                  # page or paragraph
    title: str
    kind: str                   # percent, rank, days, count, change: what the metric measures
    op: str | None = None
    value: float | tuple[float, float] | None = None
    deadline: str | None = None
    deadline_from: str | None = None    # where the deadline was read, when not in the sentence
    every_period_from: str | None = None
    change: str | None = None
    baseline: str | None = None
    levels: list[str] | None = None
    area: str | None = None
    qualitative: bool = False
    sub: bool = False
    phrase: str = ""            # the words naming the metric
    notes: list[str] = field(default_factory=list)
    metric: str | None = None
    line: int | None = None


@dataclass
class _Context:
    deadline: tuple[str, str] | None = None   # year, where it was read
    start: str | None = None                  # first year of the section's period
    area: str | None = None
    plan: tuple[str, str] | None = None       # the plan's span from its title
    single_year: str | None = None            # "Kế hoạch CCHC năm 2025"
    title: Block | None = None                # the plan's name: no qualitative target


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def draft_blocks(blocks: list[Block]) -> list[Drafted]:
    """Every target sentence of the document, structured as far as the patterns reach."""
    context = _Context()
    if blocks:
        context.title = blocks[0]
        title = normalise(blocks[0].text).lower()
        context.plan = p.span(title)
        horizon = p.ORIENTATION.sub(" ", title)   # "định hướng đến năm 2030" is no deadline
        years = re.findall(r"năm\s+(20\d\d)", horizon) or re.findall(r"năm\s+(20\d\d)", title)
        if context.plan is None and years:
            context.single_year = years[-1]
            context.deadline = (years[-1], blocks[0].place())
            context.start = years[-1]
        elif context.plan:
            context.start = context.plan[0]
        context.area = next((a for a, w in _TITLE_AREA.items() if re.search(w, title)), None)
    drafted: list[Drafted] = []
    for block in blocks:
        text = normalise(block.text)
        low = text.lower()
        _section(low, block, context)
        if block.heading and not p.find_values(low):
            continue
        for sentence in split_sentences(block.text):
            drafted += _sentence(sentence, block, context, drafted)
    return drafted


def _section(low: str, block: Block, context: _Context) -> None:
    """A heading or a section's opening words set the area and the period that follows."""
    intro = _INTRO.match(low)
    if block.heading or intro:
        head = low[intro.end():][:90] if intro else low[:120]
        for area, words in _SECTION_AREA.items():
            if re.match(rf"(?:cải cách |về |xây dựng )?(?:{words})", head) or \
                    (block.heading and re.search(words, head)):
                context.area = area
                break
    if block.heading:
        found = p.span(low)
        if found:
            context.start, year = found
            context.deadline = (year, block.place())


def _sentence(sentence: str, block: Block, context: _Context,
              before: list[Drafted]) -> list[Drafted]:
    written = normalise(sentence)
    text = written.lower()
    if len(text) != len(written):
        written = text
    stated = p.deadlines(text)
    values = [v for v in p.find_values(text) if not _is_result(text, v)]
    out: list[Drafted] = []
    found = p.span(text)
    if found:
        context.start = found[0]
    if not values and block is not context.title:
        rank = p.RANK_NO_NUMBER.search(text)
        if rank or (_CUES.search(text) and (stated or context.deadline)):
            item = _new(sentence, block, written, "percent", context)
            item.qualitative = True
            item.deadline = stated[-1][1] if stated else None
            item.notes.append(_("a rank without a number («{words}»): give the place the "
                                "plan means").format(words=rank.group(0)) if rank else
                              _("no figure in the sentence: a qualitative target"))
            out.append(item)
    segments = _segments(text, values)
    for (seg_start, seg_end), value in segments:
        segment = text[seg_start:seg_end]
        item = _new(sentence, block, written[seg_start:seg_end], value.unit, context)
        # "… 80% …, trong đó 30% …": a share of the group just named; "trong đó phấn đấu …"
        # with no figure before it in the sentence only opens a list of targets
        item.sub = (bool(p.SUBTARGET.match(segment.strip(" ,"))) and
                    any(v.end <= seg_start for v in values)) or \
            (seg_start == 0 and bool(p.SUBTARGET.match(text)) and bool(before) and
             bool(before[-1].quote) and not _CUES.search(text))
        item.phrase = _phrase(segment, value, seg_start)
        _deadline(item, text, stated, value, context, (seg_start, seg_end))
        _operator(item, text[:value.start], segment, value, text)
        _every_period(item, text[:value.start], context)
        out.append(item)
    _levels(out)
    leftover = [part.strip(" ,.") for part in re.split(r";|\bđồng thời\b", text)
                if values and _CUES.search(part) and not p.find_values(part)]
    for item in out:
        for part in leftover:
            item.notes.append(_("part of the sentence has no figure and was not drafted: "
                                "«{words}»").format(words=part[:80]))
        if item.sub:
            item.notes.append(_("a sub-target («trong đó»): a share of the group named just "
                                "before, so its metric's denominator is that group"))
        if item.area is None:
            item.area = _area_from_words(item.phrase) or _area_from_words(text)
        exclusion = p.EXCLUSION.search(text)
        if exclusion and not item.qualitative:
            item.notes.append(_("the plan leaves out «{words}»: the metric must count without "
                                "them").format(words=exclusion.group(1).strip(" ,.")))
    unread = _unread(text, values)
    for item in out:
        for words in unread:
            item.notes.append(_("a figure of the sentence was not read: «{words}»; add it "
                                "as a target if the plan means one").format(words=words))
    # what the next sentences inherit: a sentence with no figure ("… đến năm 2025, định hướng
    # đến năm 2030") passes on its horizon, not its orientation, unless that is all it states
    # ("Định hướng đến năm 2030, tiếp tục …")
    oriented = [m.span() for m in p.ORIENTATION.finditer(text)] if not values else []
    carried = [d for d in stated if not any(a <= d[0] < b for a, b in oriented)] or stated
    if carried:
        context.deadline = (carried[-1][1], block.place())
    return out


def _unread(text: str, values: list[p.Value]) -> list[str]:
    """Figures with a unit ('10 đến 15 bậc', '5 điểm') that no value covers: said, so a
    target the patterns do not know is never dropped silently."""
    out = []
    for m in p.FIGURE.finditer(text):
        if not any(v.start <= m.start() < v.end for v in values):
            out.append(text[max(0, m.start() - 30):m.end()].strip(" ,;."))
    return out


_RESULT = re.compile(r"\b(?:đã\s+(?:đạt|có|thực hiện|giải quyết)|"
                     r"đạt được(?!\s+(?:mục tiêu|chỉ tiêu))|ước\s+(?:đạt|tính|khoảng)|"
                     r"(?P<share>chiếm))\b[^,;.]{0,25}$")
_GOAL = re.compile(r"mục tiêu|chỉ tiêu|phấn đấu|kế hoạch|đến năm|hướng đến|hướng tới")


def _is_result(text: str, value: p.Value) -> bool:
    """A figure already reached ('đã đạt 95%', 'ước đạt hơn 7%'); 'chiếm 30%' is one unless
    the sentence set it as a goal before ('đặt mục tiêu … kinh tế số chiếm 30% GRDP')."""
    head = text[:value.start] + re.split(r"\d", text[value.start:value.end], maxsplit=1)[0]
    found = _RESULT.search(head)
    if found is None:
        return False
    return not (found.group("share") and _GOAL.search(text[:found.start()]))


def _new(sentence: str, block: Block, segment: str, unit: str, context: _Context) -> Drafted:
    title = re.sub(r"^(?:trong (?:số )?đó|riêng|đồng thời|và)[,\s]+", "", segment.strip(" ,;."),
                   flags=re.IGNORECASE).strip()
    title = title[:1].upper() + title[1:]
    if len(title) > 200:
        title = title[:200].rsplit(" ", 1)[0] + " …"
    return Drafted(quote=sentence.strip(), place=block.place(), title=title or sentence,
                   kind=unit, area=context.area, line=block.line or block.paragraph)


def _segments(text: str, values: list[p.Value]) -> list[tuple[tuple[int, int], p.Value]]:
    """Each value with the stretch of the sentence it governs: a new stretch starts at a
    sub-target ('trong đó') or where a separator stands between two values."""
    cuts = [0]
    for m in p.SUBTARGET.finditer(text):
        cuts.append(m.start())
    for previous, value in itertools.pairwise(values):
        between = text[previous.end:value.start]
        separators = list(_SEPARATOR.finditer(between))
        # a ';' between them is the cut (added below): a comma after it ('của cấp huyện,
        # cấp xã đạt 30%') is inside the next target's words
        if separators and ";" not in between and \
                not any(previous.end <= c <= value.start for c in cuts[1:]):
            cut = separators[-1]
            # "…, tỷ trọng kinh tế số trong từng ngành, lĩnh vực đạt 20%": one or two words
            # after the last separator are the end of the next target's words, not all of them
            tail = _OP_TAIL.sub(" ", between[cut.end():]).split()
            if 0 < len(tail) < 3 and len(separators) > 1:
                cut = separators[-2]
            cuts.append(previous.end + cut.start())
    for clause in re.finditer(r";", text):
        cuts.append(clause.start())
    cuts = sorted(set(cuts))
    out = []
    for value in values:
        start = max(c for c in cuts if c <= value.start)
        later = [c for c in cuts if c > value.start]
        out.append(((start, later[0] if later else len(text)), value))
    return out


# what introduces a list of targets, before the words that name the metric: "…, UBND tỉnh đề
# ra một số mục tiêu:", "Về phát triển kinh tế số, tỉnh đặt mục tiêu", "Lạng Sơn phấn đấu"
_LEAD = re.compile(r"^.*(?::|\b(?:đặt mục tiêu|mục tiêu đặt ra là|đặt chỉ tiêu|đề ra (?:một số )?"
                   r"mục tiêu|phấn đấu|hướng đến|hướng tới|dự kiến)\b)\s*")


def _phrase(segment: str, value: p.Value, offset: int) -> str:
    start, end = value.start - offset, value.end - offset
    lead = _LEAD.match(segment[:start])
    before = segment[lead.end() if lead else 0:start]
    words = (before + " " + segment[end:]).strip(" ,;.")
    words = re.sub(r"\b(?:đến|tới|trước|vào) năm 20\d\d\b|\bnăm 20\d\d\b|\btrở lên\b|"
                   r"\bphấn đấu\b|\bđạt\b|\btối thiểu\b|\bít nhất\b", " ", words)
    return " ".join(p.SUBTARGET.sub(" ", words).split())


def _deadline(item: Drafted, text: str, stated: list, value: p.Value, context: _Context,
              seg: tuple[int, int]) -> None:
    """The deadline of the value's own stretch first ('tăng … năm 2020, đưa … vào nhóm 4 …
    đến năm 2025'), then the last one stated before it, then the section's."""
    # a year written just after another figure ('tăng 10 đến 15 bậc năm 2020') is that
    # figure's deadline, not this value's
    others = [m.end() for m in p.FIGURE.finditer(text) if not value.start <= m.start() < value.end]
    stated = [s for s in stated if s[0] > value.start or not any(
        0 <= s[0] - end <= 25 and not re.search(r"[,;]|\bvà\b", text[end:s[0]])
        for end in others)]
    own_before = [s for s in stated if seg[0] <= s[0] < value.start]
    later = [s for s in stated if value.end <= s[0] < seg[1]]
    earlier = [s for s in stated if s[0] < value.start]
    if own_before:
        item.deadline = own_before[-1][1]
    elif later:
        item.deadline = later[0][1]
    elif earlier:
        item.deadline = earlier[-1][1]
    elif context.deadline:
        item.deadline, item.deadline_from = context.deadline
    else:
        item.notes.append(_("no deadline in the sentence or its section: set 'by'"))


def _operator(item: Drafted, head: str, segment: str, value: p.Value, text: str) -> None:
    item.op, item.value = value.op, value.value
    if value.unit == "rank":
        item.kind, item.op = "rank", "<="
        return
    local = head[-80:]
    verbs = list(p.DECREASE.finditer(local)) + list(p.INCREASE.finditer(local))
    verb = max(verbs, key=lambda m: m.start(), default=None)
    if verb is not None and value.unit in ("percent", "count", "days"):
        down = bool(p.DECREASE.fullmatch(verb.group(0)))
        if p.TO_LEVEL.search(local[verb.end():] + " " + value.op_words):
            # "nâng tỷ lệ … đạt 50%", "giảm … xuống còn 5%": the level to reach, no change
            item.op = item.op or ("<=" if down else ">=")
            return
        _change(item, value, text, down)
        return
    if item.op is None:
        item.op = ">="
        # a bare figure is a floor, as plans mean it; said when the words name something to
        # keep low ("tỷ lệ hồ sơ trễ hạn 2%"), where a ceiling may be meant
        if p.LOWER_IS_BETTER.search(segment):
            item.notes.append(_("no operator word before {value:g}%: read as at least (≥), as "
                                "plans mean it").format(value=value.value))


def _change(item: Drafted, value: p.Value, text: str, down: bool) -> None:
    """'giảm 10% … so với năm 2021': a change on a base year; without one, the rate of the
    cut itself, as a figure to report."""
    base, other = p.baseline(text)
    if p.AVERAGE.search(text):
        item.notes.append(_("«bình quân» (on average): read as the change of the total"))
    sign = -1 if down else 1
    if isinstance(value.value, tuple):
        low, high = sorted((sign * value.value[0], sign * value.value[1]))
        bound: float | tuple[float, float] = (low, high)
        op = "between"
    else:
        bound = sign * value.value
        at_least = value.op in (None, ">=", ">")
        op = ("<=" if at_least else ">=") if down else (">=" if at_least else "<=")
        if value.op in (">", "<"):
            op = op.rstrip("=")
        if value.op is None:
            item.notes.append(_("no bound word ('ít nhất', 'tối đa'): a cut of {value:g} read "
                                "as at least that cut").format(value=value.value))
    if base and value.unit != "days":
        item.kind, item.baseline = "change", base
        item.change = "percent" if value.unit == "percent" else "absolute"
        item.op, item.value = op, bound
        return
    # no single base year: the target is the rate of the cut, reported as a figure
    item.kind = "percent" if value.unit == "percent" else value.unit
    item.op = "between" if op == "between" else ">=" if (op in ("<=", "<")) == down else "<="
    if isinstance(bound, tuple):
        low, high = sorted(bound, key=abs)
        item.value = (abs(low), abs(high))
    else:
        item.value = abs(bound)
    verb = "giảm" if down else "tăng"
    if not item.phrase.startswith(verb):
        item.phrase = f"{verb} {item.phrase}"
    item.notes.append(_("read as the rate of the {what} itself against «{base}», a figure to "
                        "report").format(what=_("cut") if down else _("increase"),
                                         base=other or _("no base named")))


def _every_period(item: Drafted, head: str, context: _Context) -> None:
    if not p.EVERY_PERIOD.search(head[-120:]) or item.deadline is None:
        return
    start = context.start if context.start and context.start <= item.deadline else None
    item.every_period_from = start or item.deadline
    if start is None:
        item.notes.append(_("«duy trì»: must hold every period of {year}; give the first year "
                            "if it holds from earlier").format(year=item.deadline))


def _levels(items: list[Drafted]) -> None:
    """'90% … cấp tỉnh; 80% … cấp huyện và 60% … cấp xã': one target per level, the metric
    words shared with the segment that has them."""
    levels = [p.level_of(i.phrase) for i in items]
    named = [lv for lv in levels if lv]
    if len(named) < 2 or len(set(named)) != len(named):
        return
    named_before = ""
    for item, level in zip(items, levels, strict=True):
        if level:
            item.levels = [level]
            if len(re.sub(p.LEVEL_WORDS[level], "", item.phrase).split()) < 3:
                item.phrase = item.phrase + " " + named_before
            else:
                named_before = item.phrase


def _area_from_words(text: str) -> str | None:
    scores = {a: len(re.findall(w, text)) for a, w in AREA_WORDS.items()}
    best = max(scores, key=lambda a: scores[a])
    if scores[best]:
        return best
    return _INDEX_AREA[0] if re.search(_INDEX_AREA[1], text) else None
