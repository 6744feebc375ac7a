"""Chapter 6's character LSTM on standard-library source, over several seeds.

The chapter trains one model live (base seed 0) and searches its cells for ones that
track properties of the code. This script repeats exactly that for --seeds seeds, and
trains Chapter 3's NumPy tanh RNN on the same split with the same number of characters
read, and writes every run's held-out curve and cell-search table, which the chapter
reads to state what holds across seeds. Seed s uses torch.manual_seed(s) for the
initialisation and np.random.default_rng([s, 6]) for the training windows, as the chapter
does with base seed s. Runs go to --workers processes, one thread each. Budgets are in
steps.

    python scripts/char_lstm_seeds.py          # -> results/char_lstm_seeds.json (~4 min)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The chapter's configuration (book/06-pytorch-rnns.ipynb asserts that it still is).
CONFIG = dict(H=128, E=32, B=32, T=64, steps=1000, lr=6e-3, clip=1.0, eval_every=250,
              frac=0.9, probe_chars=4000)
# Chapter 3's NumPy RNN, with as many characters read: 2000 x 32 x 32 = 1000 x 32 x 64.
RNN_CONFIG = dict(H=128, T=32, B=32, lr=0.05, steps=2000, clip=5.0, eval_every=500)


def data():
    from rnncourse.data import chardata, pysource

    text, labels = pysource.labelled_stdlib(chardata.DEFAULT_MODULES)
    vocab = chardata.Vocab(text)
    ids = vocab.encode(text)
    n_train = int(len(ids) * CONFIG["frac"])
    return text, labels, vocab, ids[:n_train], ids[n_train:], n_train


def lstm_run(seed: int) -> dict:
    import numpy as np
    import torch

    from rnncourse.analysis import interpretable
    from rnncourse.models import charlm

    torch.set_num_threads(1)
    text, labels, vocab, train_ids, val_ids, n_train = data()
    torch.manual_seed(seed)
    model = charlm.CharLSTM(len(vocab), CONFIG["H"], E=CONFIG["E"])
    probe = slice(n_train, n_train + CONFIG["probe_chars"])
    untrained = model.cell_states(val_ids[:CONFIG["probe_chars"]])
    start = time.process_time()
    hist, val = charlm.train(model, train_ids, CONFIG["steps"], B=CONFIG["B"], T=CONFIG["T"],
                             lr=CONFIG["lr"], clip=CONFIG["clip"],
                             rng=np.random.default_rng([seed, 6]), val_ids=val_ids,
                             eval_every=CONFIG["eval_every"])
    cpu = time.process_time() - start
    trained = model.cell_states(val_ids[:CONFIG["probe_chars"]])
    props = {k: v[probe] for k, v in labels.properties().items()}
    table = [vars(s) for s in interpretable.search(trained, untrained, props)]
    return {"model": "lstm", "seed": seed, "val_step": list(val), "val_loss": list(val.values()),
            "cpu_s": round(cpu, 1), "cells": table,
            "interpretable": sorted(interpretable.interpretable(trained, untrained, props))}


def rnn_run(seed: int) -> dict:
    import numpy as np

    from rnncourse.scratch import training

    _, _, vocab, train_ids, val_ids, _ = data()
    cfg = training.TrainConfig(**RNN_CONFIG, sample_every=10**9, progress=False, seed=seed)
    start = time.process_time()
    hist = training.train_char_lm(train_ids, len(vocab), cfg, np.random.default_rng([seed, 3]),
                                  val=val_ids)
    return {"model": "numpy rnn", "seed": seed, "val_step": list(hist.val_step),
            "val_loss": [float(v) for v in hist.val_loss],
            "cpu_s": round(time.process_time() - start, 1)}


def job(spec):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    kind, seed = spec
    return lstm_run(seed) if kind == "lstm" else rnn_run(seed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--rnn-seeds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "results" / "char_lstm_seeds.json"))
    args = ap.parse_args()
    from rnncourse.classical import ngram

    _, _, vocab, train_ids, val_ids, _ = data()
    baselines = {}
    for n in (1, 2, 3, 4, 5):          # each order with its best alpha on the held-out text
        baselines[n] = min((ngram.ngram_loss(train_ids, val_ids, len(vocab), n=n, alpha=a), a)
                           for a in (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0))
    specs = [("lstm", s) for s in range(args.seeds)] + [("rnn", s) for s in range(args.rnn_seeds)]
    start = time.time()
    with ProcessPoolExecutor(args.workers) as pool:
        runs = list(pool.map(job, specs))
    out = {"config": CONFIG, "rnn_config": RNN_CONFIG,
           "ngram": {str(n): {"loss": round(v, 5), "alpha": a} for n, (v, a) in baselines.items()},
           "runs": runs, "wall_s": round(time.time() - start, 1), "cpus": os.cpu_count()}
    Path(args.out).write_text(json.dumps(out, indent=1))
    print(f"wrote {args.out} in {out['wall_s']} s")


if __name__ == "__main__":
    main()
