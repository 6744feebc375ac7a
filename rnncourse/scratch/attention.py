"""Attention in NumPy: scores, the masked softmax, the context, scaled dot-product
attention; and, re-exported from `scratch.search`, greedy decoding, beam search and brute
force (Chapter 7 and the exercise set call them from here).

The equations (book/notation, Chapter 7). A decoder query q (B, Hq) looks at S source
positions with keys k_1..k_S (B, S, Hk); `mask` (B, S) is True on real positions. Rows
are vectors and weights multiply from the right, as everywhere in the course.

    additive (Bahdanau et al. 2015): e_j = tanh(q W_q + k_j W_k) . v   W_q (Hq, A), W_k (Hk, A)
    dot (Luong et al. 2015):         e_j = q . k_j                      needs Hq = Hk
    general (Luong et al. 2015):     e_j = q . (k_j W_g)                W_g (Hk, Hq)
    weights:                         alpha_j = exp(e_j) / sum_{l real} exp(e_l), 0 on padding
    context:                         c = sum_j alpha_j k_j              (B, Hk)

`models.attention` holds the same modules in torch: its nn.Linear weights are these
matrices transposed (W_q = `W.weight.T`, W_k = `U.weight.T`, W_g = `Wg.weight.T`).

`beam_search(step, state, bos, eos, width, max_len, length_norm=0.0)`, `greedy(step, state,
bos, eos, max_len)` and `brute_force(step, state, bos, eos, V, max_len, length_norm=0.0)`
search over any single-hypothesis `step(token, state) -> (log_probs (V,), state)`; they
live in `scratch.search`.

This wing imports no torch: `models.attention` is the torch counterpart, tested against it.
"""

from __future__ import annotations

import numpy as np

from rnncourse.scratch.search import Step as Step
from rnncourse.scratch.search import beam_search as beam_search
from rnncourse.scratch.search import brute_force as brute_force
from rnncourse.scratch.search import greedy as greedy
from rnncourse.shapes import Shapes


def _mask(func: str, shp: Shapes, mask) -> np.ndarray:
    m = shp.check("mask", mask, "B S")
    if m.dtype != bool:
        raise TypeError(f"{func}: `mask` must be a bool array (True on real positions), "
                        f"got dtype {m.dtype}.")
    empty = np.flatnonzero(~m.any(axis=1))
    if empty.size:
        raise ValueError(f"{func}: `mask` row {int(empty[0])} has no real position; every "
                         "sequence needs at least one.")
    return m


def masked_softmax(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(B, S) scores, (B, S) bool mask -> (B, S) weights: softmax over the real positions
    of each row, exactly 0 on padding."""
    shp = Shapes("masked_softmax")
    e = shp.check("scores", scores, "B S")
    m = _mask("masked_softmax", shp, mask)
    e = np.where(m, e, -np.inf)
    e = e - e.max(axis=1, keepdims=True)
    w = np.where(m, np.exp(e), 0.0)
    return w / w.sum(axis=1, keepdims=True)


def additive_scores(q: np.ndarray, keys: np.ndarray, Wq: np.ndarray, Wk: np.ndarray,
                    v: np.ndarray) -> np.ndarray:
    """Bahdanau scores e_j = tanh(q W_q + k_j W_k) . v: q (B, Hq), keys (B, S, Hk),
    Wq (Hq, A), Wk (Hk, A), v (A,) -> (B, S)."""
    shp = Shapes("additive_scores")
    q = shp.check("q", q, "B Hq")
    keys = shp.check("keys", keys, "B S Hk")
    Wq = shp.check("Wq", Wq, "Hq A")
    Wk = shp.check("Wk", Wk, "Hk A")
    v = shp.check("v", v, "A")
    return np.tanh((q @ Wq)[:, None, :] + keys @ Wk) @ v       # (B, S, A) @ (A,) -> (B, S)


def dot_scores(q: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Luong's dot scores e_j = q . k_j: q (B, H), keys (B, S, H) -> (B, S)."""
    shp = Shapes("dot_scores")
    q = shp.check("q", q, "B H")
    keys = shp.check("keys", keys, "B S H")
    return np.einsum("bh,bsh->bs", q, keys)


def general_scores(q: np.ndarray, keys: np.ndarray, Wg: np.ndarray) -> np.ndarray:
    """Luong's general scores e_j = q . (k_j W_g): q (B, Hq), keys (B, S, Hk),
    Wg (Hk, Hq) -> (B, S)."""
    shp = Shapes("general_scores")
    q = shp.check("q", q, "B Hq")
    keys = shp.check("keys", keys, "B S Hk")
    Wg = shp.check("Wg", Wg, "Hk Hq")
    return np.einsum("bh,bsh->bs", q, keys @ Wg)


def context(weights: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """c = sum_j alpha_j k_j: weights (B, S), keys (B, S, Hk) -> (B, Hk)."""
    shp = Shapes("context")
    w = shp.check("weights", weights, "B S")
    keys = shp.check("keys", keys, "B S Hk")
    return np.einsum("bs,bsh->bh", w, keys)


def scaled_dot_product(Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Scaled dot-product attention (Vaswani et al. 2017), T queries at once, built from
    this module's pieces: every query row q_t scores the keys with `dot_scores` divided by
    sqrt(d), the weights are `masked_softmax`, the output is `context` over the values.

    Q (B, T, d), K (B, S, d), V (B, S, Dv), mask (B, T, S) bool (True where query t may
    look at key j: real positions, and j <= t for a decoder's causal self-attention)
    -> (outputs (B, T, Dv), weights (B, T, S)).
    """
    shp = Shapes("scaled_dot_product")
    Q = shp.check("Q", Q, "B T d")
    K = shp.check("K", K, "B S d")
    V = shp.check("V", V, "B S Dv")
    m = shp.check("mask", mask, "B T S")
    B, T, d = Q.shape
    S = K.shape[1]
    q = Q.reshape(B * T, d)                                  # every query is a row
    keys = np.repeat(K, T, axis=0)                           # (B*T, S, d), its sequence's keys
    scores = dot_scores(q, keys) / np.sqrt(d)
    w = masked_softmax(scores, m.reshape(B * T, S))
    out = context(w, np.repeat(V, T, axis=0))
    return out.reshape(B, T, -1), w.reshape(B, T, S)
