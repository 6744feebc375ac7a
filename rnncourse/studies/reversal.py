"""Chapter 7's length study: digit reversal with and without attention, over seeds.

models.seq2seq.Seq2Seq without attention (one fixed context vector, Cho et al. 2014) and
with additive attention (Bahdanau et al. 2015) is trained on data.tasks.digit_reversal with
source lengths uniform in `train_lengths`, the same number of updates each (Adam, the step
size decaying linearly to `decay_floor` of its start: the recipe of Chapter 7), then tested
greedily on fresh strings of fixed lengths, up to 60 (beyond the longest trained on, as
Bahdanau et al.'s Figure 2 tests sentences longer than its models were trained on).
Reported per length: exact match and the fraction of output digits right (position by
position, a missing digit counts as wrong). Seed s seeds torch (`models.seeding.seeded(s)`)
for the initialisation and training, the stream [s, TRAIN] for the training batches and
[s, TEST] for the test strings. Budgets are in updates.

    python -m rnncourse.studies reversal     # -> results/reversal.json (3 seeds)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

SEEDS = 3
TRAIN, TEST = 71, 72          # NumPy streams: training batches, test strings
VARIANTS = ["none", "additive"]


@dataclass
class Config:
    E: int = 16                  # embedding size
    H: int = 64                  # GRU units per direction of the encoder (decoder: 2H)
    B: int = 32                  # strings per update
    steps: int = 2000            # updates
    lr: float = 5e-3             # Adam's initial step size
    decay_floor: float = 0.05    # the step size falls linearly to this share of lr
    clip: float = 1.0            # global gradient norm clip
    train_lengths: list = field(default_factory=lambda: [5, 40])   # shortest, longest
    n_test: int = 200            # test strings per length
    test_lengths: list = field(default_factory=lambda: [5, 10, 15, 20, 30, 40, 50, 60])


SMOKE = Config(E=4, H=4, B=4, steps=2, train_lengths=[3, 5], n_test=4, test_lengths=[3, 6])


def train(kind: str, seed: int, config, progress: bool = False):
    """The model ("none" or an attention kind) trained on the reversal of strings of
    `train_lengths`: (model in eval mode, training history). `config` is this study's
    Config or any with the same training fields (`copy_attention.Config`)."""
    from rnncourse.data import chardata, tasks
    from rnncourse.models import seq2seq
    from rnncourse.models.seeding import seeded
    from rnncourse.models.train import fit, linear_decay

    vocab = chardata.TokenVocab("0123456789")
    lo, hi = config.train_lengths
    with seeded(seed):
        model = seq2seq.Seq2Seq(len(vocab), len(vocab), E=config.E, H=config.H,
                                attention=None if kind == "none" else kind)
        batches = seq2seq.pair_batches(lambda n, g: tasks.digit_reversal(n, (lo, hi), g),
                                       vocab, vocab, config.B,
                                       np.random.default_rng([seed, TRAIN]))
        history = fit(model, batches, config.steps, lr=config.lr, clip=config.clip,
                      schedule=linear_decay(config.steps, config.decay_floor), progress=progress)
    return model.eval(), history


def run(kind: str, seed: int, config: Config) -> dict:
    from rnncourse.analysis import decoding
    from rnncourse.data import chardata, tasks

    start = time.process_time()
    model, history = train(kind, seed, config)
    cpu = time.process_time() - start
    exact, digits = decoding.length_sweep(model, chardata.TokenVocab("0123456789"),
                                          tasks.digit_reversal, config.test_lengths,
                                          config.n_test, np.random.default_rng([seed, TEST]))
    return dict(exact=exact, digits=digits, cpu_s=round(cpu, 1),
                final_loss=float(history.losses[-50:].mean()))
