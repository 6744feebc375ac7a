"""Chapter 10's recall study: multi-query associative recall (data.tasks.associative_recall)
with a fixed-size state against a growing cache. One layer of models.tracking.StepTagger,
with the one-step causal shift (so the layer reads each value beside its key), for five
layers: the GRU, a diagonal linear RNN with signed decays, linear attention, the delta
rule (DeltaNet) and softmax attention (the reference: it keeps every key and value).

A sequence lists `n_pairs` key-value pairs (distinct keys of 16, values of 16), then
`n_queries` of its keys; at each query the model must name the value. A variant is
(layer, n_pairs, H, lr): H is the layer's width, so the state is H numbers for the GRU and
the linear RNN, H^2 (+ H) for linear attention and the delta rule, and 2 t H at step t for
softmax attention. Recall in recurrent models succeeds only in a narrow range of step
sizes, so every (layer, n_pairs, H) is trained at each of `lrs`; the chapter reports the
best per model and the sweep. Every update draws a batch from the stream [seed, TRAIN];
after `steps` updates the model answers `n_test` sequences from [seed, TEST]: the
fraction of queries right (chance 1/16). Budgets are in updates.

    python -m rnncourse.studies recall        # -> results/recall.json (3 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEEDS = 3
TRAIN, TEST = 45, 46                        # NumPy streams (see the docstring)
LAYERS = ["gru", "linear-signed", "linear-attention", "deltanet", "softmax-attention"]
PAIRS = [4, 8, 16]
WIDTHS = [8, 64]
LRS = [1e-3, 3e-3, 1e-2]
VARIANTS = [[kind, n, H, lr] for kind in LAYERS for n in PAIRS for H in WIDTHS for lr in LRS]
N_KEYS = N_VALUES = 16


@dataclass
class Config:
    n_queries: int = 8           # keys asked after the pairs
    E: int = 32                  # token embedding size
    M: int = 64                  # hidden units of the read-out MLP
    B: int = 32                  # sequences per update
    steps: int = 1000            # updates
    clip: float = 1.0            # global gradient norm clip
    n_test: int = 512            # held-out sequences


SMOKE = Config(n_queries=2, E=4, M=4, B=4, steps=2, n_test=4)


def batch(B: int, n_pairs: int, config: Config, rng: np.random.Generator
          ) -> tuple[np.ndarray, np.ndarray]:
    """Token ids (B, 2 n_pairs + n_queries) and targets of the same shape: -100 (no label)
    except at the queries, where they hold the value's index 0..15."""
    from rnncourse.data import tasks
    from rnncourse.models.tracking import IGNORE

    x, values = tasks.associative_recall(B, n_pairs, config.n_queries, rng, n_keys=N_KEYS,
                                         n_values=N_VALUES)
    y = np.full_like(x, IGNORE)
    y[:, 2 * n_pairs:] = values - N_KEYS
    return x, y


def state_size(kind: str, H: int, T: int) -> int:
    """Numbers a layer keeps to read step T: its state, or softmax attention's cache."""
    if kind == "linear-attention":
        return H * H + H
    if kind == "deltanet":
        return H * H
    if kind == "softmax-attention":
        return 2 * T * H
    return H


def train(variant, seed: int, config: Config, progress: bool = False):
    """The StepTagger of `variant` = [layer, n_pairs, H, lr] trained on recall:
    (model in eval mode, history)."""
    import torch

    from rnncourse.models.seeding import seeded
    from rnncourse.models.tracking import StepTagger
    from rnncourse.models.train import fit

    kind, n_pairs, H, lr = variant
    rng = np.random.default_rng([seed, TRAIN, n_pairs])

    def next_batch(i):
        x, y = batch(config.B, n_pairs, config, rng)
        return torch.from_numpy(x), torch.from_numpy(y)

    with seeded(seed):
        model = StepTagger(kind, N_KEYS + N_VALUES, N_VALUES, E=config.E, H=H, M=config.M,
                           shift=True)
        history = fit(model, next_batch, config.steps, lr=lr, clip=config.clip,
                      progress=progress)
    return model.eval(), history


def accuracy(model, n_pairs: int, seed: int, config: Config) -> float:
    """The fraction of held-out queries answered right."""
    import torch

    x, y = batch(config.n_test, n_pairs, config, np.random.default_rng([seed, TEST, n_pairs]))
    with torch.no_grad():
        pred = model(torch.from_numpy(x))[0].argmax(-1).numpy()[:, 2 * n_pairs:]
    return float((pred == y[:, 2 * n_pairs:]).mean())


def run(variant, seed: int, config: Config) -> dict:
    kind, n_pairs, H, _ = variant
    model, history = train(variant, seed, config)
    return {"final_loss": float(history.losses[-20:].mean()),
            "accuracy": accuracy(model, n_pairs, seed, config),
            "state": state_size(kind, H, 2 * n_pairs + config.n_queries),
            "train_cpu_s": round(history.cpu_s, 2)}
