"""python -m rnncourse.studies NAME|all [--seeds N] [--workers W] [--smoke] [--out PATH]"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from rnncourse.studies import STUDIES, runner  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description="Run a study and write its results file.")
    ap.add_argument("name", help=f"one of {', '.join(sorted(STUDIES))}, or all")
    ap.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (the study's own "
                    "number by default)")
    ap.add_argument("--workers", type=int, default=2, help="processes (one thread each)")
    ap.add_argument("--smoke", action="store_true", help="the study's tiny setting (tests)")
    ap.add_argument("--out", default=None, help="results file (default results/NAME.json)")
    args = ap.parse_args()
    names = sorted(STUDIES) if args.name == "all" else [args.name]
    if len(names) > 1 and args.out:
        ap.error("--out names one file: give it with one study, not with all")
    for name in names:
        results = runner.run_study(name, args.seeds, args.workers, args.smoke, args.out)
        print(f"{name}: {len(results.runs)} runs in {results.provenance['wall_s']} s")


if __name__ == "__main__":
    main()
