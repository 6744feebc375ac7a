"""Chapter 10's selectivity study: selective copying (data.tasks.selective_copy) with a
diagonal state space whose step size, input and read-out are the same at every step
("ssm-lti", time-invariant) or computed from the token ("ssm-selective", Gu & Dao's
selection), each a stack of `depth` layers (models.tracking.StepTagger), and the GRU for
reference.

A sequence holds `n_tokens` symbols at random positions among T blanks, then n_tokens
"go" markers; at the k-th marker the model must emit the k-th symbol. Every update draws
a batch from the stream [seed, TRAIN]; after `steps` updates (Adam, clipped) the model
answers `n_test` sequences from [seed, TEST]: the fraction of symbols right (`token`) and
of sequences with every symbol right (`exact`); chance is 1 / n_symbols per symbol.

Gu & Dao (2023) introduced the task as one that needs content-aware reasoning: where the
symbols sit changes from sequence to sequence, and a time-invariant model's output is a
fixed convolution of its input, the same weights for a blank as for a symbol. At this
scale (two layers, 32 channels of 4 states) the time-invariant model still gets most
symbols right (results/selective_copy.json); the selective one gets more.
Budgets are in updates.

    python -m rnncourse.studies selective_copy     # -> results/selective_copy.json (5 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEEDS = 5
TRAIN, TEST = 43, 44                        # NumPy streams (see the docstring)
VARIANTS = ["ssm-lti", "ssm-selective", "gru"]


@dataclass
class Config:
    T: int = 48                  # positions holding the symbols among blanks
    n_tokens: int = 4            # symbols to copy
    n_symbols: int = 8           # symbol vocabulary (ids 1..n_symbols; 0 blank, then "go")
    H: int = 32                  # channels (the GRU: hidden units)
    N: int = 4                   # states per channel of the state spaces
    depth: int = 2               # layers (models.tracking.StepTagger's residual stack)
    M: int = 64                  # hidden units of the read-out MLP
    B: int = 32                  # sequences per update
    steps: int = 2000            # updates
    lr: float = 3e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    n_test: int = 512            # held-out sequences


SMOKE = Config(T=6, n_tokens=2, n_symbols=3, H=4, N=2, depth=2, M=4, B=4, steps=2, n_test=4)


def batch(B: int, config: Config, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Token ids (B, T + n_tokens) and targets of the same shape: -100 (no label) except
    at the n_tokens markers, where they hold the symbols in order."""
    from rnncourse.data import tasks
    from rnncourse.models.tracking import IGNORE

    x, symbols = tasks.selective_copy(B, config.T, config.n_tokens, rng,
                                      n_symbols=config.n_symbols)
    y = np.full_like(x, IGNORE)
    y[:, config.T:] = symbols
    return x, y


def train(kind: str, seed: int, config: Config, progress: bool = False):
    """The StepTagger `kind` trained on selective copying: (model in eval mode, history)."""
    import torch

    from rnncourse.models.seeding import seeded
    from rnncourse.models.tracking import StepTagger
    from rnncourse.models.train import fit

    rng = np.random.default_rng([seed, TRAIN])
    V = config.n_symbols + 2

    def next_batch(i):
        x, y = batch(config.B, config, rng)
        return torch.from_numpy(x), torch.from_numpy(y)

    with seeded(seed):
        model = StepTagger(kind, V, V, H=config.H, M=config.M, N=config.N, depth=config.depth)
        history = fit(model, next_batch, config.steps, lr=config.lr, clip=config.clip,
                      progress=progress)
    return model.eval(), history


def accuracy(model, seed: int, config: Config) -> dict:
    """`token`: the fraction of symbols right; `exact`: of sequences with all right."""
    import torch

    x, y = batch(config.n_test, config, np.random.default_rng([seed, TEST]))
    with torch.no_grad():
        pred = model(torch.from_numpy(x))[0].argmax(-1).numpy()[:, config.T:]
    right = pred == y[:, config.T:]
    return {"token": float(right.mean()), "exact": float(right.all(1).mean())}


def run(kind: str, seed: int, config: Config) -> dict:
    model, history = train(kind, seed, config)
    return {"final_loss": float(history.losses[-20:].mean()), **accuracy(model, seed, config),
            "train_cpu_s": round(history.cpu_s, 2)}
