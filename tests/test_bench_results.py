"""bench/run.py: regenerating RESULTS.md keeps what other benchmarks appended, once."""
from __future__ import annotations

from bench import report, run

OURS = "# Benchmark results\n\n## Machine\n\nx\n\n## Findings (hand-written)\n\nf\n"
FINDINGS_OWN = "## Records after issue 22\n\nr\n"   # a heading of FINDINGS.md's own
THEIRS = "## Live app latency (cchc serve)\n\np95 300 ms\n"


def test_the_sections_after_the_findings_mark_are_kept_once(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text(f"{OURS}{FINDINGS_OWN}\n{report.FINDINGS_END}\n\n{THEIRS}",
                       encoding="utf-8")
    assert run._appended(results) == "\n" + THEIRS
    # written again: the appended section once, FINDINGS.md's own heading not among them
    again = tmp_path / "again.md"
    again.write_text(f"{OURS}{FINDINGS_OWN}\n{report.FINDINGS_END}\n{run._appended(results)}",
                     encoding="utf-8")
    assert run._appended(again) == "\n" + THEIRS


def test_a_file_from_before_the_mark_keeps_what_follows_our_sections(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text(OURS + THEIRS, encoding="utf-8")
    assert run._appended(results) == "\n" + THEIRS
    assert run._appended(tmp_path / "missing.md") == ""


def test_render_ends_with_the_mark():
    text = report.render(machine={}, workload={
        "evaluations": 1, "seed": 1, "provinces": 1, "communes": 1, "periods": ["2025-01"],
        "targets": 1, "data_rows": 1, "broken": [], "blank": []}, m={}, total_s=1.0)
    assert text.rstrip().endswith(report.FINDINGS_END)
