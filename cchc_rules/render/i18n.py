"""Render stage: the report's own words in vi and en (number formatting: `present.py`).

Ruleset labels (titles, metric labels, unit names) are shown as written; only the
report's fixed vocabulary (status names, the six reform areas, headings) is translated.
"""
from __future__ import annotations

from ..domain import Area, Level, Status
from ..errors import CchcError, did_you_mean
from ..messages import _
from ..present import Formatter

__all__ = ["LANGS", "Formatter", "check_lang", "in_lang", "words"]

LANGS = ("vi", "en")

# key -> (vi, en)
_WORDS: dict[str, tuple[str, str]] = {
    "status.met": ("Đạt", "Met"),
    "status.not_met": ("Không đạt", "Not met"),
    "status.on_track": ("Đúng tiến độ", "On track"),
    "status.off_track": ("Chậm tiến độ", "Off track"),
    "status.pending": ("Chưa đến hạn", "Pending"),
    "status.no_data": ("Thiếu số liệu", "No data"),
    "status.invalid": ("Không tính được", "Invalid"),
    "status.not_applicable": ("Không áp dụng", "Not applicable"),
    "area.institutions": ("Cải cách thể chế", "Institutions"),
    "area.procedures": ("Cải cách thủ tục hành chính", "Administrative procedures"),
    "area.organization": ("Cải cách tổ chức bộ máy", "Organization"),
    "area.civil_service": ("Cải cách chế độ công vụ", "Civil service"),
    "area.public_finance": ("Cải cách tài chính công", "Public finance"),
    "area.digital_government": ("Chính phủ điện tử, chính phủ số", "Digital government"),
    "level.province": ("cấp tỉnh", "province"),
    "level.district": ("cấp huyện", "district"),
    "level.commune": ("cấp xã", "commune"),
    "report": ("Báo cáo kết quả thực hiện chỉ tiêu cải cách hành chính",
               "Administrative reform targets: compliance report"),
    "issuer": ("Cơ quan ban hành", "Issued by"),
    "source": ("Văn bản nguồn", "Source document"),
    "ruleset": ("Bộ quy tắc", "Ruleset"),
    "periods": ("Kỳ báo cáo", "Reporting periods"),
    "units": ("Đơn vị", "Units"),
    "unit": ("Đơn vị", "Unit"),
    "level": ("Cấp", "Level"),
    "contents": ("Mục lục", "Contents"),
    "summary": ("Tổng hợp", "Summary"),
    "by_status": ("Theo trạng thái", "By status"),
    "by_area": ("Theo lĩnh vực cải cách", "By reform area"),
    "by_unit": ("Xếp hạng đơn vị", "Unit ranking"),
    "appraisal.heading": ("Điểm tự đánh giá và điểm thẩm định",
                          "Self-assessed and appraised points"),
    "appraisal.note": ("Điểm thẩm định là điểm được tính; chênh lệch = điểm thẩm định − "
                       "điểm tự đánh giá (âm: bị trừ điểm khi thẩm định).",
                       "The appraised points count; difference = appraised − self-assessed "
                       "(negative: the appraisal took points off)."),
    "appraisal.self": ("Tự đánh giá", "Self-assessed"),
    "appraisal.appraised": ("Thẩm định", "Appraised"),
    "appraisal.difference": ("Chênh lệch", "Difference"),
    "appraisal.indicator": ("Tiêu chí", "Indicator"),
    "appraisal.max": ("Điểm tối đa", "Max"),
    "appraisal.total": ("Tổng", "Total"),
    "targets": ("Chỉ tiêu", "Targets"),
    "target": ("Chỉ tiêu", "Target"),
    "area": ("Lĩnh vực", "Area"),
    "metric": ("Chỉ số", "Metric"),
    "period": ("Kỳ", "Period"),
    "actual": ("Thực tế", "Actual"),
    "threshold": ("Ngưỡng", "Threshold"),
    "expected": ("Lộ trình", "Trajectory"),
    "gap": ("Chênh lệch", "Gap"),
    "needed": ("Cần thêm/bớt", "Change needed"),
    "needed_note": ("Cần thêm/bớt: số đơn vị của tử số (ví dụ số hồ sơ) phải tăng (+) hoặc giảm "
                    "(−), giữ nguyên mẫu số, để đạt mốc; chỉ có ở chỉ số dạng tỷ lệ.",
                    "Change needed: how much the ratio's numerator (e.g. dossiers) must rise "
                    "(+) or fall (−), the denominator held, to meet the milestone; ratio "
                    "metrics only."),
    "deadline": ("Thời hạn", "Deadline"),
    "baseline": ("Năm gốc", "Baseline"),
    "status": ("Trạng thái", "Status"),
    "count": ("Số lượng", "Count"),
    "total": ("Tổng", "Total"),
    "rank": ("Hạng", "Rank"),
    "score": ("Điểm đạt", "Score"),
    "score_note": ("Điểm đạt = tỷ trọng (theo trọng số) các chỉ tiêu Đạt hoặc Đúng tiến độ "
                   "trong các chỉ tiêu áp dụng, kỳ gần nhất.",
                   "Score = weighted share of applicable targets that are Met or On track, "
                   "latest period."),
    "data_quality": ("Chất lượng số liệu", "Data quality"),
    "failed_checks": ("Kiểm tra số liệu không khớp", "Failed data checks"),
    "missing_data": ("Thiếu số liệu", "Missing data"),
    "data_warnings": ("Cảnh báo về số liệu", "Warnings about the figures"),
    "missing_results": ("{n} kết quả thiếu số liệu, theo chỉ số và kỳ:",
                        "{n} results lack data, by metric and period:"),
    "unrated": ("Không liệt kê: {n} kết quả thiếu số liệu hoặc không áp dụng (xem Chất lượng "
                "số liệu).", "Not listed: {n} results without data or not applicable (see "
                "Data quality)."),
    "missing_inputs": ("Số liệu còn thiếu", "Missing figures"),
    "check": ("Kiểm tra", "Check"),
    "check.pass": ("khớp", "pass"),
    "check.fail": ("không khớp", "fail"),
    "check.no_data": ("thiếu số liệu", "no data"),
    "quiet_rows": ("{status} ({n} kết quả): {targets}", "{status} ({n} results): {targets}"),
    "left": ("Vế trái", "Left side"),
    "right": ("Vế phải", "Right side"),
    "sources": ("Nguồn số liệu", "Sources"),
    "none_found": ("Không có.", "None."),
    "appendix": ("Phụ lục: số liệu báo cáo", "Appendix: reported figures"),
    "value": ("Giá trị", "Value"),
    "file": ("Tệp", "File"),
    "trend": ("Diễn biến qua các kỳ", "Trend across periods"),
    # the report over time (issue 10): units that ended, territory, time axis, UNT12
    "ended": ("Đã kết thúc", "Ended"),
    "ended_title": ("đã kết thúc: đơn vị giải thể trước thời hạn, kết quả sẽ không đến hạn",
                    "ended: the unit was dissolved before the deadline, the result will never "
                    "be due"),
    "ended.merged": ("đã giải thể: hoạt động đến {day}, sáp nhập vào {successor}",
                     "dissolved: existed until {day}, merged into {successor}"),
    "ended.split": ("đã giải thể: hoạt động đến {day}, chia cho {successor}",
                    "dissolved: existed until {day}, split among {successor}"),
    "ended.plain": ("đã giải thể: hoạt động đến {day}", "dissolved: existed until {day}"),
    "ended_units": ("Đơn vị đã giải thể", "Dissolved units"),
    "ended_note": ("{n} kết quả Chưa đến hạn thuộc đơn vị đã giải thể trước thời hạn được ghi "
                   "là Đã kết thúc.", "{n} pending results of units dissolved before the "
                   "deadline are shown as Ended."),
    "territory": ("Địa bàn so sánh", "Compared on"),
    "territory.restated": ("so với địa bàn {unit} mới (gồm {members}) từ {since}",
                           "compared on the territory of the new {unit} (including {members}) "
                           "from {since}"),
    "territory.new": ("địa bàn {unit} mới (gồm {members}) từ {since}",
                      "territory of the new {unit} (including {members}) from {since}"),
    "territory.old": ("địa bàn {unit} cũ (trước {since})",
                      "territory of the former {unit} (before {since})"),
    "territory.until": ("địa bàn {unit} (đến {day})", "territory of {unit} (until {day})"),
    "territory.changed": ("địa bàn thay đổi từ {day}: cần số liệu đã tính lại",
                          "territory changed on {day}: a restated figure is needed"),
    "territory.same": ("không đổi", "unchanged"),
    "territory_note": ("Địa bàn so sánh: kỳ gốc của đơn vị đã nhận sáp nhập được tính lại trên "
                       "địa bàn hiện tại (cộng số liệu của các đơn vị hợp thành).",
                       "Compared on: the baseline of a unit that took others over is restated "
                       "on its present territory (the merged units' figures added up)."),
    "better": ("Chiều tốt", "Better"),
    "direction.lower": ("↓ càng thấp càng tốt", "↓ lower is better"),
    "direction.higher": ("↑ càng cao càng tốt", "↑ higher is better"),
    "trend_axis": ("Trục thời gian theo ngày thực: mỗi điểm nằm ở giữa kỳ của nó.",
                   "The time axis follows real dates: each point sits at the middle of its "
                   "period."),
    "trend_spans": ("Các kỳ dài ngắn khác nhau: vạch ngang qua mỗi điểm là độ dài kỳ.",
                    "Periods differ in length: the bar through each point spans its period."),
    "trend_events": ("Sáp nhập (đường đứt đứng): {events}.",
                     "Mergers (dashed vertical line): {events}."),
    "span": ("Từ ngày – đến ngày", "First – last day"),
    "units_lacking": ("Đơn vị thiếu", "Units lacking"),
    "and_more": ("và {n} đơn vị khác", "and {n} more units"),
    "ignored_figures": ("Số liệu bị bỏ qua vì ngoài thời gian hiệu lực của đơn vị",
                        "Figures ignored: outside the unit's validity"),
    "ignored_note": ("Các số liệu này không được dùng: hãy báo cáo cho đơn vị đang hoạt động "
                     "trong kỳ đó (đơn vị kế thừa) hoặc sửa kỳ.",
                     "These figures were not used: report them for the unit in force then "
                     "(its successor), or fix the period."),
    "ignored.until": ("đơn vị chỉ tồn tại đến {end}", "the unit exists only until {end}"),
    "ignored.from": ("đơn vị chỉ tồn tại từ {start}", "the unit exists only from {start}"),
    "ignored.between": ("đơn vị chỉ tồn tại từ {start} đến {end}",
                        "the unit exists only from {start} until {end}"),
    "reason": ("Lý do", "Reason"),
    # v3 §6: a unit that began during the period, its figures over its lifetime only
    "part_of_period": ("{period} (một phần kỳ: {covers})",
                       "{period} (part of the period: {covers})"),
    "where": ("Vị trí", "Where"),
    "failing": ("Kết quả kém", "Failing"),
    "worst_note": ("Kết quả kém: Không đạt, Chậm tiến độ hoặc Không tính được, trên số kết quả "
                   "áp dụng ở kỳ gần nhất của chỉ tiêu.",
                   "Failing: not met, off track or invalid, out of the applicable results in "
                   "the target's latest period."),
    "worst": ("Các chỉ tiêu có kết quả kém nhất", "Worst-performing targets"),
    "shown_of": ("Hiển thị {shown} trên {total} dòng.", "Showing {shown} of {total} rows."),
    "summary_mode": ("Bản tóm tắt: dữ liệu lớn ({rows} kết quả). Chạy với --detail full để "
                     "xem toàn bộ chi tiết.",
                     "Summary edition: large input ({rows} results). Run with --detail full "
                     "for every row."),
    "appendix_omitted": ("{rows} số liệu không in trong bản tóm tắt.",
                         "{rows} figures are not listed in the summary edition."),
    "generated_by": ("Tạo bởi", "Generated by"),
    "inputs": ("Dữ liệu đầu vào (SHA-256)", "Inputs (SHA-256)"),
    "page": ("Trang", "Page"),
    "chart": ("Biểu đồ", "Chart"),
    "legend": ("Chú giải", "Legend"),
    "bullet_desc": ("{unit}: thực tế {actual}, ngưỡng {threshold}, lộ trình {expected}.",
                    "{unit}: actual {actual}, threshold {threshold}, trajectory {expected}."),
    "trend_desc": ("{unit}: {points}.", "{unit}: {points}."),
    "area_desc": ("{area}: {counts}.", "{area}: {counts}."),
    "no_targets": ("không có chỉ tiêu", "no targets"),
    "not_available": ("—", "—"),
    # The scoring section (spec §7): points, index, bands, ranks.
    "score.section": ("Chấm điểm và xếp hạng", "Points and ranking"),
    "score.cover": ("Chỉ số (điểm)", "Index (points)"),
    "score.cover_entry": ("{name}: {index} ({band}), hạng {rank}/{of}",
                          "{name}: {index} ({band}), rank {rank} of {of}"),
    "score.cover_more": ("và {n} đơn vị khác", "and {n} more units"),
    "score.note": ("Chỉ số = tổng điểm / tổng điểm tối đa × {scale}. Chỉ xếp hạng các đơn vị "
                   "cùng cấp, cùng kỳ; tiêu chí thiếu số liệu không tính vào điểm tối đa.",
                   "Index = points / maximum points × {scale}. Units are ranked only against "
                   "units of the same level and period; an indicator without data is left out "
                   "of the maximum."),
    "score.cohort": ("Kỳ {period} · {level}", "Period {period} · {level}"),
    "score.points": ("Điểm", "Points"),
    "score.max": ("Tối đa", "Max"),
    "score.index": ("Chỉ số", "Index"),
    "score.band": ("Xếp loại", "Band"),
    "score.previous": ("Chỉ số kỳ trước", "Previous index"),
    "score.change": ("Thay đổi so với kỳ trước", "Change since the previous period"),
    "score.index_change": ("chỉ số {diff}", "index {diff}"),
    "score.no_previous": ("chưa có kỳ trước", "no previous period"),
    "score.other_cohort": ("kỳ trước khác nhóm đơn vị, không so hạng",
                           "previous period ranked other units: ranks not compared"),
    "score.bars": ("Điểm theo nhóm tiêu chí", "Points by group"),
    "score.bars_desc": ("{unit}: {points} trên {max} điểm; {groups}.",
                        "{unit}: {points} of {max} points; {groups}."),
    "score.group_desc": ("{group} {points}/{max}", "{group} {points}/{max}"),
    "score.lost": ("Điểm chưa đạt", "Points not earned"),
    "score.by_indicator": ("Điểm từng tiêu chí", "Points per indicator"),
    "score.indicator": ("Tiêu chí", "Indicator"),
    "score.group": ("Nhóm", "Group"),
    "score.excluded": ("— : không chấm (thiếu số liệu hoặc không áp dụng), không tính vào "
                       "điểm tối đa.", "— : not scored (no data or not applicable), left out "
                       "of the maximum."),
    "score.unranked": ("{n} đơn vị × kỳ không có tiêu chí nào chấm được nên không xếp hạng.",
                       "{n} unit × period pairs had no scoreable indicator and are not "
                       "ranked."),
    "score.band_text": ("Xếp loại {band}", "Band {band}"),
    "score.other_group": ("Tiêu chí khác", "Other indicators"),
    "score.bands": ("Xếp loại theo chỉ số", "Bands on the index"),
    # dossier records (docs/records.md §6): the data-quality table of sources
    "record_sources": ("Nguồn hồ sơ", "Dossier record sources"),
    "record_source": ("Nguồn", "Source"),
    "record_rows": ("Số hồ sơ", "Records"),
    "record_dates": ("Từ ngày – đến ngày", "First – last day"),
    "record_no_unit": ("Không có mã đơn vị", "Without a unit"),
    "record_unknown_units": ("Đơn vị chưa khai báo", "Undeclared units"),
    "record_bad_dates": ("Ngày thiếu hay mâu thuẫn", "Missing or inconsistent dates"),
    "record_duplicates": ("Mã hồ sơ trùng", "Duplicate dossier ids"),
    "record_note": ("Hồ sơ không có đơn vị, thuộc đơn vị chưa khai báo, hay có ngày thiếu/mâu "
                    "thuẫn không được đếm vào số liệu nào; hồ sơ trùng mã được đếm mọi bản.",
                    "Records without a unit, of an undeclared unit, or with a missing or "
                    "inconsistent date count in no figure; every copy of a duplicate id "
                    "counts."),
    "record_did_you_mean": ("có phải {id}?", "did you mean {id}?"),
    "date.no_date": ("thiếu ngày", "no date"),
    "date.due_before_date": ("hạn trước ngày nhận", "due before received"),
    "date.resolved_before_date": ("giải quyết trước ngày nhận", "resolved before received"),
    "date.resolved_in_future": ("giải quyết ở tương lai", "resolved in the future"),
    "record_duplicates_text": ("{ids} mã ({rows} hồ sơ, {differing} khác nội dung): {examples}",
                               "{ids} ids ({rows} records, {differing} with different "
                               "contents): {examples}"),
}
# Every status, area and level has its words; a new one in domain.py fails here, at import.
_UNWORDED = [key for key in [f"status.{s}" for s in Status] + [f"area.{a}" for a in Area]
             + [f"level.{lv}" for lv in Level]
             if key not in _WORDS]
if _UNWORDED:
    raise RuntimeError(f"render/i18n.py has no words for {', '.join(_UNWORDED)}")


def in_lang(table: dict[str, tuple[str, str]], lang: str) -> dict[str, str]:
    """A table of key -> (vi, en) words in `lang`."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in table.items()}


def words(lang: str) -> dict[str, str]:
    """Every report word in `lang`; templates see it as `t`."""
    return in_lang(_WORDS, lang)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise CchcError.one("RPT01", _("unknown report language '{lang}'; expected vi or "
                                       "en").format(
                                       lang=lang),
                            hint=did_you_mean(lang, LANGS))
    return lang
