"""Chapter 9's comparison: recurrent encoder-decoders and a small Transformer on digit
reversal (Chapter 7's length task), over seeds.

Seven models, each trained the same number of updates with the same recipe (Adam on B
fresh pairs per update, the step size decaying linearly to `decay_floor` of its start,
gradients clipped at `clip`) on source lengths uniform in `train_lengths`, then tested
greedily on `n_test` fresh strings of each of `test_lengths` (some beyond the longest
trained on):

- models.seq2seq.Seq2Seq with cell "rnn", "lstm" or "gru", without attention (one fixed
  context) and with additive attention (E=16, H=64: a bidirectional encoder, a decoder of
  size 128);
- models.transformer.Transformer (D=64, 4 heads, 2 encoder and 2 decoder layers, a
  feed-forward size of 128), of about the same number of parameters.

Reported per run: parameters, CPU milliseconds per update on one thread (process time of
the whole training loop over its updates), final training loss, and per test length the
exact match and the fraction of output digits right (position by position; a missing digit
counts as wrong). Seed s seeds torch (`models.seeding.seeded(s)`) for the initialisation
and training, and the NumPy streams [s, TRAIN] for the training pairs and [s, TEST] for
the test strings. Budgets are in updates. Chapter 9's small live comparison is the study
`tradeoffs_small`, which calls `train` and `sweep` with its own setting and streams.

    python -m rnncourse.studies tradeoffs      # -> results/tradeoffs.json (3 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SEEDS = 3
TRAIN, TEST = 91, 92          # NumPy streams: training pairs, test strings
VARIANTS = ["rnn-none", "rnn-additive", "lstm-none", "lstm-additive", "gru-none",
            "gru-additive", "transformer"]


@dataclass
class Config:
    E: int = 16                  # Seq2Seq: embedding size
    H: int = 64                  # Seq2Seq: encoder units per direction (decoder 2H)
    D: int = 64                  # Transformer: model size
    heads: int = 4               # Transformer: attention heads
    layers: int = 2              # Transformer: encoder layers, and decoder layers
    ff: int = 128                # Transformer: feed-forward size
    B: int = 32                  # pairs per update
    steps: int = 1000            # updates
    lr: float = 3e-3             # Adam's starting step size
    decay_floor: float = 0.05    # the step size falls linearly to this share of lr
    clip: float = 1.0            # global gradient norm clip
    train_lengths: list = field(default_factory=lambda: [5, 30])   # shortest, longest source
    n_test: int = 200            # test strings per length
    test_lengths: list = field(default_factory=lambda: [5, 10, 15, 20, 25, 30, 35, 40, 50])


SMOKE = Config(E=4, H=4, D=8, heads=2, layers=1, ff=8, B=4, steps=3, train_lengths=[3, 5],
               n_test=4, test_lengths=[3, 6])


def vocab():
    """The digits' vocabulary (and the specials)."""
    from rnncourse.data import chardata

    return chardata.TokenVocab("0123456789")


def build(kind: str, config: Config):
    """The untrained model of `kind` (call inside `seeded`)."""
    from rnncourse.models import seq2seq, transformer

    V = len(vocab())
    if kind == "transformer":
        return transformer.Transformer(V, V, D=config.D, heads=config.heads,
                                       layers=config.layers, ff=config.ff)
    cell, attention = kind.split("-")
    return seq2seq.Seq2Seq(V, V, E=config.E, H=config.H, cell=cell,
                           attention=None if attention == "none" else attention)


def params(kind: str, config: Config) -> int:
    """The number of parameters of `kind` (the same for every seed)."""
    from rnncourse.models.seeding import seeded

    with seeded(0):
        return sum(p.numel() for p in build(kind, config).parameters())


def train(kind: str, seed: int, config: Config, stream: int = TRAIN, progress: bool = False):
    """(model trained on stream [seed, stream], history); history.cpu_s is the process
    time of the training steps."""
    from rnncourse.data import tasks
    from rnncourse.models import seq2seq
    from rnncourse.models.seeding import seeded
    from rnncourse.models.train import fit, linear_decay

    digits = vocab()
    lo, hi = config.train_lengths
    with seeded(seed):
        model = build(kind, config)
        batch = seq2seq.pair_batches(lambda n, g: tasks.digit_reversal(n, (lo, hi), g),
                                     digits, digits, config.B,
                                     np.random.default_rng([seed, stream]))
        history = fit(model, batch, config.steps, lr=config.lr, clip=config.clip,
                      schedule=linear_decay(config.steps, config.decay_floor),
                      progress=progress)
    return model, history


def sweep(model, seed: int, config: Config, stream: int = TEST):
    """Greedy decoding of n_test fresh strings per test length, from stream [seed, stream]:
    (exact match, digits right) per length."""
    from rnncourse.analysis import decoding
    from rnncourse.data import tasks

    return decoding.length_sweep(model.eval(), vocab(), tasks.digit_reversal,
                                 config.test_lengths, config.n_test,
                                 np.random.default_rng([seed, stream]))


def run(kind: str, seed: int, config: Config) -> dict:
    import time

    start = time.process_time()
    model, history = train(kind, seed, config)
    cpu = time.process_time() - start
    exact, digits = sweep(model, seed, config)
    return dict(params=sum(p.numel() for p in model.parameters()),
                ms_per_update=round(1000 * cpu / config.steps, 1), exact=exact, digits=digits,
                final_loss=float(history.losses[-50:].mean()))
