"""Chapter 8's hard-attention captioner, trained with REINFORCE, against soft attention.

Both captioners are `models.captioning.Captioner` with the `captioning` study's sizes,
recipe and training scenes (`captioning.caption_batches`, stream [seed, TRAIN]); "hard"
reads one sampled grid position per word and trains its scores by REINFORCE with Xu et
al.'s moving-average baseline and an entropy term (`entropy`), "soft" is the `captioning`
study's "attention" captioner. Each run records:

    test       `captioning.evaluate` on the held-out scenes (eval mode: hard attention
               reads the most probable position; the maps are the weights alpha):
               exact match, facts, attention mass in the named object's box, chance
    cost       CPU milliseconds per update (one thread)
    gradient   after training, the gradient of the loss with respect to the attention
               scorer's parameters, `k` times: on one fixed batch (stream [seed, GRAD]),
               where only hard attention's sampled positions change between evaluations,
               and on `k` fresh batches (stream [seed, GRAD + 1]); for each, the total
               variance over the k evaluations (summed over parameters) and the squared
               norm of their mean

    python -m rnncourse.studies hard_attention     # -> results/hard_attention.json
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, replace

import numpy as np

from rnncourse.studies.captioning import Recipe

SEEDS = 5
VARIANTS = ["soft", "hard"]
GRAD = 18            # NumPy streams [seed, GRAD] (one fixed batch) and [seed, GRAD + 1]


@dataclass
class Config(Recipe):            # captioning's sizes and recipe, and:
    n_test: int = 500
    max_len: int = 14
    entropy: float = 0.01        # weight of the entropy of alpha in hard attention's loss
    k: int = 20                  # gradient evaluations for the variance


SMOKE = Config(D=8, E=8, H=8, B=4, steps=3, n_test=6, k=3)


def captioning_config(config: Config):
    from rnncourse.studies import captioning

    fields = {k: v for k, v in asdict(config).items() if k not in ("entropy", "k")}
    return replace(captioning.Config(), **fields, penalty=0.0)


def build(variant: str, config: Config):
    """The untrained captioner of a variant (call inside `seeded`)."""
    from rnncourse.models import captioning
    from rnncourse.studies.captioning import vocab

    hard = variant == "hard"
    return captioning.Captioner(len(vocab()), D=config.D, E=config.E, H=config.H,
                                hard=hard, entropy=config.entropy if hard else 0.0)


def train(variant: str, seed: int, config: Config, progress: bool = False):
    """(trained captioner, the same untrained, training history)."""
    from rnncourse.models.seeding import seeded
    from rnncourse.models.train import fit, linear_decay
    from rnncourse.studies import captioning

    with seeded(seed):
        model = build(variant, config)
        history = fit(model, captioning.caption_batches(seed, captioning_config(config)),
                      config.steps, lr=config.lr, clip=config.clip,
                      schedule=linear_decay(config.steps, config.decay_floor),
                      progress=progress)
    with seeded(seed):
        untrained = build(variant, config)
    return model, untrained, history


def _batch(rng, config: Config):
    import torch

    from rnncourse.data import scenes
    from rnncourse.models import vision
    from rnncourse.studies.captioning import vocab

    sc = scenes.sample(config.B, rng)
    ids, _ = vocab().batch([s.caption for s in sc], eos=True)
    return vision.as_tensor([s.image for s in sc]), torch.from_numpy(ids)


def gradient_spread(model, seed: int, config: Config) -> dict:
    """The attention scorer's gradient, k times on one batch and on k fresh batches: total
    variance and squared norm of the mean, for each (on a copy in training mode)."""
    import torch

    from rnncourse.models.seeding import seeded

    m = copy.deepcopy(model).train()
    params = list(m.attn.parameters())
    fixed = _batch(np.random.default_rng([seed, GRAD]), config)
    fresh = np.random.default_rng([seed, GRAD + 1])
    out = {}
    with seeded(seed):                          # hard attention's samples
        for name, batches in (("fixed_batch", [fixed] * config.k),
                              ("fresh_batches", [_batch(fresh, config) for _ in range(config.k)])):
            grads = []
            for x, y in batches:
                m.zero_grad()
                m(x, y)[1].backward()
                grads.append(torch.cat([p.grad.flatten() for p in params]).double())
            G = torch.stack(grads)
            out[name] = {"variance": float(G.var(0, unbiased=True).sum()),
                         "mean_sq": float((G.mean(0) ** 2).sum())}
    return out


def run(variant: str, seed: int, config: Config) -> dict:
    from rnncourse.studies import captioning

    model, untrained, history = train(variant, seed, config)
    cc = captioning_config(config)
    scores, _, _ = captioning.evaluate(model, untrained, captioning.test_sets(seed, cc)["test"],
                                       cc)
    return {"train_cpu_s": round(history.cpu_s, 2),
            "ms_per_update": round(1000 * history.cpu_s / config.steps, 2),
            "test": {k: scores[k] for k in ("exact", "facts", "mass", "chance")},
            "gradient": gradient_spread(model, seed, config)}
