"""Attention in NumPy: scores, the masked softmax, the context, and beam search.

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

Beam search here is the single-sequence algorithm over any `step(token, state) ->
(log_probs (V,), state)`: it keeps the `width` best partial hypotheses by total
log-probability, sets aside those that end in EOS, and ranks finished ones by
log p / len**length_norm (length_norm = 0: no length normalisation; the book writes the
width n_beam and the exponent lambda). `brute_force` enumerates every sequence instead, the
oracle the search is tested against on models small enough to enumerate.

This wing imports no torch: `models.attention` is the torch counterpart, tested against it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

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


Step = Callable[[int, object], tuple[np.ndarray, object]]


def _score(logp: float, length: int, length_norm: float) -> float:
    return logp / length ** length_norm if length_norm else logp


def beam_search(step: Step, state, bos: int, eos: int, width: int, max_len: int,
                length_norm: float = 0.0) -> tuple[list[int], float]:
    """The best sequence that beam search of width `width` finds, and its score.

    step(token, state) -> (log_probs (V,), new_state) scores the next token after `token`.
    Hypotheses start from `bos`; a hypothesis that emits `eos` is finished (its length
    counts the eos) and is never extended. At most `max_len` tokens are emitted; at
    that length unfinished hypotheses are ranked with the finished. Returns (tokens
    without bos, eos included if emitted; log p / len**length_norm).
    """
    if not (isinstance(width, int | np.integer) and width >= 1):
        raise ValueError(f"beam_search: `width` must be a positive integer, got {width!r}.")
    if not (isinstance(max_len, int | np.integer) and max_len >= 1):
        raise ValueError(f"beam_search: `max_len` must be a positive integer, got {max_len!r}.")
    beams = [([], 0.0, bos, state)]          # (tokens, total log p, last token, state)
    finished: list[tuple[list[int], float]] = []
    for _ in range(max_len):
        grown = []
        for tokens, logp, last, st in beams:
            lp, new_state = step(last, st)
            lp = np.asarray(lp, dtype=np.float64)
            for tok in np.argsort(-lp, kind="stable")[:width]:
                if not np.isfinite(lp[tok]):
                    break                     # probability 0: never a hypothesis
                grown.append((tokens + [int(tok)], logp + float(lp[tok]), int(tok), new_state))
        grown.sort(key=lambda h: -h[1])
        beams = []
        for h in grown[:width]:
            if h[2] == eos:
                finished.append((h[0], h[1]))
            else:
                beams.append(h)
        if not beams:
            break
    pool = finished + [(t, lp) for t, lp, _, _ in beams]
    best = max(pool, key=lambda h: _score(h[1], len(h[0]), length_norm))
    return best[0], _score(best[1], len(best[0]), length_norm)


def greedy(step: Step, state, bos: int, eos: int, max_len: int) -> tuple[list[int], float]:
    """The most probable token at every step until eos or max_len; (tokens, log p)."""
    tokens, logp, last = [], 0.0, bos
    for _ in range(max_len):
        lp, state = step(last, state)
        last = int(np.argmax(lp))
        tokens.append(last)
        logp += float(lp[last])
        if last == eos:
            break
    return tokens, logp


def brute_force(step: Step, state, bos: int, eos: int, V: int, max_len: int,
                length_norm: float = 0.0) -> tuple[list[int], float]:
    """The best sequence by exhaustive search over every token string of length <=
    max_len that ends in eos or reaches max_len (up to V**max_len of them: small models
    only), ranked as beam_search ranks them. Each prefix is scored once (depth first);
    tokens of probability 0 are not followed."""
    if V ** max_len > 200_000:
        raise ValueError(f"brute_force: V**max_len = {V}**{max_len} sequences is too many "
                         "to enumerate; use a smaller toy model.")
    best: list = [None, -np.inf]

    def visit(prefix: list[int], logp: float, last: int, st) -> None:
        lp, new_state = step(last, st)
        for tok in range(V):
            if not np.isfinite(lp[tok]):
                continue
            seq, total = prefix + [tok], logp + float(lp[tok])
            if tok == eos or len(seq) == max_len:
                s = _score(total, len(seq), length_norm)
                if s > best[1]:
                    best[0], best[1] = seq, s
            else:
                visit(seq, total, tok, new_state)

    visit([], 0.0, bos, state)
    return best[0], best[1]


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
