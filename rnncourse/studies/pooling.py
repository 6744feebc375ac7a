"""Chapter 6's pooling study: classify a sequence by its first symbol.

models.sequence.Classifier (an LSTM run packed, then one of four poolings over the real
steps) is trained on data.tasks.first_token with lengths uniform in 5..100 for every
pooling, and once more with last-state pooling on lengths 5..20 only; each is then tested
on fresh sequences of fixed lengths up to 200. Budgets are in updates. Seed s seeds torch
(`models.seeding.seeded(s)`) for the initialisation and training, and the streams
[s, TRAIN] and [s, TEST] for the batches and the test sequences.

    python -m rnncourse.studies pooling        # -> results/pooling.json (5 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SEEDS = 5
TRAIN, TEST = 9, 10           # NumPy streams: training batches, test sequences
# (pooling, shortest, longest training length)
VARIANTS = [["last", 5, 100], ["mean", 5, 100], ["max", 5, 100], ["attention", 5, 100],
            ["last", 5, 20]]


@dataclass
class Config:
    V: int = 8                   # symbols
    H: int = 32                  # LSTM units
    E: int = 16                  # embedding size
    B: int = 32                  # sequences per update
    steps: int = 300             # updates
    lr: float = 5e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    n_test: int = 400            # test sequences per length
    test_lengths: list = field(default_factory=lambda: [5, 10, 25, 50, 100, 200])


SMOKE = Config(H=8, E=4, B=8, steps=3, n_test=10, test_lengths=[5, 10])


def train(pooling: str, lo: int, hi: int, seed: int, config: Config):
    """A classifier with `pooling` trained on lengths lo..hi: (model, training history)."""
    from rnncourse.models import sequence
    from rnncourse.models.seeding import seeded
    from rnncourse.models.train import fit

    with seeded(seed):
        model = sequence.Classifier(config.V, 2, H=config.H, pooling=pooling, E=config.E)
        history = fit(model, sequence.first_token_batches(
            config.B, lo, hi, np.random.default_rng([seed, TRAIN]), config.V),
            config.steps, config.lr, config.clip)
    return model, history


def accuracy(model, seed: int, config: Config) -> dict[int, float]:
    """Accuracy by test length on the test stream of `seed`."""
    from rnncourse.models import sequence

    return sequence.accuracy_by_length(model, config.test_lengths, config.n_test,
                                       np.random.default_rng([seed, TEST]), config.V)


def run(variant, seed: int, config: Config) -> dict:
    pooling, lo, hi = variant
    model, history = train(pooling, lo, hi, seed, config)
    acc = accuracy(model, seed, config)
    return {"accuracy": {str(k): v for k, v in acc.items()},
            "final_train_loss": float(np.mean(history.losses[-20:]))}
