"""Chapter 3's character-level tanh RNN language model over seeds and Adagrad step sizes.

The chapter trains one model live (step size 0.05, its own seed). This study trains the
same configuration (`train`: rnncourse.scratch.training.train_char_lm on the chapter's
90/10 split of the pydoc corpus) for every seed and each step size in VARIANTS, and
records every run's validation curve, which the chapter reads to state what holds across
seeds (median and range) and how the step size matters. Seed s draws the initialisation
and the recorded samples from the stream [s, TRAIN], the stream the chapter uses with base
seed s. Budgets are in updates.

    python -m rnncourse.studies char_lm        # -> results/char_lm.json (8 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEEDS = 8
TRAIN = 2                     # NumPy stream [s, TRAIN]: initialisation and recorded samples
TRAIN_FRAC = 0.9              # the first 90 % of the corpus trains, the rest is held out
VARIANTS = [0.02, 0.05, 0.1]  # Adagrad step sizes (the chapter's is 0.05)


@dataclass
class Config:
    H: int = 128              # hidden units
    T: int = 32               # characters per row of a batch (TBPTT(T, T) across batches)
    B: int = 32               # rows per batch: contiguous tracks of the text
    steps: int = 1750         # updates
    clip: float = 5.0         # global gradient norm clip
    eval_every: int = 250     # validation loss every this many updates (and at the end)
    sample_every: int = 250   # a recorded sample every this many updates (and at the end)
    sample_len: int = 400     # characters per recorded sample


SMOKE = Config(H=8, T=8, B=4, steps=3, eval_every=2, sample_every=2, sample_len=10)


def corpus():
    """(vocab, train_ids, val_ids): the pydoc corpus, split as the chapter splits it."""
    from rnncourse.data import chardata

    text = chardata.load_pydoc_corpus()
    vocab = chardata.Vocab(text)
    train_ids, val_ids = chardata.split_train_val(vocab.encode(text), TRAIN_FRAC)
    return vocab, train_ids, val_ids


def train_config(lr: float, config: Config):
    """The rnncourse.scratch.training.TrainConfig of a run with Adagrad step size `lr`."""
    from rnncourse.scratch import training

    return training.TrainConfig(H=config.H, T=config.T, B=config.B, lr=lr,
                                steps=config.steps, clip=config.clip,
                                eval_every=config.eval_every,
                                sample_every=config.sample_every,
                                sample_len=config.sample_len, progress=False)


def train(lr: float, seed: int, config: Config, vocab, train_ids: np.ndarray,
          val_ids: np.ndarray):
    """Train with step size `lr` from the stream of `seed` on `train_ids`, scoring
    `val_ids`: the rnncourse.scratch.training.TrainHistory (samples decoded by `vocab`)."""
    from rnncourse.scratch import training

    return training.train_char_lm(train_ids, len(vocab), train_config(lr, config),
                                  np.random.default_rng([seed, TRAIN]), vocab=vocab,
                                  val=val_ids)


def run(variant, seed: int, config: Config) -> dict:
    hist = train(variant, seed, config, *corpus())
    return {"val_step": hist.val_step, "val_loss": [round(v, 5) for v in hist.val_loss],
            "max_grad_norm": round(max(hist.grad_norm), 3),
            "clipped_fraction": round(sum(n > config.clip for n in hist.grad_norm)
                                      / len(hist.grad_norm), 4)}
