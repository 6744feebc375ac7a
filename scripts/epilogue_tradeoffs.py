"""Chapter 9's comparison: recurrent encoder-decoders and a small Transformer on digit
reversal (Chapter 7's length task), over seeds.

Seven models, each trained the same number of updates with the same recipe (Adam on 32
fresh pairs per update, the step size decaying linearly to 5% of its start, gradients
clipped at 1) on source lengths uniform in 5..30, then tested greedily on fresh strings
of fixed lengths up to 50 (beyond the longest trained on):

- models.seq2seq.Seq2Seq with cell "rnn", "lstm" or "gru", without attention (one fixed
  context) and with additive attention (E=16, H=64: a bidirectional encoder, a decoder of
  size 128);
- models.transformer.Transformer (D=64, 4 heads, 2 encoder and 2 decoder layers, a
  feed-forward size of 128), of about the same number of parameters.

Reported per run: parameters, CPU milliseconds per update on one thread (process time of
the whole training loop over its updates), final training loss, and per test length the
exact match and the fraction of output digits right (position by position; a missing digit
counts as wrong). Seed s uses torch.manual_seed(s) for the initialisation,
np.random.default_rng([s, 91]) for the training pairs and np.random.default_rng([s, 92])
for the test strings. Budgets are in updates.

    python scripts/epilogue_tradeoffs.py            # -> results/epilogue_tradeoffs.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studies import one_thread, run_study  # noqa: E402

CONFIG = dict(E=16, H=64, D=64, heads=4, layers=2, ff=128, B=32, steps=1000, lr=3e-3,
              decay_floor=0.05, clip=1.0, train_lengths=[5, 30], n_test=200,
              test_lengths=[5, 10, 15, 20, 25, 30, 35, 40, 50])
VARIANTS = ["rnn-none", "rnn-additive", "lstm-none", "lstm-additive", "gru-none",
            "gru-additive", "transformer"]


def build(kind: str, V: int, c: dict):
    from rnncourse.models import seq2seq, transformer

    if kind == "transformer":
        return transformer.Transformer(V, V, D=c["D"], heads=c["heads"], layers=c["layers"],
                                       ff=c["ff"])
    cell, attention = kind.split("-")
    return seq2seq.Seq2Seq(V, V, E=c["E"], H=c["H"], cell=cell,
                           attention=None if attention == "none" else attention)


def one_run(job):
    one_thread()
    import numpy as np
    import torch

    from rnncourse.analysis import decoding
    from rnncourse.data import chardata, tasks
    from rnncourse.models import seq2seq
    from rnncourse.models.train import fit, linear_decay

    torch.set_num_threads(1)
    kind, seed = job
    c = CONFIG
    vocab = chardata.TokenVocab("0123456789")
    torch.manual_seed(seed)
    model = build(kind, len(vocab), c)
    lo, hi = c["train_lengths"]
    batch = seq2seq.pair_batches(lambda n, g: tasks.digit_reversal(n, (lo, hi), g),
                                 vocab, vocab, c["B"], np.random.default_rng([seed, 91]))
    start = time.process_time()
    hist = fit(model, batch, c["steps"], lr=c["lr"], clip=c["clip"],
               schedule=linear_decay(c["steps"], c["decay_floor"]))
    cpu = time.process_time() - start
    test_rng = np.random.default_rng([seed, 92])
    exact, digits = decoding.length_sweep(model, vocab, tasks.digit_reversal,
                                          c["test_lengths"], c["n_test"], test_rng)
    return dict(kind=kind, seed=seed, params=sum(p.numel() for p in model.parameters()),
                ms_per_update=round(1000 * cpu / c["steps"], 1), exact=exact, digits=digits,
                final_loss=float(hist.losses[-50:].mean()))


if __name__ == "__main__":
    run_study(__doc__, "epilogue_tradeoffs.json", VARIANTS, one_run, {"config": CONFIG},
              seeds=3)
