"""A seeded generator of one-stop dossier records in the schema of
rulesets/national/qd766-records.yaml (docs/records.md §7).

    python -m bench.dossiers --out DIR [--rows 5000] [--provinces 1] [--districts 2]
                             [--communes 3] [--year 2025] [--seed 766] [--chunk 2000000]

writes DIR/units.csv (three levels: province, district, commune) and the dossiers as
DIR/dossiers-YEAR-NNN.parquet (one file per chunk of rows, so 50 M rows fit a small
machine). What makes the records realistic:

- procedures with different legal durations (1 to 30 working days) and fees;
- dossiers received on working days (a few on Saturday mornings), in office hours;
- due dates counted in working days (weekends skipped), resolved mostly before them, each
  unit late on its own share of 3–8 % of its dossiers;
- channels direct / online / postal, online payment of fees, satisfaction ratings;
- dossiers still open at the year's end (their resolved date would fall in the next year).

Randomness comes from hashing the row number with the seed (polars, vectorised): the
same seed gives the same records with the same polars version.
"""
from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

# (procedure code, legal duration in working days, has a fee); codes in the portal's style.
PROCEDURES = (
    ("1.001612", 1, False),   # chứng thực bản sao
    ("1.003583", 3, True),    # đăng ký hộ kinh doanh
    ("1.001193", 5, False),   # đăng ký khai sinh
    ("2.000908", 5, True),    # cấp phiếu lý lịch tư pháp
    ("1.004227", 7, True),    # cấp giấy phép xây dựng nhà ở riêng lẻ
    ("1.000775", 10, True),   # đăng ký biến động đất đai
    ("1.002255", 15, True),   # cấp giấy chứng nhận quyền sử dụng đất
    ("1.008004", 20, False),  # trợ cấp xã hội hằng tháng
    ("2.002185", 30, True),   # giao đất, cho thuê đất
)
WEIGHTS = (30, 10, 20, 8, 5, 10, 8, 5, 4)   # how often each procedure is asked for
CHANNELS = ((1, 0.55), (2, 0.40), (3, 0.05))  # KenhThucHien: direct, online, postal
LATE = (0.03, 0.08)        # each unit's share of late dossiers is drawn in this range
WORKING_DAYS = 261         # Monday to Friday in a year (holidays are not modelled)
RATED = 0.30               # resolved dossiers the applicant rated
ONLINE_PAYMENT = 0.45      # dossiers with a fee paid online (more when submitted online)


@dataclass(frozen=True)
class Tree:
    units: list[dict]      # id, name, level, parent (None for a province)


def unit_tree(provinces: int, districts: int, communes: int) -> Tree:
    """`provinces` × `districts` × `communes` units on three levels."""
    units = []
    for p in range(1, provinces + 1):
        pid = f"T{p:02d}"
        units.append({"id": pid, "name": f"Tỉnh {p:02d}", "level": "province", "parent": None})
        for d in range(1, districts + 1):
            did = f"{pid}-H{d:02d}"
            units.append({"id": did, "name": f"Huyện {p:02d}.{d:02d}", "level": "district",
                          "parent": pid})
            for c in range(1, communes + 1):
                units.append({"id": f"{did}-X{c:03d}", "name": f"Xã {p:02d}.{d:02d}.{c:03d}",
                              "level": "commune", "parent": did})
    return Tree(units)


def _uniform(row: pl.Expr, seed: int, k: int) -> pl.Expr:
    """A uniform number in [0, 1) for each row, the k-th stream of `seed`."""
    return (row.hash(seed * 1000 + k) % 1_000_000_007).cast(pl.Float64) / 1_000_000_007


def _pick(u: pl.Expr, weights: tuple[float, ...]) -> pl.Expr:
    """The index of the weight band `u` falls in."""
    total, edge, expr = sum(weights), 0.0, pl.lit(len(weights) - 1, pl.Int32)
    bands = []
    for i, w in enumerate(weights[:-1]):
        edge += w / total
        bands.append((edge, i))
    for edge, i in reversed(bands):
        expr = pl.when(u < edge).then(pl.lit(i, pl.Int32)).otherwise(expr)
    return expr


