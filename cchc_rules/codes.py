"""Every problem code the tool reports, defined once: its one-line text and its doc section.

A code keeps its meaning forever; a new meaning gets a new number in its family. To add
one: a line below, then a `### CODE` section in docs/errors.md (tests/test_codes.py fails
until the code is raised somewhere, registered here and documented there).
"""
from __future__ import annotations

from dataclasses import dataclass

DOC = "docs/errors.md"

FAMILIES = {
    "YAML": "load", "SCH": "schema", "FRM": "formula", "SEM": "semantic",
    "EXT": "extends", "DAT": "data", "PER": "period", "UNT": "units", "EVL": "evaluate",
    "TST": "ruleset tests", "REC": "records", "RPT": "report", "IO": "files",
    "USG": "command line", "INT": "internal", "LNT": "lint",
}


@dataclass(frozen=True)
class Code:
    code: str
    en: str                 # one line, English
    vi: str                 # one line, Vietnamese
    warning: bool = False   # reported as a warning: the run goes on

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")

    @property
    def link(self) -> str:
        """Where the code is explained: `docs/errors.md#dat02`."""
        return f"{DOC}#{self.code.lower()}"


_ALL = (
    Code("YAML01", "not valid YAML", "không phải YAML hợp lệ"),
    Code("YAML02", "duplicate key in one mapping", "khoá trùng trong cùng một bảng"),
    Code("YAML03", "a YAML tag is not allowed", "thẻ YAML không được phép"),
    Code("YAML04", "aliases expand past 50,000 nodes", "bí danh nở quá 50.000 nút"),
    Code("YAML05", "a tab used for indentation", "thụt lề bằng phím Tab"),
    Code("YAML06", "the file is not UTF-8", "tệp không mã hoá UTF-8"),
    Code("YAML07", "the file is empty", "tệp rỗng"),
    Code("YAML08", "the file is over 10 MB", "tệp lớn hơn 10 MB"),
    Code("YAML09", "a key that is a list or mapping", "khoá là danh sách hay bảng"),
    Code("SCH01", "wrong type", "sai kiểu dữ liệu"),
    Code("SCH02", "unknown key", "khoá lạ"),
    Code("SCH03", "a required key is missing", "thiếu khoá bắt buộc"),
    Code("SCH04", "a value outside the allowed choices", "giá trị không thuộc danh sách cho phép"),
    Code("SCH05", "a malformed id", "mã sai dạng"),
    Code("SCH06", "not a period", "kỳ sai dạng"),
    Code("SCH07", "an empty or out-of-range value", "giá trị rỗng hoặc ngoài giới hạn"),
    Code("FRM01", "formula syntax error", "công thức sai cú pháp"),
    Code("FRM02", "a construct formulas refuse", "cấu trúc bị cấm trong công thức"),
    Code("FRM03", "a function that is not allowed", "hàm không được phép"),
    Code("FRM04", "wrong number of arguments", "sai số đối số"),
    Code("FRM05", "a misplaced comparison", "phép so sánh đặt sai chỗ"),
    Code("FRM06", "an empty formula", "công thức rỗng"),
    Code("FRM07", "a metric id that is not ASCII", "mã chỉ số không phải ASCII"),
    Code("FRM08", "a malformed number", "số viết sai"),
    Code("FRM09", "a formula too deep or too long", "công thức quá sâu hay quá dài"),
    Code("FRM20", "a formula refers to itself", "công thức tự tham chiếu"),
    Code("SEM01", "duplicate target or check id", "mã chỉ tiêu hay kiểm tra trùng"),
    Code("SEM02", "'op' and 'value' disagree", "'op' và 'value' không khớp"),
    Code("SEM03", "milestones out of order", "mốc không theo thứ tự thời gian"),
    Code("SEM04", "a percent outside 0-100", "tỷ lệ phần trăm ngoài 0–100"),
    Code("SEM05", "unknown metric", "chỉ số không tồn tại"),
    Code("SEM06", "'change' without a usable baseline", "'change' thiếu giá trị gốc dùng được"),
    Code("SEM08", "'over_time' on a metric that does not add up over time",
         "'over_time' đặt cho chỉ số không cộng dồn theo thời gian được"),
    Code("SEM09", "'every_period_from' after the milestone's deadline",
         "'every_period_from' bắt đầu sau hạn của mốc"),
    Code("SEM10", "a relative baseline with a value", "mốc gốc tương đối lại có giá trị"),
    Code("SEM07", "a level that is not a standard one", "cấp không phải cấp chuẩn",
         warning=True),
    Code("SEM30", "a scoring indicator without exactly one rule",
         "tiêu chí chấm điểm không có đúng một quy tắc"),
    Code("SEM31", "full_at equal to zero_at", "full_at bằng zero_at"),
    Code("SEM32", "a scoring rule without its input", "quy tắc chấm điểm thiếu đầu vào"),
    Code("SEM33", "unknown status in by_status", "trạng thái không tồn tại trong by_status"),
    Code("SEM34", "unknown scoring group", "nhóm tiêu chí không tồn tại"),
    Code("SEM35", "duplicate scoring id", "mã trùng trong phần chấm điểm"),
    Code("SEM36", "bands not in descending order", "các hạng không xếp từ cao xuống thấp"),
    Code("SEM37", "unknown target in a scoring indicator",
         "chỉ tiêu không tồn tại trong tiêu chí chấm điểm"),
    Code("SEM40", "a rank metric's field (of) is wrong",
         "tổng số đơn vị xếp hạng (of) của chỉ số thứ hạng sai"),
    Code("SEM41", "inherit names no level above a unit",
         "inherit không nêu một cấp trên của đơn vị"),
    Code("SEM42", "a self_assessed metric that cannot be scored beside the appraised one",
         "chỉ số tự đánh giá không chấm được bên cạnh điểm thẩm định"),
    Code("EXT01", "parent ruleset not found", "không tìm thấy bộ chỉ tiêu cha"),
    Code("EXT02", "extends cycle", "vòng kế thừa"),
    Code("DAT01", "not a number", "không phải số"),
    Code("DAT02", "a number written the Vietnamese way", "số viết kiểu Việt Nam"),
    Code("DAT03", "NaN, infinity or an Excel error cell", "NaN, vô cực hay ô lỗi Excel"),
    Code("DAT04", "a negative count or amount", "số đếm hay số tiền âm"),
    Code("DAT05", "a bad header", "tiêu đề bảng sai"),
    Code("DAT06", "a needed column or sheet is missing", "thiếu cột hay trang cần thiết"),
    Code("DAT07", "a row longer than the header", "dòng dài hơn tiêu đề"),
    Code("DAT08", "a figure without unit, period or metric", "số liệu thiếu đơn vị, kỳ hay chỉ số"),
    Code("DAT09", "the same figure twice with different values",
         "một số liệu được báo hai lần, khác nhau"),
    Code("DAT11", "a data file of the wrong shape", "tệp số liệu sai cấu trúc"),
    Code("DAT13", "merged Excel cells", "ô gộp trong Excel"),
    Code("DAT14", "a CSV file that is not UTF-8", "tệp CSV không mã hoá UTF-8"),
    Code("DAT15", "a broken CSV file", "tệp CSV hỏng"),
    Code("DAT16", "not a readable Excel workbook", "không đọc được sổ Excel"),
    Code("DAT17", "a sheet skipped", "trang tính bị bỏ qua", warning=True),
    Code("DAT18", "formula cells without a saved result", "ô công thức chưa có kết quả lưu",
         warning=True),
    Code("DAT20", "a metric not in the ruleset", "chỉ số không có trong bộ chỉ tiêu",
         warning=True),
    Code("DAT21", "a count that is not a whole number", "số đếm không phải số nguyên"),
    Code("DAT22", "a reported formula metric its reported inputs contradict",
         "chỉ số có công thức được báo khác với số tính từ số liệu gốc", warning=True),
    Code("DAT23", "a workbook over the size limits", "sổ Excel vượt giới hạn kích thước"),
    Code("DAT24", "a figure below its unit's lowest (a rank below 1)",
         "số liệu nhỏ hơn mức thấp nhất của đơn vị đo (thứ hạng nhỏ hơn 1)"),
    Code("PER01", "not a period", "kỳ sai dạng"),
    Code("PER02", "a reported figure differs from the sum of its sub-periods",
         "số liệu báo cáo khác số tính từ các kỳ con", warning=True),
    Code("UNT01", "a bad unit declaration", "khai báo đơn vị sai"),
    Code("UNT02", "an undeclared parent or successor", "cấp trên hay đơn vị kế thừa chưa khai báo"),
    Code("UNT03", "units form a cycle", "vòng lặp cấp trên"),
    Code("UNT05", "bad validity dates", "ngày hiệu lực sai"),
    Code("UNT06", "a unit declared twice, differently", "một đơn vị khai báo hai lần khác nhau"),
    Code("UNT07", "a reported unit that is not declared", "đơn vị báo cáo chưa khai báo"),
    Code("UNT08", "a level that is not a standard one", "cấp không phải cấp chuẩn", warning=True),
    Code("UNT09", "a units file that also has reports", "tệp đơn vị cũng có số liệu báo cáo",
         warning=True),
    Code("UNT10", "successors form a cycle", "vòng lặp đơn vị kế thừa"),
    Code("UNT11", "a successor that starts after a gap",
         "đơn vị kế thừa bắt đầu sau một khoảng trống"),
    Code("UNT12", "figures outside the unit's validity",
         "số liệu ngoài thời gian hiệu lực của đơn vị", warning=True),
    Code("UNT13", "unreadable dated parents", "cấp trên theo thời gian viết sai"),
    Code("UNT14", "a bad crosswalk row or header", "bảng chuyển đổi mã viết sai"),
    Code("REC01", "a column not declared in the record source",
         "cột chưa khai báo trong nguồn hồ sơ"),
    Code("REC02", "a column or value of the wrong type for its use",
         "cột hay giá trị sai kiểu so với cách dùng"),
    Code("REC03", "an unknown record source", "nguồn hồ sơ không tồn tại"),
    Code("REC04", "a records entry whose keys do not fit its aggregate",
         "mục đếm hồ sơ có khoá không khớp phép đếm"),
    Code("REC05", "a --records value that is not usable", "giá trị --records không dùng được"),
    Code("REC06", "records that cannot be read or counted", "không đọc hay đếm được hồ sơ"),
    Code("REC07", "records without a declared unit, not counted",
         "hồ sơ không thuộc đơn vị đã khai báo, không được đếm", warning=True),
    Code("REC08", "a figure both reported and counted from records",
         "một số liệu vừa được báo cáo vừa được đếm từ hồ sơ"),
    Code("EVL01", "no such period", "không có kỳ này"),
    Code("EVL02", "no such unit", "không có đơn vị này"),
    Code("EVL03", "no such target", "không có chỉ tiêu này"),
    Code("EVL04", "unknown status in --fail-on", "trạng thái lạ trong --fail-on"),
    Code("EVL05", "the ruleset has no scoring", "bộ chỉ tiêu không có phần chấm điểm"),
    Code("EVL06", "no scored units for a level", "không có đơn vị được chấm điểm ở cấp này"),
    Code("EVL10", "filters that together select no result",
         "bộ lọc không chọn được kết quả nào"),
    Code("TST01", "unknown key in a test file", "khoá lạ trong tệp kiểm thử"),
    Code("TST02", "a required key is missing in a test file", "tệp kiểm thử thiếu khoá bắt buộc"),
    Code("TST03", "a bad value in a test file", "giá trị sai trong tệp kiểm thử"),
    Code("TST04", "the test's ruleset is not found", "không thấy bộ chỉ tiêu của tệp kiểm thử"),
    Code("TST05", "a test's data file is not found", "không thấy tệp số liệu của tình huống"),
    Code("TST06", "a case without figures", "tình huống không có số liệu"),
    Code("TST07", "inline figures in flow style", "số liệu trong tình huống viết kiểu dòng"),
    Code("TST08", "a ruleset given instead of its tests", "đưa bộ chỉ tiêu thay cho tệp kiểm thử"),
    Code("TST10", "an expectation not met", "kỳ vọng không đúng"),
    Code("TST11", "summary counts differ", "số đếm tổng hợp không khớp"),
    Code("LNT01", "a target without a source", "chỉ tiêu không ghi căn cứ", warning=True),
    Code("LNT02", "a percentage that is not a ratio of counts",
         "tỷ lệ không phải thương hai số đếm", warning=True),
    Code("LNT03", "a target without a baseline", "chỉ tiêu không có mốc gốc", warning=True),
    Code("LNT04", "a metric never used", "chỉ số không được dùng", warning=True),
    Code("LNT05", "a title and thresholds that disagree",
         "tên chỉ tiêu và ngưỡng không khớp", warning=True),
    Code("LNT06", "a rate whose unit is not a percentage",
         "chỉ số tỷ lệ nhưng đơn vị không phải phần trăm", warning=True),
    Code("LNT07", "a ruleset without a source document",
         "bộ chỉ tiêu không ghi văn bản gốc", warning=True),
    Code("RPT01", "unknown report language", "ngôn ngữ báo cáo không hỗ trợ"),
    Code("RPT02", "the --templates folder does not exist", "thư mục --templates không tồn tại"),
    Code("RPT03", "template syntax error", "mẫu sai cú pháp"),
    Code("RPT04", "a template not found", "không tìm thấy mẫu"),
    Code("RPT05", "template runtime error", "lỗi khi chạy mẫu"),
    Code("RPT06", "a template outside its templates folder", "mẫu nằm ngoài thư mục mẫu"),
    Code("RPT07", "a template past a sandbox bound", "mẫu vượt giới hạn của sandbox"),
    Code("RPT08", "a PDF of too many targets", "PDF có quá nhiều chỉ tiêu"),
    Code("RPT10", "a resource refused while rendering the PDF",
         "tài nguyên bị từ chối khi dựng PDF", warning=True),
    Code("IO01", "the file cannot be read", "không đọc được tệp"),
    Code("IO02", "the file is too large", "tệp quá lớn"),
    Code("IO03", "an unsupported file type", "loại tệp không hỗ trợ"),
    Code("IO04", "the output cannot be written", "không ghi được tệp kết quả"),
    Code("IO05", "a file that would be overwritten", "tệp đã có, không ghi đè"),
    Code("IO06", "the web app cannot listen on that address",
         "ứng dụng web không mở được cổng ở địa chỉ đó"),
    Code("INT01", "internal error", "lỗi nội bộ"),
    Code("USG01", "an unknown option, command or extra argument",
         "tuỳ chọn, lệnh hay đối số không có"),
    Code("USG02", "a required argument or option is missing",
         "thiếu đối số hay tuỳ chọn bắt buộc"),
    Code("USG03", "an option's value is not valid", "giá trị tuỳ chọn không hợp lệ"),
    Code("USG04", "the command line is not usable", "dòng lệnh không dùng được"),
)

CODES: dict[str, Code] = {c.code: c for c in _ALL}


def describe(code: str) -> Code:
    """The registered code; KeyError for a code nobody registered."""
    return CODES[code]
