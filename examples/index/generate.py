"""The returned workbooks of the index example (`make demo-index`, the round-trip test and
the bench): ILLUSTRATIVE self-assessments and appraisals, drawn from a seeded generator so
every run gives the same files.

    python examples/index/generate.py OUT [--ruleset R] [--units FILE] [--period 2025]
                                          [--seed 2025]

writes, under OUT:
    tu-cham/        the blank self-assessment workbooks (`cchc form --scoring`)
    tra-ve/         the units' returned self-assessments, renamed as senders do, one sent
                    twice, one unit sends nothing
    tham-dinh/      the appraisal workbooks (`cchc form --appraisal --from tra-ve`)
    da-tham-dinh/   the appraisal team's returned workbooks: a few criteria cut, each with
                    its comment
    khao-sat.csv    the survey's satisfaction rate and sample per unit (area 8)
    nam-truoc.csv   last year's appraised points, for the change on last year

Every unit's profile (how well it does, how generous it is with itself) comes from the
seed: the figures are made up and say so; only the structure follows a real criteria set.
"""
from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from cchc_rules.cli import main  # noqa: E402
from cchc_rules.figures.forms import form_units  # noqa: E402
from cchc_rules.figures.scoring_book import book_rows  # noqa: E402
from cchc_rules.pipeline import Session  # noqa: E402
from examples.index.fill import fill  # noqa: E402

RULESET = ROOT / "rulesets/examples/province-index.yaml"
UNITS = ROOT / "examples/index/don-vi.csv"
CUTS = ["Tài liệu kiểm chứng chưa thể hiện đủ nội dung", "Báo cáo gửi chậm so với quy định",
        "Tỷ lệ hồ sơ đúng hạn thấp hơn mức đơn vị tự chấm",
        "Chưa có văn bản chứng minh kết quả thực hiện", "Kế hoạch thiếu nhiệm vụ trọng tâm"]


def _run(*args: str) -> None:
    done = CliRunner().invoke(main, list(args))
    if done.exit_code not in (0, 1):
        raise SystemExit(done.output)


def _half(x: float) -> float:
    return round(x * 4) / 4   # points in quarters, as councils give them


def generate(out: Path, ruleset: Path = RULESET, units_file: Path = UNITS,
             period: str = "2025", seed: int = 2025, silent_unit: str | None = "auto"
             ) -> dict[str, dict[str, float | str]]:
    """Write the folders above; the appraised points per unit and criterion (`n/a` where
    the unit declared one), for a test's hand count."""
    rng = random.Random(seed)
    for sub in ("tu-cham", "tra-ve", "tham-dinh", "da-tham-dinh"):
        shutil.rmtree(out / sub, ignore_errors=True)
    _run("form", str(ruleset), "--scoring", "--units", str(units_file), "--period", period,
         "--output", str(out / "tu-cham"))
    loaded = Session().load_ruleset(ruleset)
    units = form_units(units_file)
    ids = list(units)
    silent = ids[len(ids) // 2] if silent_unit == "auto" else silent_unit
    twice = ids[1]
    appraised: dict[str, dict[str, float | str]] = {}
    comments_of: dict[str, dict[str, str]] = {}
    for unit in units.values():
        if unit.id == silent:
            continue
        rows = [r for r in book_rows(loaded.model.scoring, unit.level) if r.scored]
        quality, vanity = rng.uniform(0.55, 0.98), rng.uniform(0.0, 0.15)
        own, evidence, explain, cut, comments = {}, {}, {}, {}, {}
        for row in rows:
            ind = row.indicator
            if ind.kind == "bonus":
                own[row.id] = float(rng.random() < 0.2)
            elif ind.kind == "penalty":
                own[row.id] = float(rng.random() < 0.1)
            elif ind.id in ("6.2", "3.4") and rng.random() < 0.1:
                own[row.id] = "n/a"           # no public service units, no procedures
            else:
                own[row.id] = _half(min(row.max, row.max * (quality + vanity
                                                             + rng.uniform(-0.1, 0.1))))
            points = own[row.id]
            if isinstance(points, float) and points > 0:
                if rng.random() < 0.93:
                    day = rng.randint(1, 28)
                    month = rng.randint(1, 12)
                    evidence[row.id] = (f"{rng.randint(10, 299)}/KH-{unit.id.upper()[:6]} "
                                        f"ngày {day:02d}/{month:02d}/{period}")
                else:
                    explain[row.id] = "Văn bản đang trình ký, sẽ bổ sung"
            if isinstance(points, float) and points > 0 and ind.kind == "score" \
                    and rng.random() < 0.25:
                cut[row.id] = _half(max(0.0, points - rng.choice([0.25, 0.5, 1.0])))
                comments[row.id] = rng.choice(CUTS)
            else:
                cut[row.id] = points
        name = unit.name.replace(",", "")
        sent = fill(out / "tu-cham" / f"{unit.id}.xlsx", out / "tra-ve" /
                    f"Tự chấm - {name}.xlsx", own, evidence=evidence, explain=explain)
        if unit.id == twice:   # sent again, unchanged, under another name
            shutil.copy(sent, out / "tra-ve" / f"Tự chấm - {name} (gửi lại).xlsx")
        appraised[unit.id] = cut
        comments_of[unit.id] = comments
    _run("form", str(ruleset), "--appraisal", "--units", str(units_file), "--period", period,
         "--from", str(out / "tra-ve"), "--output", str(out / "tham-dinh"))
    for unit_id, points in appraised.items():
        fill(out / "tham-dinh" / f"{unit_id}.xlsx", out / "da-tham-dinh" /
             f"Thẩm định - {unit_id}.xlsx", points, kind="appraisal",
             comments=comments_of[unit_id])
    _survey(out / "khao-sat.csv", ids, period, rng)
    _last_year(out / "nam-truoc.csv", loaded, units, period, rng)
    return appraised


def _survey(path: Path, ids: list[str], period: str, rng: random.Random) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["unit", "period", "metric", "value", "source"])
        for unit in ids:
            source = f"Điều tra xã hội học {period} (minh hoạ, không phải số liệu thật)"
            out.writerow([unit, period, "hai_long", f"{rng.uniform(70, 97):.2f}", source])
            out.writerow([unit, period, "so_phieu", rng.randint(120, 600), source])


def _last_year(path: Path, loaded, units, period: str, rng: random.Random) -> None:
    year = str(int(period) - 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["unit", "period", "metric", "value", "source"])
        for unit in units.values():
            quality = rng.uniform(0.5, 0.95)
            source = f"Kết quả chỉ số CCHC {year} (minh hoạ, không phải số liệu thật)"
            for row in book_rows(loaded.model.scoring, unit.level):
                if row.scored and row.indicator.kind == "score":
                    value = _half(row.max * min(1.0, quality + rng.uniform(-0.1, 0.1)))
                    out.writerow([unit.id, year, row.indicator.metric, value, source])
            out.writerow([unit.id, year, "hai_long", f"{rng.uniform(65, 95):.2f}", source])
            out.writerow([unit.id, year, "so_phieu", rng.randint(120, 600), source])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--ruleset", type=Path, default=RULESET)
    parser.add_argument("--units", type=Path, default=UNITS)
    parser.add_argument("--period", default="2025")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    generate(args.out, args.ruleset, args.units, args.period, args.seed)
    print(f"wrote the illustrative returned workbooks under {args.out}")
