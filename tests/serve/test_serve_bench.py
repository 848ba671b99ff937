"""bench/serve_latency.py's own arithmetic and its section of bench/RESULTS.md."""
from __future__ import annotations

from pathlib import Path

from bench.serve_latency import HEADING, percentile, section, write_section


def test_nearest_rank_percentiles() -> None:
    values = [i / 100 for i in range(1, 21)]          # 10 ms … 200 ms, 20 edits
    assert percentile(values, 50) == 0.10
    assert percentile(values, 95) == 0.19
    assert percentile([0.5], 95) == 0.5


def test_the_section_is_replaced_not_repeated(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Timings\n\nx\n", encoding="utf-8")
    first = section({"CPU": "test"}, [0.1] * 20, None, [80] * 20)
    write_section(results, first)
    write_section(results, section({"CPU": "test"}, [0.2] * 20, [0.3] * 20, [90] * 20))
    text = results.read_text(encoding="utf-8")
    assert text.count(HEADING) == 1 and text.startswith("# Benchmark results\n\n## Timings")
    assert "| event (SSE received) | 20 | 200 ms | 200 ms | 200 ms |" in text
    assert "status cell changed in chromium" in text and "90 ms" in text
