"""The vanilla (Elman) tanh RNN in NumPy: one step, a whole sequence, and the input path.

One step maps the previous state and the current input to the next state,

    h_t = tanh(x_t Wx + h_{t-1} Wh + b),

with row-vector states (`book/notation`): x: (B, D), h: (B, H), Wx: (D, H), Wh: (H, H),
b: (H,). This is `torch.nn.RNN(nonlinearity="tanh", batch_first=True)` with
`Wx = weight_ih.T`, `Wh = weight_hh.T`, `b = bias_ih + bias_hh`.

Backpropagation through time (BPTT) walks the sequence backwards. The only sequential
part is the recursion of the state gradient; everything else is vectorised over batch
and time, so `rnn_backward` does three large matrix products instead of 3T small ones.

Inputs are either learned embeddings (`embed_forward`: row `idx` of `W_embed`) or
one-hot vectors (`one_hot`); `one_hot(idx, V) @ Wx == Wx[idx]`, so an embedding is the
same computation with the matrix product replaced by a lookup.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncourse.shapes import Shapes, check_ids, check_upstream


def _check(func: str, x, h, Wx, Wh, b, h_name: str, x_spec: str) -> tuple[np.ndarray, ...]:
    """Check the arguments of a step (x_spec "B D") or a sequence ("B T D"); returns arrays."""
    shp = Shapes(func)
    return (shp.check("x", x, x_spec), shp.check(h_name, h, "B H"), shp.check("Wx", Wx, "D H"),
            shp.check("Wh", Wh, "H H"), shp.check("b", b, "H"))


class RNNStepCache(NamedTuple):
    x: np.ndarray       # (B, D) input at this step
    h_prev: np.ndarray  # (B, H) previous state
    Wx: np.ndarray      # (D, H) input-to-hidden weights
    Wh: np.ndarray      # (H, H) hidden-to-hidden weights
    h_next: np.ndarray  # (B, H) new state, tanh already applied


def rnn_step_forward(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                     b: np.ndarray) -> tuple[np.ndarray, RNNStepCache]:
    """One tanh RNN step, h_next = tanh(x @ Wx + h_prev @ Wh + b).

    x: (B, D) input at this step. h_prev: (B, H) previous state.
    Wx: (D, H), Wh: (H, H), b: (H,) parameters.
    Returns h_next: (B, H) and the cache for `rnn_step_backward`.
    """
    x, h_prev, Wx, Wh, b = _check("rnn_step_forward", x, h_prev, Wx, Wh, b, "h_prev", "B D")
    h_next = tanh_step(x @ Wx + b, h_prev, Wh)  # (B, H)
    return h_next, RNNStepCache(x, h_prev, Wx, Wh, h_next)


def tanh_step(x_part: np.ndarray, h_prev: np.ndarray, Wh: np.ndarray) -> np.ndarray:
    """The recurrence itself, tanh(x_part + h_prev @ Wh), with the input part x Wx + b
    computed by the caller (once for all steps in `rnn_forward`). No checks: for the
    loops of this package, after their own checks."""
    return np.tanh(x_part + h_prev @ Wh)


def rnn_step_backward(dh_next: np.ndarray, cache: RNNStepCache) -> tuple[np.ndarray, ...]:
    """Gradients of one step: returns (dx, dh_prev, dWx, dWh, db).

    dh_next: (B, H) gradient of the loss with respect to h_next.
    tanh' = 1 - tanh^2 reads the post-activation value kept in the cache.
    """
    dh_next = check_upstream("rnn_step_backward", "dh_next", dh_next, cache.h_next, "B H")
    da = dh_next * (1.0 - cache.h_next**2)  # (B, H) gradient of the pre-activation
    dx = da @ cache.Wx.T                     # (B, D)
    dh_prev = da @ cache.Wh.T                # (B, H)
    dWx = cache.x.T @ da                     # (D, H)
    dWh = cache.h_prev.T @ da                # (H, H)
    db = da.sum(axis=0)                      # (H,) b is broadcast over the batch
    return dx, dh_prev, dWx, dWh, db


class RNNCache(NamedTuple):
    x: np.ndarray   # (B, T, D) inputs, or (B, T) ids of one-hot inputs
    h0: np.ndarray  # (B, H) initial state
    Wx: np.ndarray  # (D, H) input-to-hidden weights
    Wh: np.ndarray  # (H, H) hidden-to-hidden weights
    h: np.ndarray   # (B, T, H) states h_1..h_T, tanh already applied


def rnn_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                b: np.ndarray) -> tuple[np.ndarray, RNNCache]:
    """Run the tanh RNN over a batch of sequences.

    x: (B, T, D) inputs, or (B, T) integer ids in 0..D-1 standing for one-hot inputs.
    h0: (B, H) initial state. Wx: (D, H), Wh: (H, H), b: (H,).
    Returns h: (B, T, H), where h[:, t] is the state after reading x[:, t] (so the final
    state is h[:, -1]), and the cache for `rnn_backward`.
    The same computation as T calls of `rnn_step_forward`, with x @ Wx + b done for all
    steps in one product. For ids that product is the row lookup Wx[x], the same numbers
    as one_hot(x, D) @ Wx without building the (B, T, D) array of zeros and ones.
    """
    if _are_ids(x):
        shp = Shapes("rnn_forward")
        Wx = shp.check("Wx", Wx, "D H")
        x = check_ids("rnn_forward", "x", x, shp["D"], "B T", shp=shp, source="`Wx`")
        h0, Wh, b = shp.check("h0", h0, "B H"), shp.check("Wh", Wh, "H H"), shp.check("b", b, "H")
        xw = Wx[x] + b                                    # (B, T, H) one-hot rows of Wx
    else:
        x, h0, Wx, Wh, b = _check("rnn_forward", x, h0, Wx, Wh, b, "h0", "B T D")
        xw = x @ Wx + b                                   # (B, T, H) input part, all steps
    B, T, H = x.shape[0], x.shape[1], h0.shape[1]
    h = np.empty((B, T, H), dtype=np.result_type(xw, h0, Wh))
    h_prev = h0
    for t in range(T):
        h_prev = tanh_step(xw[:, t], h_prev, Wh)          # (B, H)
        h[:, t] = h_prev
    return h, RNNCache(x, h0, Wx, Wh, h)


def rnn_backward(dh: np.ndarray, cache: RNNCache) -> tuple[np.ndarray, ...]:
    """BPTT through `rnn_forward`: returns (dx, dh0, dWx, dWh, db).

    dh: (B, T, H) gradient of the loss with respect to every output state h[:, t]
        (from the read-out at each step; zeros where a step has no loss).
    A gradient that reaches the final state from beyond this sequence (the `dh0` of the
        next chunk, when a long sequence is processed in chunks without truncation) is
        simply added to dh[:, -1]: every backward of the course takes one gradient per
        output of its forward, in order, and then the cache.
    dh0: (B, H) is the gradient with respect to the initial state, i.e. what would flow
        into the previous chunk. Truncated BPTT discards it (see `rnncourse.scratch.charlm`).
    dx: (B, T, D), or None when the forward pass read ids (they have no gradient).
    """
    dh = check_upstream("rnn_backward", "dh", dh, cache.h, "B T H")
    x, h0, Wx, Wh, h = cache
    T = h.shape[1]
    ids = _are_ids(x)
    da = np.empty_like(h)                                    # (B, T, H) pre-activation grads
    carry = np.zeros_like(h0)                                # (B, H) from step t+1
    for t in range(T - 1, -1, -1):
        da[:, t] = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)
        carry = da[:, t] @ Wh.T                               # (B, H) into h_{t-1}
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # (B, T, H) states read
    if ids:          # one-hot inputs: no gradient for the ids, the same product for dWx
        dx, x = None, one_hot(x, Wx.shape[0])
    else:
        dx = da @ Wx.T                                       # (B, T, D)
    B, D, H = x.shape[0], x.shape[2], h.shape[2]
    da2 = da.reshape(B * T, H)
    dWx = x.reshape(B * T, D).T @ da2                        # (D, H) summed over B and T
    dWh = h_prev.reshape(B * T, H).T @ da2                   # (H, H)
    db = da2.sum(axis=0)                                     # (H,)
    return dx, carry, dWx, dWh, db


def _are_ids(x) -> bool:
    """True for an integer array: token ids standing for one-hot inputs."""
    return isinstance(x, np.ndarray) and x.dtype.kind in "iu"


def one_hot(idx: np.ndarray, V: int, dtype=np.float64) -> np.ndarray:
    """One-hot vectors: idx of any shape (...) -> (..., V) with a single 1 per row."""
    idx = np.asarray(idx)
    idx = check_ids("one_hot", "idx", idx, V, " ".join(f"N{i}" for i in range(idx.ndim)))
    out = np.zeros(idx.shape + (V,), dtype=dtype)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return out


class EmbedCache(NamedTuple):
    idx: np.ndarray  # (B, T) token ids that were looked up
    V: int           # vocabulary size, the number of rows of W_embed


def embed_forward(idx: np.ndarray, W_embed: np.ndarray) -> tuple[np.ndarray, EmbedCache]:
    """Look up embeddings: x[b, t] = W_embed[idx[b, t]].

    idx: (B, T) integer ids in 0..V-1. W_embed: (V, D).
    Returns x: (B, T, D) and the cache for `embed_backward`.
    """
    shp = Shapes("embed_forward")
    W_embed = shp.check("W_embed", W_embed, "V D")
    idx = check_ids("embed_forward", "idx", idx, W_embed.shape[0], "B T", shp=shp,
                    source="`W_embed`")
    return W_embed[idx], EmbedCache(idx, W_embed.shape[0])  # (B, T, D)


def embed_backward(dx: np.ndarray, cache: EmbedCache) -> np.ndarray:
    """Gradient of the lookup: returns dW_embed: (V, D) (integer idx has no gradient).

    dx: (B, T, D). A token that occurs several times collects the sum of its rows;
    `np.add.at` accumulates repeated indices, where `dW[idx] += dx` would keep only one.
    """
    shp = Shapes("embed_backward")
    shp.bind("B", cache.idx.shape[0], "the forward pass (the cache)")
    shp.bind("T", cache.idx.shape[1], "the forward pass (the cache)")
    dx = shp.check("dx", dx, "B T D")
    dW = np.zeros((cache.V, dx.shape[2]), dtype=dx.dtype)
    np.add.at(dW, cache.idx, dx)
    return dW
