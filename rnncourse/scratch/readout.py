"""The read-out of a language model over time: an affine layer and a masked softmax loss.

At every step the state h_t is mapped to scores over the vocabulary,

    s_t = h_t W + b,        W: (H, V), b: (V,),

and the loss is the cross-entropy of the next token y_t, averaged over the positions
that count (the mask):

    L = -(1 / N) * sum_{b, t : mask[b, t]} log softmax(s[b, t])[y[b, t]],
    N = mask.sum()   (N = B * T without a mask).

This is `torch.nn.functional.cross_entropy(..., ignore_index=..., reduction="mean")`.
Dividing by the number of real tokens, rather than by B, keeps the size of the gradient
independent of how much padding a batch carries.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncourse.scratch.ops import log_softmax
from rnncourse.shapes import Shapes


class TemporalAffineCache(NamedTuple):
    h: np.ndarray  # (B, T, H) inputs of the read-out
    W: np.ndarray  # (H, V) read-out weights


def temporal_affine_forward(h: np.ndarray, W: np.ndarray,
                            b: np.ndarray) -> tuple[np.ndarray, TemporalAffineCache]:
    """The same affine map at every step: scores = h @ W + b.

    h: (B, T, H) states. W: (H, V). b: (V,).
    Returns scores: (B, T, V) and the cache for `temporal_affine_backward`.
    """
    shp = Shapes("temporal_affine_forward")
    h = shp.check("h", h, "B T H")
    W = shp.check("W", W, "H V")
    b = shp.check("b", b, "V")
    return scores(h, W, b), TemporalAffineCache(h, W)  # (B, T, V)


def scores(h: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The read-out itself, h @ W + b for states h: (..., H); no checks and no cache, for
    the loops of this package (sampling, evaluation) after their own checks."""
    return h @ W + b


def temporal_affine_backward(dscores: np.ndarray,
                             cache: TemporalAffineCache) -> tuple[np.ndarray, ...]:
    """Gradients of the read-out: returns (dh, dW, db).

    dscores: (B, T, V). W and b are shared by all steps, so dW and db sum over batch
    and time.
    """
    h, W = cache
    shp = Shapes("temporal_affine_backward")
    shp.bind("B", h.shape[0], "the forward pass (the cache)")
    shp.bind("T", h.shape[1], "the forward pass (the cache)")
    shp.bind("V", W.shape[1], "the forward pass (the cache)")
    dscores = shp.check("dscores", dscores, "B T V")
    B, T, H = h.shape
    V = W.shape[1]
    ds2 = dscores.reshape(B * T, V)
    dh = dscores @ W.T                     # (B, T, H)
    dW = h.reshape(B * T, H).T @ ds2       # (H, V)
    db = ds2.sum(axis=0)                   # (V,)
    return dh, dW, db


def temporal_softmax_loss(scores: np.ndarray, y: np.ndarray,
                          mask: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Mean cross-entropy over the unmasked positions, and its gradient.

    scores: (B, T, V) unnormalised log-probabilities. y: (B, T) integer targets in
    0..V-1 (anything, e.g. -100, at masked positions). mask: (B, T) bool, True where the
    position counts; None means all positions count.
    Returns loss = -(sum over mask of log p[y]) / mask.sum() and dscores: (B, T, V),
    which is (softmax - one_hot(y)) / mask.sum() at counted positions and 0 elsewhere.
    """
    func = "temporal_softmax_loss"
    shp = Shapes(func)
    scores = shp.check("scores", scores, "B T V")
    y = shp.check("y", y, "B T")
    if mask is None:
        mask = np.ones(y.shape, dtype=bool)
    mask = shp.check("mask", mask, "B T")
    if mask.dtype != bool:
        raise TypeError(f"{func}: `mask` must be a bool array (True = position counts), "
                        f"got dtype {mask.dtype}.")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{func}: `y` must hold integer token ids, got dtype {y.dtype}.")
    n = int(mask.sum())
    if n == 0:
        raise ValueError(f"{func}: `mask` has no True entry, so there is no token to "
                         "average the loss over.")
    V = scores.shape[2]
    y_safe = np.where(mask, y, 0)                                 # (B, T) valid everywhere
    if y_safe.min() < 0 or y_safe.max() >= V:
        raise ValueError(f"{func}: `y` holds ids outside 0..V-1 = 0..{V - 1} at unmasked "
                         f"positions; V={V} comes from `scores`.")
    logp = log_softmax(scores)                                    # (B, T, V)
    picked = np.take_along_axis(logp, y_safe[..., None], axis=-1)[..., 0]  # (B, T)
    loss = -float(np.sum(picked[mask])) / n
    dscores = np.exp(logp)                                        # (B, T, V) softmax
    np.put_along_axis(dscores, y_safe[..., None], np.take_along_axis(
        dscores, y_safe[..., None], axis=-1) - 1.0, axis=-1)      # softmax - one_hot(y)
    dscores *= mask[..., None] / n
    return loss, dscores
