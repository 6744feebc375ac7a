"""The long-range benchmark: vanilla RNN vs LSTM vs GRU on the adding problem (Chapter 5).

Every (cell, length, seed) is one `rnncourse.analysis.longrange.train_run` with the same budget
of --steps updates (a run stops sooner once it is solved), so the results are the same on
any machine however fast or busy; runs go to --workers processes, one thread each,
longest first, and the results file is rewritten after each finished run. "lstm" uses
forget-gate bias 1, "lstm-b0" the same LSTM with forget-gate bias 0.

    python scripts/long_range.py                      # the full sweep -> results/long_range.json
    python scripts/long_range.py --tiny --out /tmp/lr.json   # seconds, for the tests
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, replace
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnncourse.analysis.longrange import RunConfig, train_run  # noqa: E402
from rnncourse.data.tasks import ADDING_BASELINE_MSE  # noqa: E402

VARIANTS = {"rnn": ("rnn", None), "lstm": ("lstm", 1.0), "lstm-b0": ("lstm", 0.0),
            "gru": ("gru", None)}  # name -> (torch cell, forget-gate bias)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", default="rnn,lstm,lstm-b0,gru", help="comma-separated variants")
    ap.add_argument("--lengths", default="25,50,100,200,400", help="comma-separated T")
    ap.add_argument("--seeds", type=int, default=5, help="seeds 0..n-1 per (cell, T)")
    ap.add_argument("--steps", type=int, default=RunConfig.max_steps, help="updates per run")
    ap.add_argument("--budget", type=float, default=float("inf"),
                    help="optional cap on training CPU seconds per run (default: none; "
                         "a cap makes results depend on the machine)")
    ap.add_argument("--workers", type=int, default=2, help="parallel processes")
    ap.add_argument("--H", type=int, default=RunConfig.H)
    ap.add_argument("--B", type=int, default=RunConfig.B)
    ap.add_argument("--lr", type=float, default=RunConfig.lr)
    ap.add_argument("--tiny", action="store_true",
                    help="a few seconds: rnn,lstm at T=10 with H=8, 1 seed, 40 steps")
    ap.add_argument("--out", default=str(ROOT / "results" / "long_range.json"))
    args = ap.parse_args(argv)
    if args.tiny:
        args.cells, args.lengths, args.seeds, args.steps, args.H = "rnn,lstm", "10", 1, 40, 8
        args.workers = 1
    return args


def one_run(job: tuple[str, int, int, float, RunConfig]) -> dict:
    """Worker: one training run on one thread."""
    import torch
    torch.set_num_threads(1)
    name, T, seed, budget, cfg = job
    cell, fb = VARIANTS[name]
    if fb is not None:
        cfg = replace(cfg, forget_bias=fb)
    wall = time.perf_counter()
    result = train_run(cell, T, seed, budget, cfg)
    result["variant"] = name
    result["wall_s"] = round(time.perf_counter() - wall, 3)
    return result


def _results(jobs: list, workers: int):
    """Finished runs as they complete: in this process if workers == 1, else in a pool."""
    if workers == 1:
        yield from map(one_run, jobs)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for fut in as_completed([pool.submit(one_run, job) for job in jobs]):
            yield fut.result()


def write(path: Path, meta: dict, runs: list[dict]) -> None:
    runs = sorted(runs, key=lambda r: (list(VARIANTS).index(r["variant"]), r["T"], r["seed"]))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"meta": meta, "runs": runs}, indent=1) + "\n")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    cfg = RunConfig(H=args.H, B=args.B, lr=args.lr, max_steps=args.steps)
    names = args.cells.split(",")
    unknown = set(names) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"long_range.py: unknown cells {sorted(unknown)}; "
                         f"choose from {list(VARIANTS)}")
    lengths = [int(t) for t in args.lengths.split(",")]
    jobs = [(n, T, s, args.budget, cfg) for T in sorted(lengths, reverse=True)
            for n in names for s in range(args.seeds)]
    meta = {"command": "python scripts/long_range.py " + " ".join(argv or sys.argv[1:]),
            "task": "adding problem", "baseline_mse": ADDING_BASELINE_MSE,
            "solved_below": cfg.solved_frac * ADDING_BASELINE_MSE, "budget_steps": args.steps,
            "budget_cpu_s": None if args.budget == float("inf") else args.budget,
            "threads_per_run": 1, "workers": args.workers, "optimiser": "Adam",
            "config": asdict(cfg), "variants": {n: VARIANTS[n] for n in names},
            "lengths": lengths, "seeds": args.seeds, "machine": platform.machine(),
            "cpus": os.cpu_count()}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    runs: list[dict] = []
    start = time.perf_counter()
    for r in _results(jobs, args.workers):
        runs.append(r)
        meta["wall_s"] = round(time.perf_counter() - start, 1)
        write(out, meta, runs)
        print(f"[{meta['wall_s']:7.1f}s] {r['variant']:8s} T={r['T']:4d} seed={r['seed']} "
              f"steps={r['steps']:5d} val_mse={r['val_mse']:.4f} solved={r['solved']}",
              flush=True)


if __name__ == "__main__":
    main()
