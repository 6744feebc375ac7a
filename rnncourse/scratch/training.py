"""Training a character-level tanh RNN language model in NumPy (Chapter 3).

The loop is min-char-rnn's, vectorised over a batch:

    for each batch (x, y) of B tracks x T characters, walking the text in order:
        loss, grads, h = charlm.model_loss(params, x, y, h)     # h carried across batches
        grads, norm = optim.clip_global_norm(grads, clip)
        opt.step(params, grads)                               # Adagrad

Carrying h from one batch to the next while backpropagating only within a batch is
truncated BPTT with k1 = k2 = T. `evaluate` scores a held-out stream (forward only);
samples are recorded as training goes, so the chapter can show gibberish turning into
words.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from rnncourse.data import chardata
from rnncourse.data.chardata import Vocab
from rnncourse.scratch import charlm, optim, readout, rnn, sampling
from rnncourse.scratch.ops import log_softmax
from rnncourse.shapes import check_ids


@dataclass
class TrainConfig:
    """Hyper-parameters of `train_char_lm`."""

    H: int = 128                # hidden units
    T: int = 32                 # sequence length: characters per row of a batch
    B: int = 32                 # batch size: contiguous tracks of the text read in parallel
    lr: float = 0.1             # Adagrad base step size (min-char-rnn uses 0.1)
    steps: int = 2000           # number of parameter updates
    clip: float | None = 5.0    # max global gradient norm; None: no clipping
    k1: int | None = None       # TBPTT chunk length inside a batch; None (and k2 None): T
    k2: int | None = None       # TBPTT steps backpropagated per chunk; None: k1
    eval_every: int = 250       # validation loss every this many steps (and at the end)
    sample_every: int = 250     # record a sample every this many steps (and at the end)
    sample_len: int = 200       # characters per recorded sample
    temperature: float = 1.0    # sampling temperature of the recorded samples
    seed: int = 0               # seeds the initialisation and samples when no rng is given
    progress: bool = True       # show a tqdm progress bar (it ends at steps/steps)


@dataclass
class TrainHistory:
    """What `train_char_lm` returns: the trained parameters and what happened on the way."""

    params: dict[str, np.ndarray]   # trained parameters (keys of charlm.init_params)
    config: TrainConfig             # the configuration used
    loss: list[float] = field(default_factory=list)       # training loss, nats/char, per step
    grad_norm: list[float] = field(default_factory=list)  # global grad norm before clipping
    val_step: list[int] = field(default_factory=list)     # steps at which val was measured
    val_loss: list[float] = field(default_factory=list)   # validation loss, nats/char
    samples: list[tuple[int, str | np.ndarray]] = field(default_factory=list)  # (step, text)
    chars_seen: int = 0             # training characters read (steps * B * T)
    seconds: float = 0.0            # wall-clock time of the whole call


def _check_config(config: TrainConfig) -> None:
    for name in ("H", "T", "B", "steps", "eval_every", "sample_every", "sample_len"):
        value = getattr(config, name)
        if not isinstance(value, int | np.integer) or value < (0 if name == "steps" else 1):
            raise ValueError(f"train_char_lm: `config.{name}` must be a positive integer, "
                             f"got {value!r}.")
    for name in ("k1", "k2"):
        value = getattr(config, name)
        if value is not None and (not isinstance(value, int | np.integer) or value < 1):
            raise ValueError(f"train_char_lm: `config.{name}` must be None or a positive "
                             f"integer, got {value!r}.")
    if not config.lr > 0:
        raise ValueError(f"train_char_lm: `config.lr` must be positive, got {config.lr}.")


def _stream(data: np.ndarray, B: int, T: int) -> Iterator[tuple[np.ndarray, np.ndarray, bool]]:
    """Endless batches (x, y, fresh); fresh is True at the first batch of every pass."""
    while True:
        for i, (x, y) in enumerate(chardata.batch_iterator(data, B, T)):
            yield x, y, i == 0


def evaluate(params: dict[str, np.ndarray], data: np.ndarray, B: int = 32,
             T: int = 256) -> float:
    """Mean loss, nats per character, of a model on a stream of ids (forward only).

    data: (N,) ids. The stream is cut into B contiguous tracks (as `batch_iterator` does)
    and each track is read from a zero state, T steps at a time with the state carried,
    predicting every character of the track from the ones before it. Only the first
    character of each track and the last N mod B characters are not scored.
    """
    shp = charlm.check_params("evaluate", params)
    data = check_ids("evaluate", "data", data, shp["V"], "N", source="`W_out`")
    L = len(data) // B
    if L < 2:
        raise ValueError(f"evaluate: `data` has N={len(data)} ids, too few for B={B} "
                         "tracks of at least 2 characters.")
    tracks = data[: B * L].reshape(B, L)                                # (B, L)
    h = np.zeros((B, params["Wh"].shape[0]))                            # (B, H)
    total = 0.0
    for s in range(0, L - 1, T):
        x, y = tracks[:, s:min(s + T, L - 1)], tracks[:, s + 1:min(s + T, L - 1) + 1]
        xin, _ = charlm.encode_inputs(params, x)                          # (B, T', D)
        hs, _ = rnn.rnn_forward(xin, h, params["Wx"], params["Wh"], params["b"])
        logp = log_softmax(readout.scores(hs, params["W_out"], params["b_out"]))  # (B, T', V)
        total -= np.take_along_axis(logp, y[..., None], axis=-1).sum()
        h = hs[:, -1]
    return float(total / (B * (L - 1)))


def train_char_lm(data: np.ndarray, V: int, config: TrainConfig,
                  rng: np.random.Generator | None = None, vocab: Vocab | None = None,
                  val: np.ndarray | None = None) -> TrainHistory:
    """Train a one-hot-input tanh RNN language model on a stream of ids with Adagrad.

    data: (N,) training ids in 0..V-1. val: (M,) held-out ids, scored with `evaluate`
    every `config.eval_every` steps and at the end (None: no validation).
    rng: initialisation and samples (None: `np.random.default_rng(config.seed)`).
    vocab: if given, recorded samples are decoded to text, else kept as (sample_len,) ids.
    Samples start from data[0] and a zero state, at steps 0, sample_every, ... and the end.
    Each pass over the data starts from a zero state; within a pass, the final state of
    one batch is the initial state of the next.
    """
    _check_config(config)
    data = check_ids("train_char_lm", "data", data, V, "N", source="`V`")
    if val is not None:
        val = check_ids("train_char_lm", "val", val, V, "N", source="`V`")
    c = config
    rng = np.random.default_rng(c.seed) if rng is None else rng
    start = time.perf_counter()
    params = charlm.init_params(V, c.H, rng)
    opt = optim.Adagrad(lr=c.lr)
    hist = TrainHistory(params=params, config=c)
    stream = _stream(data, c.B, c.T)
    truncated = c.k1 is not None or c.k2 is not None
    k1 = c.k1 or c.T
    k2 = c.k2 or k1
    h = np.zeros((c.B, c.H))                                            # (B, H) carried

    def record(step: int) -> None:
        if val is not None and (step % c.eval_every == 0 or step == c.steps):
            hist.val_step.append(step)
            hist.val_loss.append(evaluate(params, val, B=c.B))
        if step % c.sample_every == 0 or step == c.steps:
            ids = sampling.sample_sequence(params, int(data[0]), c.sample_len, rng,
                                           temperature=c.temperature)
            hist.samples.append((step, vocab.decode(ids) if vocab is not None else ids))

    bar = tqdm(range(c.steps), disable=not c.progress, leave=True, mininterval=2.0,
               desc="training")
    for step in bar:
        record(step)
        x, y, fresh = next(stream)                                      # (B, T) each
        if fresh:
            h = np.zeros_like(h)
        if truncated:
            loss, grads, h = charlm.truncated_bptt(params, x, y, h, k1, k2)
        else:
            loss, grads, h = charlm.model_loss(params, x, y, h)
        if c.clip is not None:
            grads, norm = optim.clip_global_norm(grads, c.clip)
        else:
            norm = optim.global_norm(grads)
        opt.step(params, grads)
        hist.loss.append(float(loss))
        hist.grad_norm.append(norm)
        if step % 50 == 0:
            bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
    bar.close()
    record(c.steps)
    hist.chars_seen = c.steps * c.B * c.T
    hist.seconds = time.perf_counter() - start
    return hist
