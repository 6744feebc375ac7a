"""Chapter 6's pooling study: classify a sequence by its first symbol, over seeds.

models.sequence.Classifier (an LSTM run packed, then one of four poolings over the real
steps) is trained on data.tasks.first_token with lengths uniform in 5..100 for every
pooling, and once more with last-state pooling on lengths 5..20 only; each is then tested
on fresh sequences of fixed lengths up to 200. Seed s uses torch.manual_seed(s) for the
initialisation, np.random.default_rng([s, 9]) for the training batches and
np.random.default_rng([s, 10]) for the test sequences, as the chapter does with base seed
s. Budgets are in steps.

    python scripts/pooling_seeds.py            # -> results/pooling_seeds.json (~2 min)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studies import one_thread, run_study  # noqa: E402

# The chapter's set-up (book/06-pytorch-rnns.ipynb asserts that it still is).
CONFIG = dict(V=8, H=32, E=16, B=32, steps=300, lr=5e-3, clip=1.0, n_test=400,
              test_lengths=[5, 10, 25, 50, 100, 200])
RUNS = [("last", 5, 100), ("mean", 5, 100), ("max", 5, 100), ("attention", 5, 100),
        ("last", 5, 20)]


def one_run(job):
    one_thread()
    import numpy as np
    import torch

    from rnncourse.models import sequence
    from rnncourse.models.train import fit

    torch.set_num_threads(1)
    (pooling, lo, hi), seed = job
    torch.manual_seed(seed)
    model = sequence.Classifier(CONFIG["V"], 2, H=CONFIG["H"], pooling=pooling, E=CONFIG["E"])
    start = time.process_time()
    hist = fit(model, sequence.first_token_batches(CONFIG["B"], lo, hi,
                                                   np.random.default_rng([seed, 9]), CONFIG["V"]),
               CONFIG["steps"], CONFIG["lr"], CONFIG["clip"])
    cpu = time.process_time() - start
    acc = sequence.accuracy_by_length(model, CONFIG["test_lengths"], CONFIG["n_test"],
                                      np.random.default_rng([seed, 10]), CONFIG["V"])
    return {"pooling": pooling, "train_lengths": [lo, hi], "seed": seed,
            "accuracy": {str(k): v for k, v in acc.items()},
            "final_train_loss": float(np.mean(hist.losses[-20:])), "cpu_s": round(cpu, 1)}


def main() -> None:
    run_study(__doc__, "pooling_seeds.json", RUNS, one_run, {"config": CONFIG})


if __name__ == "__main__":
    main()
