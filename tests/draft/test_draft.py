"""`cchc draft`: Vietnamese normalisation, sentence shapes, the seeds' Tuyên Quang plan
against the hand-made ruleset, documents built here (.docx by python-docx, PDF by
WeasyPrint), and every unreadable document as one positioned line with exit 2."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.cli import main
from cchc_rules.draft.build import draft_file
from cchc_rules.draft.documents import Block
from cchc_rules.draft.sentences import draft_blocks
from cchc_rules.draft.text import normalise, parse_number, words_to_number
from cchc_rules.ruleset.loader import load_ruleset
from tests.draft.compare import match, milestones

ROOT = Path(__file__).resolve().parents[2]
SEED = Path("/work/shared/seeds/003_de54bd7c1f2ad1a0.txt")
HAND = ROOT / "rulesets/tuyen-quang/cchc-2021-2030.yaml"


def run(*args):
    return CliRunner().invoke(main, [*args, "--lang", "en"])


def one(text: str, heading: str | None = None):
    """The sentence drafted as the body of a plan whose title names no year."""
    blocks = [Block("Kế hoạch cải cách hành chính", False, 1)]
    if heading:
        blocks.append(Block(heading, True, 2))
    blocks.append(Block(text, False, len(blocks) + 1))
    return draft_blocks(blocks)


def test_normalise():
    assert normalise("hoà\u00a0thuý khoẻ quý") == "hòa thúy khỏe quý"
    assert normalise("đạt chín mươi lăm phần trăm") == "đạt 95%"
    assert normalise("luật") == "luật"
    assert (parse_number("1.020"), parse_number("95,5"), parse_number("1.020,5")) == \
        (1020, 95.5, 1020.5)
    assert words_to_number("một trăm") == 100 and words_to_number("hai mươi mốt") == 21


@given(st.integers(0, 999))
def test_number_words_round_trip(n):
    units = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
    hundreds, rest = divmod(n, 100)
    tens, unit = divmod(rest, 10)
    words = [units[hundreds], "trăm"] if hundreds else []
    if tens == 0 and unit and hundreds:
        words += ["linh", units[unit]]
    elif tens == 1:
        words += ["mười"] + ([units[unit]] if unit else [])
    elif tens:
        words += [units[tens], "mươi"] + ([units[unit]] if unit else [])
    elif unit or not words:
        words += [units[unit]]
    assert words_to_number(" ".join(words)) == n


@pytest.mark.parametrize(("text", "op", "value", "by"), [
    ("Đến năm 2025, tỷ lệ giao dịch thanh toán trực tuyến đạt tối thiểu từ 55% trở lên.",
     ">=", 55, "2025"),
    ("Phấn đấu đến năm 2026, 100% TTHC đủ điều kiện được cung cấp dưới dạng DVCTT toàn trình.",
     ">=", 100, "2026"),
    ("Đến năm 2025, tỷ lệ hồ sơ trễ hạn không quá 2%.", "<=", 2, "2025"),
    ("Đến năm 2025, có trên 30% viên chức đạt trên chuẩn.", ">", 30, "2025"),
    ("Năm 2026, tỉnh nằm trong nhóm 20 tỉnh dẫn đầu về Chỉ số PAR INDEX.", "<=", 20, "2026"),
])
def test_shapes(text, op, value, by):
    [item] = one(text)
    assert (item.op, item.value, item.deadline) == (op, value, by)


def test_change_on_a_base_year_and_heading_deadline():
    [item] = one("Giảm ít nhất 10% biên chế sự nghiệp so với năm 2024.",
                 heading="Giai đoạn 2026–2027")
    assert (item.change, item.baseline, item.op, item.value, item.deadline) == \
        ("percent", "2024", "<=", -10, "2027")
    assert item.notes == []


def test_duy_tri_and_rank_names():
    [item] = one("Duy trì 100% hồ sơ giải quyết đúng hạn.", heading="Giai đoạn 2026–2027")
    assert (item.every_period_from, item.deadline) == ("2026", "2027")
    assert item.notes == []


def test_sub_target_and_no_operator_are_marked():
    items = one("Đến năm 2025, 80% thủ tục hành chính có yêu cầu nghĩa vụ tài chính được "
                "triển khai thanh toán trực tuyến, trong đó tỷ lệ giao dịch thanh toán trực "
                "tuyến đạt từ 30% trở lên.")
    assert [(i.value, i.sub) for i in items] == [(80, False), (30, True)]
    assert any("sub-target" in n for n in items[1].notes)
    # a bare figure is a floor, as plans mean it: said only where a ceiling may be meant
    assert not any("read as at least" in n for n in items[0].notes) and items[0].op == ">="
    [late] = one("Đến năm 2025, tỷ lệ hồ sơ trễ hạn 2%.")
    assert late.op == ">=" and any("read as at least" in n for n in late.notes)


@pytest.mark.parametrize(("text", "heading", "expected"), [
    # a month's deadline
    ("Hết tháng 6-2025, 100% hồ sơ được gắn định danh cá nhân.", None, [(">=", 100, "2025-06")]),
    # "nâng … đạt", "nâng … lên": the level to reach, not a change
    ("Nâng tỷ lệ tái sử dụng hồ sơ đã được số hóa đạt 50%.", "Giai đoạn 2021 - 2025",
     [(">=", 50, "2025")]),
    ("Giảm tỷ lệ hồ sơ trễ hạn xuống dưới 2% vào năm 2026.", None, [("<", 2, "2026")]),
    # a result ("ước đạt") is no target; "chiếm" after a goal is one
    ("Tỷ trọng kinh tế số ước đạt hơn 7% GRDP, phấn đấu đến năm 2025 đạt 20% GRDP.", None,
     [(">=", 20, "2025")]),
    ("Tỉnh đặt mục tiêu đến năm 2030 tỷ trọng kinh tế số chiếm 30% GRDP.", None,
     [(">=", 30, "2030")]),
    # ranks written as a group of the ranking
    ("Năm 2026, chỉ số chuyển đổi số của tỉnh trong nhóm 30/63 tỉnh, thành phố.", None,
     [("<=", 30, "2026")]),
    # two years joined by "và": each figure its own
    ("Đến năm 2025 kinh tế số đạt 20% GRDP và đến năm 2030, kinh tế số đạt 30% GRDP.", None,
     [(">=", 20, "2025"), (">=", 30, "2030")]),
    # "có N …" is at least N; a count of districts
    ("Đến cuối năm 2025, toàn tỉnh phấn đấu có 300 xã hoàn thành tiêu chí.", None,
     [(">=", 300, "2025")]),
])
def test_more_shapes(text, heading, expected):
    items = one(text, heading=heading)
    assert [(i.op, i.value, i.deadline) for i in items] == expected


def test_a_cited_title_and_an_orientation_year_set_no_deadline():
    blocks = [Block("Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030",
                    False, 1),
              Block("Theo đó, 80% dịch vụ công trực tuyến được cung cấp trên nhiều phương tiện.",
                    False, 2),
              Block("“Chiến lược giai đoạn 2021 - 2026, định hướng đến năm 2030” đề ra: 100% "
                    "dịch vụ công trực tuyến được thiết kế lại.", False, 3)]
    assert [(i.value, i.deadline) for i in draft_blocks(blocks)] == [(80, "2025"), (100, "2025")]


def test_qualitative_kept_and_marked():
    [item] = one("Phấn đấu đến năm 2030, hoàn thiện hệ thống thể chế đồng bộ.")
    assert item.qualitative and item.notes


@pytest.fixture(scope="module")
def seed_draft(tmp_path_factory):
    out = tmp_path_factory.mktemp("tq") / "draft.yaml"
    draft = draft_file(SEED, out)
    out.write_text(draft.yaml, encoding="utf-8")
    return out, draft


@pytest.mark.skipif(not SEED.is_file(), reason="the shared seeds are not here")
def test_tuyen_quang_matches_the_hand_made_ruleset(seed_draft):
    out, draft = seed_draft
    loaded = load_ruleset(out)   # the draft validates
    hand, drafted = milestones(HAND), milestones(out)
    matched, missed = match(hand, drafted)
    assert len(matched) / len(hand) >= 0.8, missed
    # every miss is marked: the drafted target closest to it carries a review note
    every = yaml.safe_load(out.read_text(encoding="utf-8"))["targets"]
    for miss in missed:
        words = set(miss["text"].lower().split())
        closest = max(every, key=lambda t: len(words & set(t["quote"].lower().split())))
        assert closest.get("review"), miss
    assert draft.counts()["targets"] == len(loaded.model.targets) + len(loaded.qualitative)


def test_docx_and_pdf_built_here(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("Giai đoạn 2026–2027", level=2)
    document.add_paragraph("Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ đạt tối "
                           "thiểu 60%.")
    document.save(tmp_path / "plan.docx")
    result = run("draft", str(tmp_path / "plan.docx"), "-o", str(tmp_path / "a.yaml"),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    targets = yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8"))["targets"]
    assert targets[0]["metric"] == "online_rate"
    assert targets[0]["milestones"] == [{"by": "2027", "op": ">=", "value": 60}]
    assert targets[0]["source"].startswith("plan.docx, paragraph 2")
    weasyprint = pytest.importorskip("weasyprint")
    html = ("<h2>Giai đoạn 2026–2027</h2><p>Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số "
            "hồ sơ đạt tối thiểu 60%.</p>")
    weasyprint.HTML(string=html).write_pdf(tmp_path / "plan.pdf")
    result = run("draft", str(tmp_path / "plan.pdf"), "-o", str(tmp_path / "b.yaml"))
    assert result.exit_code == 0, result.output
    targets = yaml.safe_load((tmp_path / "b.yaml").read_text(encoding="utf-8"))["targets"]
    assert targets[0]["milestones"] == [{"by": "2027", "op": ">=", "value": 60}]
    assert "page 1" in targets[0]["source"]


def test_bad_documents_one_line_exit_2(tmp_path):
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    (tmp_path / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 nothing")
    weasyprint = pytest.importorskip("weasyprint")
    weasyprint.HTML(string="<div style='width:10px;height:10px;background:red'></div>"
                    ).write_pdf(tmp_path / "scan.pdf")
    for name, code in (("bad.docx", "DRF01"), ("locked.docx", "DRF02"), ("bad.pdf", "DRF01"),
                       ("scan.pdf", "DRF03")):
        result = run("draft", str(tmp_path / name), "-o", str(tmp_path / "x.yaml"))
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and f"error {code}" in lines[0] and name in lines[0], lines
    assert not (tmp_path / "x.yaml").exists()


def test_no_target_sentence_drafts_an_empty_ruleset(tmp_path):
    (tmp_path / "plan.txt").write_text("Báo cáo tình hình.\n", encoding="utf-8")
    result = run("draft", str(tmp_path / "plan.txt"), "-o", str(tmp_path / "d.yaml"))
    assert result.exit_code == 0
    assert "warning DRF05" in result.output
    assert load_ruleset(tmp_path / "d.yaml").model.targets == []


def test_a_document_past_the_length_bound_is_drf04(tmp_path):
    """A plan runs 10–40 pages: 1,500,032 characters of text (1,500,031 once its last space
    is trimmed) are refused before drafting."""
    (tmp_path / "plan.txt").write_text("Tỷ lệ hồ sơ trực tuyến đạt 50%. " * 46_876,
                                       encoding="utf-8")   # 32 characters each
    result = run("draft", str(tmp_path / "plan.txt"), "-o", str(tmp_path / "d.yaml"))
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"{tmp_path / 'plan.txt'}: error DRF04 the document holds 1,500,031 characters, more "
        "than 1,500,000 (about 300 pages) [draft from the part that states the targets]"]
    assert not (tmp_path / "d.yaml").exists()
