"""Chapter 10's state-tracking study: running parity, trained on short sequences and
tested on far longer ones, for six recurrent layers (models.tracking.LAYERS): the tanh
RNN, LSTM and GRU, minGRU, and a diagonal linear RNN whose input-dependent decays lie in
(0, 1) ("linear-positive") or in (-1, 1) ("linear-signed").

A sequence is a start token followed by T bits (data.tasks.parity); the target at every
bit is the parity of the bits so far. Every update draws its length T uniformly from
`train_lengths` (one length per batch) and its bits from the stream [seed, TRAIN]; the
model is a models.tracking.StepTagger built under `seeded(seed)`. After `steps` updates
(Adam, clipped), each test length L draws `n_test` sequences from the stream
[seed, TEST, L] and records the accuracy at the last bit and over every bit after the
longest training length (at L within the training lengths: over every bit).

Grazzi et al. (ICLR 2025) prove that linear RNNs whose transition matrices have only
positive eigenvalues cannot solve parity in finite precision, and find that extending
the range to negative values lets them learn it; this study checks the claim at laptop
scale (one layer, small widths). Budgets are in updates.

    python -m rnncourse.studies parity        # -> results/parity.json (5 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SEEDS = 5
TRAIN, TEST = 41, 42                       # NumPy streams (see the docstring)
VARIANTS = ["rnn", "lstm", "gru", "mingru", "linear-positive", "linear-signed"]
START = 2                                  # token ids: bits 0 and 1, then the start token


@dataclass
class Config:
    E: int = 16                  # token embedding size
    H: int = 32                  # recurrent state size
    M: int = 32                  # hidden units of the read-out MLP
    B: int = 64                  # sequences per update
    train_lengths: list = field(default_factory=lambda: [2, 40])   # T drawn from [lo, hi]
    steps: int = 1500            # updates
    lr: float = 3e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    test_lengths: list = field(default_factory=lambda: [40, 100, 256, 1000])
    n_test: int = 256            # sequences per test length


SMOKE = Config(E=4, H=4, M=4, B=4, train_lengths=[2, 5], steps=2, test_lengths=[5, 9],
               n_test=4)


def sequences(B: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Token ids (B, T + 1): the start token, then T bits; targets (B, T + 1): -100 (no
    label) at the start token, then the running parity of the bits."""
    from rnncourse.data import tasks
    from rnncourse.models.tracking import IGNORE

    bits, par = tasks.parity(B, T, rng)
    x = np.concatenate([np.full((B, 1), START), bits], 1)
    y = np.concatenate([np.full((B, 1), IGNORE), par], 1)
    return x, y


def train(kind: str, seed: int, config: Config, progress: bool = False):
    """The StepTagger `kind` trained on parity with the recipe: (model in eval mode,
    training history)."""
    import torch

    from rnncourse.models.seeding import seeded
    from rnncourse.models.tracking import StepTagger
    from rnncourse.models.train import fit

    rng = np.random.default_rng([seed, TRAIN])
    lo, hi = config.train_lengths

    def batch(i):
        x, y = sequences(config.B, int(rng.integers(lo, hi + 1)), rng)
        return torch.from_numpy(x), torch.from_numpy(y)

    with seeded(seed):
        model = StepTagger(kind, 3, 2, E=config.E, H=config.H, M=config.M)
        history = fit(model, batch, config.steps, lr=config.lr, clip=config.clip,
                      progress=progress)
    return model.eval(), history


def accuracy(model, L: int, seed: int, config: Config) -> dict:
    """At test length L: accuracy at the last bit (`last`) and over the bits after the
    longest training length (`beyond`; every bit when L is within the training lengths)."""
    import torch

    x, y = sequences(config.n_test, L, np.random.default_rng([seed, TEST, L]))
    with torch.no_grad():
        pred = model(torch.from_numpy(x))[0].argmax(-1).numpy()
    right = pred[:, 1:] == y[:, 1:]
    start = config.train_lengths[1] if L > config.train_lengths[1] else 0
    return {"L": L, "last": float(right[:, -1].mean()), "beyond": float(right[:, start:].mean())}


def run(kind: str, seed: int, config: Config) -> dict:
    model, history = train(kind, seed, config)
    return {"final_loss": float(history.losses[-20:].mean()),
            "tests": [accuracy(model, L, seed, config) for L in config.test_lengths],
            "train_cpu_s": round(history.cpu_s, 2)}
