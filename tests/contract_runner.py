"""Run one contract case (a folder with `expect.yaml`) in this process, through click's
CliRunner, with the semantics of the shared runner `../shared/conformance/run`.

The shared runner starts a fresh `cchc` per case (about 3 s of start-up each); here the
command runs in-process, so the 80-odd cases cost what their work costs. The expect.yaml
keys are those of the shared runner: `exit`, `results`/`checks`/`scores`/`groups`/
`rankings` (each wanted record matches one record, numbers within 1e-3), `no_results`,
`summary`, `stderr_has`/`stderr_any`, `stdout_has`/`stdout_any`, `repeatable`, `absent`.
See tests/conformance/README.md.
"""
from __future__ import annotations

import contextlib
import json
import math
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cchc_rules.load import load_yaml

TOL = 1e-3
LISTS = ("results", "checks", "scores", "groups", "rankings")
IDENTS = ("target", "check", "indicator", "group", "unit", "period")


def close(got: Any, want: Any) -> bool:
    """`got` matches `want`: numbers within TOL, dicts on `want`'s keys, lists item by item."""
    if isinstance(want, bool) or want is None or isinstance(want, str):
        return got == want
    if isinstance(want, int | float):
        return (isinstance(got, int | float) and not isinstance(got, bool)
                and math.isclose(got, want, rel_tol=TOL, abs_tol=TOL))
    if isinstance(want, list):
        return (isinstance(got, list) and len(got) == len(want)
                and all(map(close, got, want)))
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and close(got[k], v)
                                             for k, v in want.items())
    return got == want


def invoke(args: list[str], cwd: Path) -> Result:
    """`cchc ARGS` run in `cwd`, in this process."""
    from cchc_rules.cli import main

    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, args, prog_name="cchc")


def run_case(case: Path, tmp: Path) -> list[str]:
    """The problems of `case` run in a fresh copy under `tmp`; [] when it passes."""
    # YAML 1.2 booleans, as the tool reads its inputs: `target: ON` is the text "ON"
    spec = load_yaml(case / "expect.yaml").data
    work = tmp / case.name
    shutil.copytree(case, work)  # symlinks into ../_shared become plain copies
    args = [str(a) for a in spec["args"]]
    runs = [invoke(args, work) for _ in range(2 if spec.get("repeatable") else 1)]
    done = runs[0]
    out, err = done.stdout, done.stderr
    problems = []
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        problems.append(f"a Python exception reached the user: {done.exception!r}")
    if "exit" in spec and done.exit_code != spec["exit"]:
        problems.append(f"exit {done.exit_code}, expected {spec['exit']}; "
                        f"stderr: {err.strip()[-400:]}")
    if "Traceback (most recent call last)" in err:
        problems.append("a Python traceback reached the user")
    problems += [f"stderr lacks {s!r}; stderr: {err.strip()[-400:]}"
                 for s in spec.get("stderr_has", []) if s not in err]
    if spec.get("stderr_any") and not any(s in err for s in spec["stderr_any"]):
        problems.append(f"stderr has none of {spec['stderr_any']}; stderr: {err.strip()[-400:]}")
    problems += [f"stdout lacks {s!r}" for s in spec.get("stdout_has", []) if s not in out]
    if spec.get("stdout_any") and not any(s in out for s in spec["stdout_any"]):
        problems.append(f"stdout has none of {spec['stdout_any']}")
    problems += [f"{name} exists after the run: input was executed"
                 for name in spec.get("absent", []) if (work / name).exists()]
    if len(runs) == 2 and runs[0].stdout_bytes != runs[1].stdout_bytes:
        problems.append("two runs on the same input printed different bytes")
    if any(k in spec for k in (*LISTS, "summary", "no_results")):
        problems += _json_problems(spec, out)
    return problems


def _json_problems(spec: dict[str, Any], out: str) -> list[str]:
    try:
        doc = json.loads(out)
    except ValueError:
        return [f"stdout is not JSON: {out[:200]!r}"]
    problems = []
    for key in LISTS:
        for want in spec.get(key, []):
            if not any(close(got, want) for got in doc.get(key, [])):
                ident = {k: want[k] for k in IDENTS if k in want}
                near = [g for g in doc.get(key, []) if close(g, ident)]
                problems.append(f"{key}: no match for {want}; nearest: {near[:2]}")
    problems += [f"results: there should be no result {unwanted}"
                 for unwanted in spec.get("no_results", [])
                 if any(close(got, unwanted) for got in doc.get("results", []))]
    if "summary" in spec and not close(doc.get("summary", {}), spec["summary"]):
        problems.append(f"summary {doc.get('summary')} != {spec['summary']}")
    return problems
