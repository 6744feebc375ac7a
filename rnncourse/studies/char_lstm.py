"""Chapter 6's character LSTM on standard-library source, over seeds, against Chapter 3's
NumPy RNN and the n-gram models.

Variant "lstm" is the chapter's live run for seed s: models.charlm.CharLSTM trained on the
first `frac` of the text of ten standard-library modules, its held-out curve, the cell
search against its own untrained start (analysis.interpretable) on `probe_chars` held-out
characters, and the share of the names (identifiers and keywords) in `n_samples` samples
of `sample_len` characters that occur in the training text, at temperatures 0.5 and 1 and
for the untrained start at 1. Seed s seeds torch (`models.seeding.seeded(s)`) for the
initialisation, the training and the samples, and the stream [s, WINDOWS] for the
training windows.

Variant "numpy rnn" is Chapter 3's recipe (scratch.training.train_char_lm: a one-hot tanh
RNN, H = 128, Adagrad with step size 0.05, windows of 32, clip 5) on the same split, for
2000 updates instead of Chapter 3's 1750, so that it reads as many characters as the LSTM
(2000 x 32 x 32 = 1000 x 32 x 64), and on a stream of its own, [s, RNN]: these are not
Chapter 3's runs. `extra` holds the n-gram baselines, each order with its best
add-alpha on the held-out text. Budgets are in updates.

    python -m rnncourse.studies char_lstm      # -> results/char_lstm.json (5 seeds, ~8 min)
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field

import numpy as np

SEEDS = 5
WINDOWS = 6                   # NumPy stream of the LSTM's training windows
RNN = 3                       # NumPy stream of the NumPy RNN (initialisation, batches)
VARIANTS = ["lstm", "numpy rnn"]
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")      # identifiers and keywords


@dataclass
class Config:
    H: int = 128                 # LSTM units
    E: int = 32                  # character embedding size
    B: int = 32                  # windows per update
    T: int = 64                  # characters per window
    steps: int = 1000            # updates (Adam)
    lr: float = 6e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    eval_every: int = 250        # held-out loss every this many updates (and at the end)
    frac: float = 0.9            # share of the text that trains (the rest is held out)
    probe_chars: int = 4000      # held-out characters of the cell search
    prompt: str = "    def "     # what every sample continues
    n_samples: int = 10          # samples per temperature for the share of known names
    sample_len: int = 400        # characters per sample
    rnn_H: int = 128             # NumPy RNN: hidden units
    rnn_T: int = 32              # NumPy RNN: characters per row of a batch
    rnn_B: int = 32              # NumPy RNN: rows per batch
    rnn_lr: float = 0.05         # NumPy RNN: Adagrad step size
    rnn_steps: int = 2000        # NumPy RNN: updates
    rnn_clip: float = 5.0        # NumPy RNN: global gradient norm clip
    rnn_eval_every: int = 500    # NumPy RNN: held-out loss every this many updates
    ngram_orders: list = field(default_factory=lambda: [1, 2, 3, 4, 5])   # n of the baselines
    ngram_alphas: list = field(default_factory=lambda: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3,
                                                        1.0])            # add-alpha tried


SMOKE = Config(H=8, E=4, B=4, T=16, steps=2, eval_every=1, probe_chars=2000, n_samples=1,
               sample_len=20, rnn_H=8, rnn_T=8, rnn_B=4, rnn_steps=2, rnn_eval_every=1,
               ngram_orders=[1, 2], ngram_alphas=[0.1])


def split(ids, config: Config):
    """(train_ids, val_ids, n_train): the first `frac` of the text trains."""
    n_train = int(len(ids) * config.frac)
    return ids[:n_train], ids[n_train:], n_train


def data(config: Config):
    """(labels, vocab, train_ids, val_ids, n_train) of the labelled standard-library text."""
    labels, vocab, ids = _labelled()
    return (labels, vocab, *split(ids, config))


@functools.cache
def _labelled():
    from rnncourse.data import chardata, pysource

    text, labels = pysource.labelled_stdlib(chardata.DEFAULT_MODULES)
    vocab = chardata.Vocab(text)
    return labels, vocab, vocab.encode(text)


def new_lstm(V: int, seed: int, config: Config):
    """The LSTM of seed `seed`, untrained."""
    from rnncourse.models import charlm
    from rnncourse.models.seeding import seeded

    with seeded(seed):
        return charlm.CharLSTM(V, config.H, E=config.E)


def train_lstm(model, train_ids, val_ids, seed: int, config: Config, progress: bool = False):
    """Train `model` in place: (History, {step: held-out loss}, CPU seconds)."""
    from rnncourse.models import charlm
    from rnncourse.models.seeding import seeded

    start = time.process_time()
    with seeded(seed):
        hist, val = charlm.train(model, train_ids, config.steps, B=config.B, T=config.T,
                                 lr=config.lr, clip=config.clip,
                                 rng=np.random.default_rng([seed, WINDOWS]), val_ids=val_ids,
                                 eval_every=config.eval_every, progress=progress)
    return hist, val, time.process_time() - start


def probe_properties(labels, n_train: int, config: Config) -> dict[str, np.ndarray]:
    """Every property of `tokenize` on the held-out characters of the cell search."""
    return {k: v[n_train:n_train + config.probe_chars]
            for k, v in labels.properties().items()}


def samples(model, vocab, seed: int, config: Config, temperature: float, n: int = 1,
            length: int | None = None) -> list[str]:
    """n samples continuing the prompt, drawn one after another from seed `seed`."""
    from rnncourse.models.seeding import seeded

    prompt = vocab.encode(config.prompt)
    with seeded(seed):
        return [vocab.decode(model.sample(prompt, length or config.sample_len,
                                          temperature=temperature)) for _ in range(n)]


def training_names(vocab, train_ids) -> set[str]:
    return set(NAME.findall(vocab.decode(train_ids)))


def known_names(model, vocab, names: set[str], seed: int, config: Config,
                temperature: float) -> float | None:
    """The share of the names in `n_samples` samples that occur in the training text
    (None if the samples hold no name)."""
    text = "".join(samples(model, vocab, seed, config, temperature, config.n_samples))
    found = NAME.findall(text)
    return float(np.mean([w in names for w in found])) if found else None


def lstm_run(seed: int, config: Config) -> dict:
    from rnncourse.analysis import interpretable

    labels, vocab, train_ids, val_ids, n_train = data(config)
    model = new_lstm(len(vocab), seed, config)
    probe = val_ids[:config.probe_chars]
    untrained = model.cell_states(probe)
    _, val, cpu = train_lstm(model, train_ids, val_ids, seed, config)
    trained = model.cell_states(probe)
    props = probe_properties(labels, n_train, config)
    names = training_names(vocab, train_ids)
    known = {f"trained, tau {tau}": known_names(model, vocab, names, seed, config, tau)
             for tau in (0.5, 1.0)}
    known["untrained, tau 1.0"] = known_names(new_lstm(len(vocab), seed, config), vocab, names,
                                              seed, config, 1.0)
    return {"val_step": list(val), "val_loss": list(val.values()), "cpu_s": round(cpu, 1),
            "cells": [vars(s) for s in interpretable.search(trained, untrained, props)],
            "interpretable": sorted(interpretable.interpretable(trained, untrained, props)),
            "known_names": known}


def rnn_config(seed: int, config: Config):
    from rnncourse.scratch import training

    return training.TrainConfig(H=config.rnn_H, T=config.rnn_T, B=config.rnn_B,
                                lr=config.rnn_lr, steps=config.rnn_steps, clip=config.rnn_clip,
                                eval_every=config.rnn_eval_every, sample_every=10**9,
                                progress=False, seed=seed)


def rnn_run(seed: int, config: Config) -> dict:
    from rnncourse.scratch import training

    _, vocab, train_ids, val_ids, _ = data(config)
    start = time.process_time()
    hist = training.train_char_lm(train_ids, len(vocab), rnn_config(seed, config),
                                  np.random.default_rng([seed, RNN]), val=val_ids)
    return {"val_step": list(hist.val_step), "val_loss": [float(v) for v in hist.val_loss],
            "cpu_s": round(time.process_time() - start, 1)}


def run(variant: str, seed: int, config: Config) -> dict:
    return lstm_run(seed, config) if variant == "lstm" else rnn_run(seed, config)


def ngram_baselines(train_ids, val_ids, V: int, config: Config) -> dict[str, dict]:
    """Each n-gram order with its best add-alpha on the held-out text: {n: {loss, alpha}}."""
    from rnncourse.classical import ngram

    out = {}
    for n in config.ngram_orders:
        loss, alpha = min((ngram.ngram_loss(train_ids, val_ids, V, n=n, alpha=a), a)
                          for a in config.ngram_alphas)
        out[str(n)] = {"loss": round(loss, 5), "alpha": alpha}
    return out


def extra(config: Config) -> dict:
    _, vocab, train_ids, val_ids, _ = data(config)
    return {"ngram": ngram_baselines(train_ids, val_ids, len(vocab), config)}
