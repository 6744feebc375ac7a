"""Chapter 3's gradient checks over seeds: how close a correct float64 gradient gets.

Chapter 3 draws a small tanh RNN with a read-out (`problem`), checks `rnn_step_backward`
and `rnn_backward` against centred differences (`layer_checks`), then the whole
language-model loss of rnncourse.scratch.charlm (`model_check`), all from its generator
`rng`. This study repeats exactly those draws and checks for every seed s, with the
generator np.random.default_rng(s) (the chapter's `rng` under RNNCOURSE_SEED=s), and
records every norm-wise relative error and the value of the loss.

    python -m rnncourse.studies bptt_gradcheck     # -> results/bptt_gradcheck.json (30 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

SEEDS = 30
VARIANTS = ["float64, eps 1e-6"]   # one setting: gradcheck's defaults


@dataclass
class Config:
    B: int = 3                # sequences (all sizes differ, so that a wrong transpose fails)
    T: int = 4                # steps
    D: int = 5                # input size of the layer checks
    H: int = 6                # hidden units
    V: int = 7                # classes of the read-out (input size of the model check)


SMOKE = Config(B=2, T=3, D=4, H=5, V=6)


class Problem(NamedTuple):
    x: np.ndarray             # (B, T, D) inputs
    h0: np.ndarray            # (B, H) initial state
    Wx: np.ndarray            # (D, H)
    Wh: np.ndarray            # (H, H)
    b: np.ndarray             # (H,)
    W_out: np.ndarray         # (H, V)
    b_out: np.ndarray         # (V,)
    y: np.ndarray             # (B, T) target ids


def problem(rng: np.random.Generator, config: Config) -> Problem:
    """A random RNN, read-out, inputs and targets, drawn from `rng` in this order."""
    B, T, D, H, V = config.B, config.T, config.D, config.H, config.V
    x = rng.standard_normal((B, T, D))
    h0 = rng.standard_normal((B, H)) * 0.5
    Wx = rng.standard_normal((D, H)) / np.sqrt(D)
    Wh = rng.standard_normal((H, H)) / np.sqrt(H)
    b = rng.standard_normal(H) * 0.1
    W_out = rng.standard_normal((H, V)) / np.sqrt(H)
    b_out = rng.standard_normal(V) * 0.1
    y = rng.integers(0, V, size=(B, T))
    return Problem(x, h0, Wx, Wh, b, W_out, b_out, y)


def layer_checks(p: Problem, rng: np.random.Generator):
    """`rnn_step_backward` at a random state and `rnn_backward` on the whole sequence
    against centred differences: (the step's inputs, its check, the sequence's check)."""
    from rnncourse import gradcheck
    from rnncourse.scratch import rnn

    B, H = p.h0.shape
    step_inputs = {"x": rng.standard_normal((B, p.x.shape[2])),
                   "h_prev": rng.standard_normal((B, H)),
                   "Wx": p.Wx.copy(), "Wh": p.Wh.copy(), "b": p.b.copy()}
    seq_inputs = {"x": p.x.copy(), "h0": p.h0.copy(), "Wx": p.Wx.copy(), "Wh": p.Wh.copy(),
                  "b": p.b.copy()}
    step_check = gradcheck.check_backward(rnn.rnn_step_forward, rnn.rnn_step_backward,
                                          step_inputs, rng)
    seq_check = gradcheck.check_backward(rnn.rnn_forward, rnn.rnn_backward, seq_inputs, rng)
    return step_inputs, step_check, seq_check


def model_check(p: Problem, rng: np.random.Generator):
    """The loss of `charlm.model_loss` (one-hot inputs, so D = V) with every parameter
    nudged one entry at a time: (params, input ids, errors by parameter, the loss)."""
    from rnncourse import gradcheck
    from rnncourse.scratch import charlm

    B, H = p.h0.shape
    V = p.W_out.shape[1]
    params = {"Wx": rng.standard_normal((V, H)) / np.sqrt(V), "Wh": p.Wh.copy(),
              "b": p.b.copy(), "W_out": p.W_out.copy(), "b_out": p.b_out.copy()}
    idx = rng.integers(0, V, size=p.y.shape)
    loss, analytic, _ = charlm.model_loss(params, idx, p.y, p.h0)
    numeric = gradcheck.numerical_gradients(
        lambda **q: charlm.model_loss(q, idx, p.y, p.h0)[0], params, douts=np.array(1.0))
    errors = {k: gradcheck.relative_error(analytic[k], numeric[k]) for k in params}
    return params, idx, errors, float(loss)


def run(variant, seed: int, config: Config) -> dict:
    rng = np.random.default_rng(seed)
    p = problem(rng, config)
    _, step_check, seq_check = layer_checks(p, rng)
    _, _, model_errors, loss = model_check(p, rng)
    return {"step": step_check.errors, "sequence": seq_check.errors, "model": model_errors,
            "loss": loss}
