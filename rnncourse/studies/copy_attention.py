"""Chapter 7's small reversal run over seeds: digits right by length, and where the
attention of the additive model peaks while it copies.

The recipe of `reversal` at a size a page can run: models.seq2seq.Seq2Seq without
attention and with additive attention, trained on the reversal of strings of `train_lengths`
digits for `steps` updates (`reversal.train`), then tested greedily on `n_test` fresh
strings of each of `test_lengths`, the last two beyond the longest trained on. Reported per
length: the fraction of output digits right (position by position, a missing digit counts
as wrong) and, with attention, how often the peak of each output's weights lies on the
source digit it copies ("accuracy") or on it or a neighbour ("near";
`analysis.alignment.peak_alignment` against `alignment.reversal_spans`). Seed s seeds
torch (`models.seeding.seeded(s)`) for the initialisation and training, the stream
[s, TRAIN] for the training batches and [s, TEST, L] for the test strings of length L.
Chapter 7 runs `run` for its own seed; the study records seeds 0 to 8, the spread the
chapter quotes.

    python -m rnncourse.studies copy_attention   # -> results/copy_attention.json (9 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnncourse.studies import reversal

SEEDS = 9
TRAIN, TEST = reversal.TRAIN, reversal.TEST     # NumPy streams: training, test strings
VARIANTS = ["none", "additive"]


@dataclass
class Config:
    E: int = 16                  # embedding size
    H: int = 64                  # GRU units per direction of the encoder (decoder: 2H)
    B: int = 32                  # strings per update
    steps: int = 250             # updates
    lr: float = 5e-3             # Adam's initial step size
    decay_floor: float = 0.05    # the step size falls linearly to this share of lr
    clip: float = 1.0            # global gradient norm clip
    train_lengths: list = field(default_factory=lambda: [4, 16])   # shortest, longest
    n_test: int = 200            # test strings per length
    test_lengths: list = field(default_factory=lambda: [4, 8, 12, 16, 20, 24])
    extra: int = 5               # outputs are cut at L + extra tokens


SMOKE = Config(E=4, H=4, B=4, steps=2, train_lengths=[3, 5], n_test=3, test_lengths=[3, 6])


def train(kind: str, seed: int, config: Config, progress: bool = False):
    """`reversal.train` with this study's setting: (model in eval mode, history)."""
    return reversal.train(kind, seed, config, progress)


def test_length(model, L: int, seed: int, config: Config):
    """On `n_test` fresh strings of L digits (stream [seed, TEST, L]): (the fraction of
    digits right, the `AlignmentScore` of the attention peaks or None without attention)."""
    from rnncourse.analysis import alignment, decoding
    from rnncourse.data import chardata, tasks
    from rnncourse.models import seq2seq

    vocab = chardata.TokenVocab("0123456789")
    src, tgt = tasks.digit_reversal(config.n_test, L, np.random.default_rng([seed, TEST, L]))
    out, maps = seq2seq.translate(model, src, vocab, vocab, max_len=L + config.extra)
    peaks = None if maps[0] is None else alignment.peak_alignment(
        maps, [alignment.reversal_spans(L)] * len(src))
    return decoding.characters_right(out, tgt), peaks


def run(kind: str, seed: int, config: Config) -> dict:
    model, history = train(kind, seed, config)
    digits, accuracy, near = [], [], []
    for L in config.test_lengths:
        right, peaks = test_length(model, L, seed, config)
        digits.append(right)
        if peaks is not None:
            accuracy.append(peaks.accuracy)
            near.append(peaks.near_accuracy)
    out = dict(digits=digits, final_loss=float(history.losses[-20:].mean()))
    if accuracy:
        out["peak"] = dict(accuracy=accuracy, near=near)
    return out
