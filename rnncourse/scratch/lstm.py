"""The LSTM cell and layer in NumPy, with hand-written backward passes.

Gates follow `torch.nn.LSTM`, in the order i, f, g, o along the 4H axis::

    a   = x_t Wx + h_{t-1} Wh + b                    (B, 4H), split into a_i a_f a_g a_o
    i   = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

With a torch module, `Wx = weight_ih.T`, `Wh = weight_hh.T`, `b = bias_ih + bias_hh`.
(CS231n orders the gates i, f, o, g; the chapter says so where it matters.)

Shapes: B batch, T time steps, D input features, H hidden size.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncourse.scratch.ops import sigmoid
from rnncourse.shapes import Shapes, check_upstream


def _check(func: str, x, h, c, Wx, Wh, b, names: tuple[str, str], x_spec: str) -> None:
    """Check a step's (x_spec "B D", names h_prev, c_prev) or a sequence's arguments."""
    shp = Shapes(func)
    shp.check("x", x, x_spec)
    shp.check(names[0], h, "B H")
    shp.check(names[1], c, "B H")
    shp.bind("4H", 4 * shp["H"], f"4 x H with H from `{names[0]}`")
    shp.check("Wx", Wx, "D 4H")
    shp.check("Wh", Wh, "H 4H")
    shp.check("b", b, "4H")


class LSTMStepCache(NamedTuple):
    """What `lstm_step_backward` needs from one step (post-activation values)."""

    x: np.ndarray       # (B, D) input
    h_prev: np.ndarray  # (B, H) previous hidden state
    c_prev: np.ndarray  # (B, H) previous cell state
    i: np.ndarray       # (B, H) input gate, sigmoid(a_i)
    f: np.ndarray       # (B, H) forget gate, sigmoid(a_f)
    g: np.ndarray       # (B, H) candidate cell values, tanh(a_g)
    o: np.ndarray       # (B, H) output gate, sigmoid(a_o)
    tanh_c: np.ndarray  # (B, H) tanh(c_next)
    Wx: np.ndarray      # (D, 4H) input-to-gates weights
    Wh: np.ndarray      # (H, 4H) hidden-to-gates weights


def lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                      Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, LSTMStepCache]:
    """One LSTM step; returns (h_next, c_next, cache).

    x: (B, D) input at this step. h_prev, c_prev: (B, H) previous states.
    Wx: (D, 4H), Wh: (H, 4H), b: (4H,) with gate blocks i, f, g, o (torch's order).
    h_next, c_next: (B, H).
    """
    _check("lstm_step_forward", x, h_prev, c_prev, Wx, Wh, b, ("h_prev", "c_prev"), "B D")
    return _step(x, h_prev, c_prev, Wx, Wh, b)


def _step(x, h_prev, c_prev, Wx, Wh, b):
    """`lstm_step_forward` without the checks, for loops that checked once at entry."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (B, 4H)
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:])
    c_next = f * c_prev + i * g
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    return h_next, c_next, LSTMStepCache(x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh)


def lstm_step_backward(dh_next: np.ndarray, dc_next: np.ndarray, cache: LSTMStepCache
                       ) -> tuple[np.ndarray, ...]:
    """Backward of `lstm_step_forward`; returns (dx, dh_prev, dc_prev, dWx, dWh, db).

    dh_next, dc_next: (B, H) upstream gradients of the two outputs.
    """
    dh_next = check_upstream("lstm_step_backward", "dh_next", dh_next, cache.tanh_c, "B H")
    dc_next = check_upstream("lstm_step_backward", "dc_next", dc_next, cache.tanh_c, "B H")
    return _step_backward(dh_next, dc_next, cache)


def _step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    do = dh_next * tanh_c
    dc = dc_next + dh_next * o * (1 - tanh_c**2)  # both paths into c_next
    da = np.concatenate([
        dc * g * i * (1 - i),         # through i
        dc * c_prev * f * (1 - f),    # through f
        dc * i * (1 - g**2),          # through g
        do * o * (1 - o),             # through o
    ], axis=1)  # (B, 4H)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dc_prev = dc * f
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)  # b is broadcast over the batch
    return dx, dh_prev, dc_prev, dWx, dWh, db


class LSTMCache(NamedTuple):
    """What `lstm_backward` needs: one step cache per time step."""

    steps: list[LSTMStepCache]  # length T; steps[t] holds (B, H) / (B, D) arrays of step t


def lstm_forward(x: np.ndarray, h0: np.ndarray, c0: np.ndarray, Wx: np.ndarray,
                 Wh: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, LSTMCache]:
    """Run an LSTM over a sequence; returns (h, c_last, cache).

    x: (B, T, D) inputs. h0, c0: (B, H) initial states (zeros as torch's default).
    Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gates i, f, g, o.
    h: (B, T, H) hidden state after every step; h[:, -1] is the final hidden state.
    c_last: (B, H) the final cell state (torch returns it as `c_n`).
    """
    _check("lstm_forward", x, h0, c0, Wx, Wh, b, ("h0", "c0"), "B T D")
    h_t, c_t = h0, c0
    hs, steps = [], []
    for t in range(x.shape[1]):
        h_t, c_t, step = _step(x[:, t], h_t, c_t, Wx, Wh, b)
        hs.append(h_t)
        steps.append(step)
    return np.stack(hs, axis=1), c_t, LSTMCache(steps)  # (B, T, H), (B, H)


def lstm_backward(dh: np.ndarray, dc_last: np.ndarray, cache: LSTMCache
                  ) -> tuple[np.ndarray, ...]:
    """Backward of `lstm_forward`; returns (dx, dh0, dc0, dWx, dWh, db).

    dh: (B, T, H) upstream gradient of every hidden state.
    dc_last: (B, H) upstream gradient of c_last; zeros if the loss does not use it.
    Like every backward of the course: one gradient per output of the forward, in order,
    then the cache (a gradient into the final h from beyond the sequence is added to
    dh[:, -1]).
    """
    steps = cache.steps
    first = steps[0]
    B, T, H = first.h_prev.shape[0], len(steps), first.h_prev.shape[1]
    dh = check_upstream("lstm_backward", "dh", dh, (B, T, H), "B T H")
    dc_last = check_upstream("lstm_backward", "dc_last", dc_last, (B, H), "B H")
    dx = np.zeros((B, T, first.x.shape[1]))
    dWx, dWh = np.zeros_like(first.Wx), np.zeros_like(first.Wh)
    db = np.zeros(4 * H)
    dh_t, dc_t = np.zeros((B, H)), dc_last
    for t in reversed(range(T)):
        # h_t reaches the loss directly (dh[:, t]) and through step t+1 (dh_t).
        dx[:, t], dh_t, dc_t, dWx_t, dWh_t, db_t = _step_backward(
            dh[:, t] + dh_t, dc_t, steps[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_t, dc_t, dWx, dWh, db
