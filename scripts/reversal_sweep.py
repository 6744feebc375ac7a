"""Chapter 7's length study: digit reversal with and without attention, over seeds.

models.seq2seq.Seq2Seq without attention (one fixed context vector, Cho et al. 2014) and
with additive attention (Bahdanau et al. 2015) is trained on data.tasks.digit_reversal with
source lengths uniform in 5..40, the same number of updates each (Adam, the step size
decaying linearly to 5% of its start: the recipe of Chapter 7), then tested greedily on
fresh strings of fixed lengths, up to 60 (beyond the longest trained on, as Bahdanau et
al.'s Figure 2 tests sentences longer than its models were trained on). Reported per
length: exact match and the fraction of output digits right (position by position, a
missing digit counts as wrong). Seed s uses torch.manual_seed(s) for the initialisation,
np.random.default_rng([s, 71]) for the training batches and np.random.default_rng([s, 72])
for the test strings. Budgets are in steps.

    python scripts/reversal_sweep.py            # -> results/reversal_sweep.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studies import one_thread, run_study  # noqa: E402

CONFIG = dict(E=16, H=64, B=32, steps=2000, lr=5e-3, decay_floor=0.05, clip=1.0,
              train_lengths=[5, 40], n_test=200, test_lengths=[5, 10, 15, 20, 30, 40, 50, 60])
VARIANTS = ["none", "additive"]


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
    model = seq2seq.Seq2Seq(len(vocab), len(vocab), E=c["E"], H=c["H"],
                            attention=None if kind == "none" else kind)
    lo, hi = c["train_lengths"]
    batch = seq2seq.pair_batches(lambda n, g: tasks.digit_reversal(n, (lo, hi), g),
                                 vocab, vocab, c["B"], np.random.default_rng([seed, 71]))
    start = time.process_time()
    hist = fit(model, batch, c["steps"], lr=c["lr"], clip=c["clip"],
               schedule=linear_decay(c["steps"], c["decay_floor"]))
    cpu = time.process_time() - start
    test_rng = np.random.default_rng([seed, 72])
    exact, digits = decoding.length_sweep(model, vocab, tasks.digit_reversal,
                                          c["test_lengths"], c["n_test"], test_rng)
    return dict(kind=kind, seed=seed, exact=exact, digits=digits, cpu_s=round(cpu, 1),
                final_loss=float(hist.losses[-50:].mean()))


if __name__ == "__main__":
    run_study(__doc__, "reversal_sweep.json", VARIANTS, one_run, {"config": CONFIG}, seeds=3)