def dossiers(first: int, rows: int, tree: Tree, year: int, seed: int) -> pl.DataFrame:
    """Rows `first` … `first + rows - 1` of the generated records."""
    n_units = len(tree.units)
    units = pl.DataFrame({"u": list(range(n_units)),
                          "ma_don_vi": [u["id"] for u in tree.units]},
                         schema={"u": pl.Int32, "ma_don_vi": pl.String})
    units = units.with_columns(
        late_share=LATE[0] + _uniform(pl.col("u").cast(pl.UInt64), seed, 99)
        * (LATE[1] - LATE[0]))
    procs = pl.DataFrame({"p": list(range(len(PROCEDURES))),
                          "ma_tthc": [p[0] for p in PROCEDURES],
                          "days": [p[1] for p in PROCEDURES],
                          "fee": [p[2] for p in PROCEDURES]},
                         schema={"p": pl.Int32, "ma_tthc": pl.String, "days": pl.Int32,
                                 "fee": pl.Boolean})
    row = pl.int_range(first, first + rows, dtype=pl.UInt64)
    base = pl.select(
        row.alias("i"),
        (_uniform(row, seed, 1) * n_units).cast(pl.Int32).alias("u"),
        _pick(_uniform(row, seed, 2), WEIGHTS).alias("p"),
        (_uniform(row, seed, 3) * WORKING_DAYS).cast(pl.Int32).alias("day"),
        _uniform(row, seed, 4).alias("u_saturday"),
        (7.5 * 60 + _uniform(row, seed, 5) * 9.5 * 60).cast(pl.Int32).alias("minute"),
        _uniform(row, seed, 6).alias("u_late"),
        _uniform(row, seed, 7).alias("u_speed"),
        _pick(_uniform(row, seed, 8), tuple(w for _, w in CHANNELS)).alias("c"),
        _uniform(row, seed, 9).alias("u_pay"),
        _uniform(row, seed, 10).alias("u_rated"),
        _uniform(row, seed, 11).alias("u_rating"),
        (_uniform(row, seed, 12) * 5).cast(pl.Int32).alias("late_by"),
    )
    frame = base.join(units, on="u", how="left").join(procs, on="p", how="left")
    # A working day of the year; a few dossiers on the Saturday morning after it.
    received_day = pl.lit(date(year, 1, 1)).dt.add_business_days(pl.col("day"),
                                                                 roll="forward")
    saturday = received_day + pl.duration(days=6 - received_day.dt.weekday())
    received_day = (pl.when((pl.col("u_saturday") < 0.03) & (saturday.dt.year() == year))
                    .then(saturday).otherwise(received_day))
    frame = frame.with_columns(received=received_day).with_columns(
        due=pl.col("received").dt.add_business_days(pl.col("days"), roll="forward"),
        took=pl.when(pl.col("u_late") < pl.col("late_share"))
        .then(pl.col("days") + 1 + pl.col("late_by"))
        .otherwise((pl.col("u_speed") * (pl.col("days") + 1)).cast(pl.Int32)
                   .clip(0, pl.col("days"))),
    ).with_columns(
        resolved=pl.col("received").dt.add_business_days(pl.col("took"), roll="forward"))
    year_end = pl.date(year, 12, 31)
    open_at_end = pl.col("resolved") > year_end
    resolved = pl.when(open_at_end).then(None).otherwise(pl.col("resolved"))
    channel = pl.Series([c for c, _ in CHANNELS], dtype=pl.Int32)
    kenh = pl.col("c").replace_strict(list(range(len(CHANNELS))), channel)
    paid = pl.col("fee") & (pl.col("u_pay") < pl.when(kenh == 2).then(ONLINE_PAYMENT + 0.3)
                            .otherwise(ONLINE_PAYMENT - 0.2))
    rating = (pl.when(pl.col("u_rating") < 0.60).then(3)
              .when(pl.col("u_rating") < 0.92).then(2).otherwise(1)).cast(pl.Int32)
    return frame.select(
        ma_ho_so=pl.concat_str([pl.col("ma_don_vi"), pl.lit("-"), pl.lit(str(year)),
                                pl.lit("-"), pl.col("i").cast(pl.String).str.zfill(9)]),
        ma_don_vi="ma_don_vi",
        ma_tthc="ma_tthc",
        kenh_thuc_hien=kenh,
        ngay_tiep_nhan=pl.col("received").cast(pl.Datetime("us"))
        + pl.duration(minutes=pl.col("minute")),
        ngay_hen_tra=pl.col("due").cast(pl.Datetime("us")) + pl.duration(hours=17),
        ngay_ket_thuc_xu_ly=resolved.cast(pl.Datetime("us"))
        + pl.duration(minutes=pl.col("minute")),
        co_nghia_vu_tai_chinh="fee",
        thanh_toan_truc_tuyen=pl.when(pl.col("fee")).then(paid).otherwise(None),
        muc_do_hai_long=pl.when(~open_at_end & (pl.col("u_rated") < RATED)).then(rating)
        .otherwise(None),
    )


def write(out: Path, rows: int, tree: Tree, year: int, seed: int, chunk: int) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "units.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "name", "level", "parent"])
        w.writerows([u["id"], u["name"], u["level"], u["parent"] or ""] for u in tree.units)
    files = []
    for n, first in enumerate(range(0, rows, chunk)):
        path = out / f"dossiers-{year}-{n:03d}.parquet"
        dossiers(first, min(chunk, rows - first), tree, year, seed).write_parquet(path)
        files.append(path)
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dossiers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--provinces", type=int, default=1)
    parser.add_argument("--districts", type=int, default=2)
    parser.add_argument("--communes", type=int, default=3)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=766)
    parser.add_argument("--chunk", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    tree = unit_tree(args.provinces, args.districts, args.communes)
    files = write(args.out, args.rows, tree, args.year, args.seed, args.chunk)
    print(f"wrote {args.rows:,} dossiers of {len(tree.units):,} units in {len(files)} "
          f"file(s) and units.csv to {args.out}")


if __name__ == "__main__":
    main()
