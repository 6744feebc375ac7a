"""One runner for every study: each (variant, seed) is one run, on worker processes with one
thread each, and one results file with its provenance.

    python -m rnncourse.studies pooling              # results/pooling.json
    python -m rnncourse.studies pooling --seeds 2 --workers 1 --smoke --out /tmp/p.json
    python -m rnncourse.studies all                  # every study (hours on two cores)

A study is a module of this wing with `Config` (a dataclass, the recorded setting),
`SMOKE` (a tiny Config for tests), `VARIANTS`, `SEEDS` (how many seeds by default),
`run(variant, seed, config) -> dict` and, optionally, `extra(config) -> dict` for what
does not depend on a seed and `WORKERS` (the most processes it may use: 1 for a
benchmark, whose timings a second process would disturb).
"""

from __future__ import annotations

import importlib
import os
import shlex
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

from rnncourse.studies import STUDIES, record


def module(name: str):
    if name not in STUDIES:
        raise ValueError(f"no study {name!r}: the studies are {', '.join(sorted(STUDIES))}")
    return importlib.import_module(f"rnncourse.studies.{STUDIES[name]}")


def one_thread() -> None:
    """One BLAS/OpenMP/torch thread in this process, so that two runs share two cores."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def _one(job) -> dict:
    name, variant, seed, smoke = job
    one_thread()
    study = module(name)
    config = study.SMOKE if smoke else study.Config()
    start = time.process_time()
    out = study.run(variant, seed, config)
    return {"variant": variant, "seed": seed, **out,
            "run_cpu_s": round(time.process_time() - start, 2)}


def run_study(name: str, seeds: int | None = None, workers: int = 2, smoke: bool = False,
              out: Path | None = None, command: str | None = None) -> record.Results:
    """Run every variant of study `name` for `seeds` seeds (0, 1, ...) and write its
    results file (`out`, or results/<name>.json)."""
    study = module(name)
    config = study.SMOKE if smoke else study.Config()
    n = seeds if seeds is not None else (1 if smoke else study.SEEDS)
    workers = min(workers, getattr(study, "WORKERS", workers))   # benchmarks: one process
    jobs = [(name, v, s, smoke) for s in range(n) for v in study.VARIANTS]
    start = time.time()
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            runs = list(pool.map(_one, jobs))
    else:
        runs = [_one(job) for job in jobs]
    extra = study.extra(config) if hasattr(study, "extra") else {}
    command = command or "python -m rnncourse.studies " + shlex.join(sys.argv[1:] or [name])
    results = record.Results(
        study=name, provenance=record.provenance(command, time.time() - start, workers),
        config=asdict(config), variants=list(study.VARIANTS), seeds=list(range(n)),
        runs=runs, extra=extra)
    record.write(results, out)
    return results
