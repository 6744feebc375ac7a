"""Chapter 6's sequence labeller on standard-library source: depths, directions, seeds.

Every character of the source is tagged by `tokenize` (data.pysource.TAGS: space, name,
called name, number, string, comment, operator); whether a name is *called* shows only in
what follows it, so a model that reads left to right cannot know it when it reads the name.
models.sequence.Tagger is trained for every variant on the first `frac` of the text and
scored on the rest: held-out accuracy, the recall of every tag, and the CPU time per
update (one thread). Seed s seeds torch (`models.seeding.seeded(s)`) for the
initialisation and training, and the stream [s, TRAIN] for the training windows. Budgets
are in updates.

    python -m rnncourse.studies tagging        # -> results/tagging.json (3 seeds, ~4 min)
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np

SEEDS = 3
TRAIN = 8                     # NumPy stream: training windows
# (name, layers, bidirectional, H per direction); "uni 1, H=96" has about as many
# parameters as "bi 1"
VARIANTS = [["uni 1", 1, False, 64], ["uni 2", 2, False, 64], ["uni 3", 3, False, 64],
            ["uni 1, H=96", 1, False, 96],
            ["bi 1", 1, True, 64], ["bi 2", 2, True, 64], ["bi 3", 3, True, 64]]


@dataclass
class Config:
    E: int = 32                  # character embedding size
    B: int = 32                  # windows per update
    T: int = 80                  # characters per training window
    steps: int = 400             # updates
    lr: float = 5e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    frac: float = 0.9            # share of the text that trains (the rest is held out)
    eval_T: int = 200            # held-out text read in consecutive windows of this length


SMOKE = Config(E=4, B=4, T=16, steps=2, eval_T=50)


def data(config: Config):
    """(vocab, ids, tags, n_train): the labelled standard-library text, encoded, and where
    its held-out part starts."""
    vocab, ids, tags = _labelled()
    return vocab, ids, tags, int(len(ids) * config.frac)


@functools.cache
def _labelled():
    from rnncourse.data import chardata, pysource

    text, labels = pysource.labelled_stdlib(chardata.DEFAULT_MODULES)
    vocab = chardata.Vocab(text)
    return vocab, vocab.encode(text), labels.tags()


def train(variant, seed: int, V: int, ids, tags, config: Config):
    """A Tagger of `variant` trained on (ids, tags): (model, CPU seconds of training)."""
    from rnncourse.data import pysource
    from rnncourse.models import sequence
    from rnncourse.models.seeding import seeded

    _, K, bi, H, *skip = variant                  # skip_stacks adds the skip (models.sequence)
    with seeded(seed):
        model = sequence.Tagger(V, len(pysource.TAGS), H=H, num_layers=K, bidirectional=bi,
                                E=config.E, skip=skip[0] if skip else None)
        start = time.process_time()
        sequence.train_tagger(model, ids, tags, config.steps, B=config.B, T=config.T,
                              lr=config.lr, clip=config.clip,
                              rng=np.random.default_rng([seed, TRAIN]))
        cpu = time.process_time() - start
    return model, cpu


def evaluate(model, ids, tags, config: Config) -> dict:
    """Held-out accuracy and the recall of every tag (in pysource.TAGS order)."""
    from rnncourse.models import sequence

    acc, conf = sequence.tag_accuracy(model, ids, tags, T=config.eval_T)
    return {"accuracy": acc, "recall": (np.diag(conf) / np.maximum(conf.sum(1), 1)).tolist()}


def run(variant, seed: int, config: Config) -> dict:
    vocab, ids, tags, n = data(config)
    model, cpu = train(variant, seed, len(vocab), ids[:n], tags[:n], config)
    return {"params": sum(p.numel() for p in model.parameters()),
            **evaluate(model, ids[n:], tags[n:], config),
            "ms_per_step": round(1000 * cpu / config.steps, 1)}


def extra(config: Config) -> dict:
    from rnncourse.data import pysource

    return {"tags": list(pysource.TAGS)}
