"""Chapter 8's doubly stochastic penalty over its weight lambda.

The soft-attention captioner of the study `captioning` (its sizes, recipe and data streams:
`captioning.train`) trained with Xu et al.'s penalty lambda * sum_l (1 - sum_t alpha_tl)^2
added to the mean cross-entropy, for each lambda in VARIANTS (0: no penalty, the
`captioning` study's "attention" captioner), five seeds. Each run records:

    loss       on `n_loss` fresh training scenes (stream [seed, LOSS]) after training: the
               mean cross-entropy, the penalty sum_l (1 - coverage_l)^2, lambda times it,
               and `share`, the penalty's part of the total loss
    coverage   the mean over scenes and positions of |1 - sum_t alpha_tl|, and `peak`, the
               mean over words of the largest weight (1: all on one position; 1/36 uniform)
    test       `captioning.evaluate` on the held-out scenes: exact match, facts, and the
               attention mass in the box of the object each word names, per kind of word,
               with chance

    python -m rnncourse.studies penalty_sweep     # -> results/penalty_sweep.json
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from rnncourse.studies.captioning import Recipe

SEEDS = 5
VARIANTS = [0.0, 1e-4, 1e-3, 3e-3, 1e-2]
LOSS = 16            # NumPy stream [seed, LOSS]: the scenes the final loss is measured on


@dataclass
class Config(Recipe):            # captioning's sizes and recipe, and:
    n_test: int = 500            # held-out test scenes (captioning's stream [seed, TEST])
    max_len: int = 14
    n_loss: int = 256            # fresh training scenes the final loss is split on


SMOKE = Config(D=8, E=8, H=8, B=4, steps=3, n_test=6, n_loss=4)


def captioning_config(config: Config, lam: float):
    """The captioning.Config of one lambda."""
    from rnncourse.studies import captioning

    fields = {k: v for k, v in asdict(config).items() if k != "n_loss"}
    return replace(captioning.Config(), **fields, penalty=float(lam))


def loss_parts(model, seed: int, config: Config, lam: float) -> dict:
    """The trained captioner's cross-entropy and penalty on n_loss fresh training scenes."""
    import torch

    from rnncourse.data import scenes
    from rnncourse.data.specials import PAD
    from rnncourse.models import search, vision
    from rnncourse.models.captioning import doubly_stochastic
    from rnncourse.studies import captioning

    sc = scenes.sample(config.n_loss, np.random.default_rng([seed, LOSS]))
    ids, _ = captioning.vocab().batch([s.caption for s in sc], eos=True)
    targets = torch.from_numpy(ids)
    model.eval()
    with torch.no_grad():
        logits, weights = model.teacher_forced(vision.as_tensor([s.image for s in sc]), targets)
        real = targets != PAD
        ce = float(search.sequence_loss(logits, targets))
        pen = float(doubly_stochastic(weights, real))
        coverage = (weights * real[..., None]).sum(1)                  # (n, L)
        peak = float(weights.max(-1).values[real].mean())
    weighted = lam * pen
    return {"cross_entropy": ce, "penalty": pen, "weighted_penalty": weighted,
            "share": weighted / (ce + weighted),
            "coverage_gap": float((1 - coverage).abs().mean()), "peak": peak}


def run(variant: float, seed: int, config: Config) -> dict:
    from rnncourse.studies import captioning

    lam = float(variant)
    cc = captioning_config(config, lam)
    model, untrained, history = captioning.train("attention+penalty" if lam else "attention",
                                                 seed, cc)
    test = captioning.test_sets(seed, cc)["test"]
    scores, _, _ = captioning.evaluate(model, untrained, test, cc)
    keep = ("exact", "facts", "mass", "chance")
    return {"train_cpu_s": round(history.cpu_s, 2),
            "final_train_loss": float(history.losses[-20:].mean()),
            "loss": loss_parts(model, seed, config, lam),
            "test": {k: scores[k] for k in keep}}
