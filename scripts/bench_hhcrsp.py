"""Benchmark the visit planner's solver on the published HHCRSP instances (Mankowska et al. 2014).

Runs `manage.py solve_hhcrsp FILE --seconds S` (the same command anyone can run on their own
instances) for every instance file in the data folder, one after another, and prints a Markdown
table: instance, patients, best known value, objective, gap %, seconds and whether the
independent check found the plan feasible. Best known values (bks.csv) are only reported: the
solver never sees them.

Run: .venv/bin/python scripts/bench_hhcrsp.py [--data ../shared/data/hhcrsp] [--seconds 30]
     [--seconds-a 5] [--only A1 B3 ...]
(`make bench-hhcrsp`). Progress goes to stderr. Record the table, the command and the machine's
load in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "hhcrsp"


def natural(name: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    return (match.group(1), int(match.group(2))) if match else (name, 0)


def patients(path: Path) -> int:
    lines = path.read_text().split()
    return int(lines[lines.index("nbNodes") + 1]) - 2


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("HHCRSP_DATA", DEFAULT_DATA))
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="time limit per instance")
    parser.add_argument(
        "--seconds-a", type=float, default=5.0, help="time limit for the 10-patient A set"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=None, help="instance names to run")
    args = parser.parse_args()

    bks: dict[str, float] = {}
    bks_file = args.data / "bks.csv"
    if bks_file.exists():
        with bks_file.open() as handle:
            bks = {row["instance"]: float(row["bks"]) for row in csv.DictReader(handle)}
    files = sorted(
        (p for p in args.data.glob("*.txt") if args.only is None or p.stem in args.only),
        key=lambda p: natural(p.stem),
    )
    if not files:
        print(f"no instances in {args.data}", file=sys.stderr)
        return 1

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "crisis_care.config.settings.test"
        ),
    }
    load_before = os.getloadavg()
    rows = []
    gaps: dict[str, list[float]] = {}
    all_feasible = True
    for path in files:
        seconds = args.seconds_a if path.stem.startswith("A") else args.seconds
        command = [
            sys.executable,
            str(ROOT / "manage.py"),
            "solve_hhcrsp",
            str(path),
            "--seconds",
            str(seconds),
            "--seed",
            str(args.seed),
        ]
        # Our own interpreter and manage.py with a file from the data folder: no shell.
        done = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, env=env, cwd=ROOT, check=True
        )
        result = json.loads(done.stdout)
        best = bks.get(path.stem)
        gap = "" if best is None else f"{100 * (result['objective'] / best - 1):+.2f}"
        if best is not None:
            gaps.setdefault(path.stem.rstrip("0123456789"), []).append(
                100 * (result["objective"] / best - 1)
            )
        all_feasible &= bool(result["feasible"])
        row = (
            path.stem,
            str(patients(path)),
            "" if best is None else f"{best:g}",
            f"{result['objective']:.2f}",
            gap,
            f"{result['seconds']:.1f}",
            "yes" if result["feasible"] else "NO",
        )
        rows.append(row)
        print(" ".join(row), file=sys.stderr, flush=True)
    load_after = os.getloadavg()

    print("| instance | patients | bks | objective | gap % | seconds | feasible |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    for name, values in sorted(gaps.items()):
        print(
            f"- set {name}: mean gap {sum(values) / len(values):+.2f} %, worst {max(values):+.2f} % ({len(values)} instances)"
        )
    print(f"- every plan feasible (independent check): {'yes' if all_feasible else 'NO'}")
    print(
        f"- time limits: {args.seconds_a:g} s (A), {args.seconds:g} s (others); seed {args.seed}; "
        f"{os.cpu_count()} cores; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    return 0 if all_feasible else 2


if __name__ == "__main__":
    sys.exit(main())
