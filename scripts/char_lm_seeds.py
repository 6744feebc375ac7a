"""Chapter 3's character-level tanh RNN language model over several seeds and step sizes.

The chapter trains one model live (base seed 0). This script trains the same
configuration for --seeds seeds and each Adagrad step size in --lrs, on the same split
of the pydoc corpus, and writes every run's validation curve, which the chapter reads to
state what holds across seeds (median and range) and how the step size matters. Run s
uses the generator np.random.default_rng([s, 2]), the stream the chapter uses with base
seed s. Runs go to --workers processes, one BLAS thread each. Budgets are in steps.

    python scripts/char_lm_seeds.py            # -> results/char_lm_seeds.json (~5 min)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The chapter's configuration (book/03-bptt.ipynb asserts that it still is).
CONFIG = dict(H=128, T=32, B=32, lr=0.05, steps=1750, clip=5.0, eval_every=250,
              sample_every=250, sample_len=400)


def one_run(job: tuple[int, float]) -> dict:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import numpy as np

    from rnncourse.data import chardata
    from rnncourse.scratch import training

    seed, lr = job
    text = chardata.load_pydoc_corpus()
    vocab = chardata.Vocab(text)
    train_ids, val_ids = chardata.split_train_val(vocab.encode(text), 0.9)
    config = replace(training.TrainConfig(**CONFIG), lr=lr, progress=False)
    hist = training.train_char_lm(train_ids, len(vocab), config,
                                  np.random.default_rng([seed, 2]), val=val_ids)
    return {"seed": seed, "lr": lr, "val_step": hist.val_step,
            "val_loss": [round(v, 5) for v in hist.val_loss],
            "max_grad_norm": round(max(hist.grad_norm), 3),
            "clipped_fraction": round(sum(n > config.clip for n in hist.grad_norm)
                                      / len(hist.grad_norm), 4),
            "seconds": round(hist.seconds, 1)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--lrs", default="0.02,0.05,0.1", help="comma-separated step sizes")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "results" / "char_lm_seeds.json"))
    args = ap.parse_args(argv)
    jobs = [(s, float(lr)) for lr in args.lrs.split(",") for s in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        runs = list(pool.map(one_run, jobs))
    from rnncourse.scratch import training
    config = asdict(replace(training.TrainConfig(**CONFIG), progress=False))
    Path(args.out).write_text(json.dumps({"config": config, "runs": runs}, indent=1) + "\n")
    print(f"wrote {len(runs)} runs to {args.out}")


if __name__ == "__main__":
    main()
