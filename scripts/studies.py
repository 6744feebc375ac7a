"""What the study scripts share: one thread per run, runs spread over worker processes,
one JSON file of results with the configuration that made them.

    from studies import one_thread, run_study
    run_study(__doc__, "dates_seeds.json", VARIANTS, one_run, {"config": CONFIG})

runs one_run((variant, seed)) for every variant and --seeds seeds (seeds 0, 1, ...), on
--workers processes, and writes {**header, "runs": [...], "wall_s", "cpus"}.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "results"


def one_thread() -> None:
    """Call first in a run: one BLAS/OpenMP thread, so that two runs share two cores."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def run_study(doc: str, filename: str, variants, one_run, header: dict,
              seeds: int = 3) -> dict:
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=seeds)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(RESULTS / filename))
    args = ap.parse_args()
    jobs = [(v, s) for s in range(args.seeds) for v in variants]
    start = time.time()
    with ProcessPoolExecutor(args.workers) as pool:
        runs = list(pool.map(one_run, jobs))
    out = {**header, "runs": runs, "wall_s": round(time.time() - start, 1),
           "cpus": os.cpu_count()}
    Path(args.out).write_text(json.dumps(out, indent=1))
    print(f"wrote {args.out} in {out['wall_s']} s")
    return out
