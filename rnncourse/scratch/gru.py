"""The GRU cell and layer in NumPy, with hand-written backward passes.

Gates follow `torch.nn.GRU`, in the order r, z, n along the 3H axis, with separate input
and hidden biases and the reset gate applied *after* the hidden matrix product::

    r   = sigmoid(x_t Wx_r + bx_r + h_{t-1} Wh_r + bh_r)
    z   = sigmoid(x_t Wx_z + bx_z + h_{t-1} Wh_z + bh_z)
    n   = tanh(x_t Wx_n + bx_n + r * (h_{t-1} Wh_n + bh_n))
    h_t = (1 - z) * n + z * h_{t-1}

With a torch module, `Wx = weight_ih.T`, `Wh = weight_hh.T`, `bx = bias_ih`,
`bh = bias_hh`. Here z is the gate that *keeps* the old state, as in the GRU's first
paper (Cho et al. 2014, h_t = z h_{t-1} + (1 - z) h~_t).

The other update convention (Chung et al. 2014, the MUT architectures of Jozefowicz et al.
2015, and the second form in the notes) writes `h_t = z * n + (1 - z) * h_{t-1}`, where z
*writes* the candidate. It is the same family of functions: since sigmoid(-a) = 1 -
sigmoid(a), negating the z pre-activation (`flip_update_convention`: Wx_z, Wh_z, bx_z,
bh_z -> their negatives) turns one into the other. (The published Cho et al. also apply
the reset gate before the product, (r * h) Wh_n; that is a different function, and
neither this module nor torch uses it.)

Shapes: B batch, T time steps, D input features, H hidden size.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncourse.scratch.ops import sigmoid
from rnncourse.shapes import Shapes, check_upstream


def _check_params(shp: Shapes, Wx, Wh, bx, bh, h_name: str) -> None:
    shp.bind("3H", 3 * shp["H"], f"3 x H with H from `{h_name}`")
    shp.check("Wx", Wx, "D 3H")
    shp.check("Wh", Wh, "H 3H")
    shp.check("bx", bx, "3H")
    shp.check("bh", bh, "3H")


def _check_step(func: str, x, h_prev, Wx, Wh, bx, bh) -> None:
    shp = Shapes(func)
    shp.check("x", x, "B D")
    shp.check("h_prev", h_prev, "B H")
    _check_params(shp, Wx, Wh, bx, bh, "h_prev")


class GRUParams(NamedTuple):
    """The four parameter arrays of a GRU, in the order the functions take them."""

    Wx: np.ndarray  # (D, 3H) input-to-gates weights, blocks r, z, n
    Wh: np.ndarray  # (H, 3H) hidden-to-gates weights, blocks r, z, n
    bx: np.ndarray  # (3H,) input bias (torch's bias_ih)
    bh: np.ndarray  # (3H,) hidden bias (torch's bias_hh)


class GRUStepCache(NamedTuple):
    """What `gru_step_backward` needs from one step (post-activation values)."""

    x: np.ndarray       # (B, D) input
    h_prev: np.ndarray  # (B, H) previous hidden state
    r: np.ndarray       # (B, H) reset gate
    z: np.ndarray       # (B, H) update gate (weight of the old state)
    n: np.ndarray       # (B, H) candidate state, tanh(...)
    hn: np.ndarray      # (B, H) h_prev Wh_n + bh_n, the hidden part before the reset
    Wx: np.ndarray      # (D, 3H)
    Wh: np.ndarray      # (H, 3H)


def _gates(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax = x @ Wx + bx       # (B, 3H)
    ah = h_prev @ Wh + bh  # (B, 3H)
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    hn = ah[:, 2 * H:]
    n = np.tanh(ax[:, 2 * H:] + r * hn)
    return r, z, n, hn


def gru_step_forward(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                     bx: np.ndarray, bh: np.ndarray) -> tuple[np.ndarray, GRUStepCache]:
    """One GRU step in torch's convention; returns (h_next, cache).

    x: (B, D) input. h_prev: (B, H). Wx: (D, 3H), Wh: (H, 3H), bx, bh: (3H,), gates r, z, n.
    h_next: (B, H) = (1 - z) * n + z * h_prev.
    """
    _check_step("gru_step_forward", x, h_prev, Wx, Wh, bx, bh)
    return _step(x, h_prev, Wx, Wh, bx, bh)


def _step(x, h_prev, Wx, Wh, bx, bh):
    """`gru_step_forward` without the checks, for loops that checked once at entry."""
    r, z, n, hn = _gates(x, h_prev, Wx, Wh, bx, bh)
    h_next = (1 - z) * n + z * h_prev
    return h_next, GRUStepCache(x, h_prev, r, z, n, hn, Wx, Wh)


def gru_step_backward(dh_next: np.ndarray, cache: GRUStepCache) -> tuple[np.ndarray, ...]:
    """Backward of `gru_step_forward`; returns (dx, dh_prev, dWx, dWh, dbx, dbh).

    dh_next: (B, H) upstream gradient.
    """
    dh_next = check_upstream("gru_step_backward", "dh_next", dh_next, cache.h_prev, "B H")
    return _step_backward(dh_next, cache)


def _step_backward(dh_next, cache):
    x, h_prev, r, z, n, hn, Wx, Wh = cache
    dn = dh_next * (1 - z)
    dz = dh_next * (h_prev - n)
    dan = dn * (1 - n**2)            # pre-activation of n
    dar = dan * hn * r * (1 - r)     # r multiplies hn
    daz = dz * z * (1 - z)
    dax = np.concatenate([dar, daz, dan], axis=1)      # (B, 3H) into x Wx + bx
    dah = np.concatenate([dar, daz, dan * r], axis=1)  # (B, 3H) into h_prev Wh + bh
    dx = dax @ Wx.T
    dh_prev = dh_next * z + dah @ Wh.T
    dWx = x.T @ dax
    dWh = h_prev.T @ dah
    return dx, dh_prev, dWx, dWh, dax.sum(axis=0), dah.sum(axis=0)


class GRUCache(NamedTuple):
    """What `gru_backward` needs: one step cache per time step."""

    steps: list[GRUStepCache]  # length T; steps[t] holds the (B, H) arrays of step t


def gru_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                bx: np.ndarray, bh: np.ndarray) -> tuple[np.ndarray, GRUCache]:
    """Run a GRU over a sequence; returns (h, cache).

    x: (B, T, D) inputs. h0: (B, H) initial state. Parameters as in `gru_step_forward`.
    h: (B, T, H) hidden state after every step; h[:, -1] is the final state.
    """
    shp = Shapes("gru_forward")
    shp.check("x", x, "B T D")
    shp.check("h0", h0, "B H")
    _check_params(shp, Wx, Wh, bx, bh, "h0")
    h_t, hs, steps = h0, [], []
    for t in range(x.shape[1]):
        h_t, step = _step(x[:, t], h_t, Wx, Wh, bx, bh)
        hs.append(h_t)
        steps.append(step)
    return np.stack(hs, axis=1), GRUCache(steps)  # (B, T, H)


def gru_backward(dh: np.ndarray, cache: GRUCache) -> tuple[np.ndarray, ...]:
    """Backward of `gru_forward`; returns (dx, dh0, dWx, dWh, dbx, dbh).

    dh: (B, T, H) upstream gradient of every hidden state (a gradient into the final
    state from beyond the sequence is added to dh[:, -1], as for the other backwards).
    """
    steps = cache.steps
    first = steps[0]
    B, H = first.h_prev.shape
    T = len(steps)
    dh = check_upstream("gru_backward", "dh", dh, (B, T, H), "B T H")
    dx = np.zeros((B, T, first.x.shape[1]))
    dWx, dWh = np.zeros_like(first.Wx), np.zeros_like(first.Wh)
    dbx, dbh = np.zeros(3 * H), np.zeros(3 * H)
    dh_t = np.zeros((B, H))
    for t in reversed(range(T)):
        dx[:, t], dh_t, dWx_t, dWh_t, dbx_t, dbh_t = _step_backward(dh[:, t] + dh_t, steps[t])
        dWx += dWx_t
        dWh += dWh_t
        dbx += dbx_t
        dbh += dbh_t
    return dx, dh_t, dWx, dWh, dbx, dbh


def gru_step_forward_alt(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                         bx: np.ndarray, bh: np.ndarray) -> np.ndarray:
    """One GRU step in the other update convention; returns h_next (B, H), no cache.

    h_next = z * n + (1 - z) * h_prev (Chung et al. 2014), with r, z, n computed exactly
    as in `gru_step_forward`. For any parameters p,
    gru_step_forward_alt(x, h, *p) == gru_step_forward(x, h, *flip_update_convention(p))[0].
    """
    _check_step("gru_step_forward_alt", x, h_prev, Wx, Wh, bx, bh)
    _, z, n, _ = _gates(x, h_prev, Wx, Wh, bx, bh)
    return z * n + (1 - z) * h_prev


def flip_update_convention(params) -> GRUParams:
    """Change of variables between the two update conventions (its own inverse).

    params: (Wx, Wh, bx, bh) as in `GRUParams`. Returns new arrays with the z block
    (columns H:2H) of all four negated, so that z' = sigmoid(-a_z) = 1 - z.
    """
    Wx, Wh, bx, bh = params
    shp = Shapes("flip_update_convention")
    shp.check("Wh", Wh, "H *")
    _check_params(shp, Wx, Wh, bx, bh, "Wh")
    H = shp["H"]
    flipped = []
    for p in (Wx, Wh, bx, bh):
        q = np.array(p, copy=True)
        q[..., H:2 * H] *= -1
        flipped.append(q)
    return GRUParams(*flipped)
