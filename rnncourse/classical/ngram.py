"""Count-based character baselines: n-gram models with add-alpha smoothing.

A language model is only interesting next to the simplest models that use the same data.
With counts from the training stream,

    unigram:  p(c)        = (count(c) + alpha) / (N + alpha V)
    bigram:   p(c | prev) = (count(prev, c) + alpha) / (count(prev) + alpha V),
    n-gram:   p(c | ctx)  = (count(ctx, c) + alpha) / (count(ctx) + alpha V),  ctx the n-1
              characters before c,

and the loss is the mean negative log-probability, in nats per character, of the
held-out targets val_ids[1:]: the same characters a recurrent model scores when it
reads val_ids[:-1] (the first targets, with fewer than n-1 characters before them, use
the longest context there is). Add-alpha smoothing keeps an unseen character or pair from getting
probability zero (an infinite loss).
"""

from __future__ import annotations

import numpy as np

from rnncourse.shapes import check_ids


def _check(func: str, ids, V: int, name: str, min_len: int) -> np.ndarray:
    return check_ids(func, name, ids, V, "N", source="`V`", min_len=min_len)


def _check_order(func: str, n: int, alpha: float, orders=(1, 2)) -> None:
    if n not in orders:
        raise ValueError(f"{func}: `n` must be one of {tuple(orders)} (the model's order: 1 "
                         f"unigram, 2 bigram, ...), got {n!r}.")
    if not alpha > 0:
        raise ValueError(f"{func}: `alpha` must be positive (add-alpha smoothing), got "
                         f"{alpha}; with alpha = 0 an unseen character has probability 0.")


def ngram_probs(train_ids: np.ndarray, V: int, n: int = 1, alpha: float = 0.1) -> np.ndarray:
    """Smoothed n-gram probabilities from a training stream of ids.

    train_ids: (N,) ids in 0..V-1. n = 1 returns p: (V,) with p[c] = p(c); n = 2 returns
    p: (V, V) with p[prev, c] = p(c | prev), every row summing to one.
    """
    func = "ngram_probs"
    _check_order(func, n, alpha)
    ids = _check(func, train_ids, V, "train_ids", n)
    if n == 1:
        counts = np.bincount(ids, minlength=V).astype(np.float64)         # (V,)
    else:
        pairs = ids[:-1] * V + ids[1:]                                     # (N-1,) flat index
        counts = np.bincount(pairs, minlength=V * V).reshape(V, V).astype(np.float64)
    counts += alpha
    return counts / counts.sum(axis=-1, keepdims=True)


def _context_log_probs(train: np.ndarray, val: np.ndarray, V: int, k: int, alpha: float
                       ) -> np.ndarray:
    """log p(val[j] | val[j-k+1 .. j-1]) for j = k-1 .. M-1 under the order-k model:
    (M-k+1,). n-grams are coded as base-V integers and counted with np.unique."""
    def codes(ids: np.ndarray, m: int) -> np.ndarray:    # (len - m + 1,) codes of m-grams
        c = np.zeros(len(ids) - m + 1, np.int64)
        for i in range(m):
            c = c * V + ids[i:len(ids) - m + 1 + i]
        return c

    def lookup(keys: np.ndarray, counts: np.ndarray, q: np.ndarray) -> np.ndarray:
        pos = np.clip(np.searchsorted(keys, q), 0, len(keys) - 1)
        return np.where(keys[pos] == q, counts[pos], 0)

    if k == 1:
        counts = np.bincount(train, minlength=V).astype(np.float64)
        return np.log((counts[val] + alpha) / (len(train) + alpha * V))
    grams, gram_n = np.unique(codes(train, k), return_counts=True)
    ctxs, ctx_n = np.unique(codes(train[:-1], k - 1), return_counts=True)
    q = codes(val, k)
    num = lookup(grams, gram_n, q) + alpha
    den = lookup(ctxs, ctx_n, q // V) + alpha * V
    return np.log(num / den)


def ngram_loss(train_ids: np.ndarray, val_ids: np.ndarray, V: int, n: int = 1,
               alpha: float = 0.1) -> float:
    """Mean negative log-likelihood (nats per character) of val_ids[1:] under an n-gram model.

    train_ids: (N,) ids the counts come from. val_ids: (M,) held-out ids; the targets are
    val_ids[1:], each given the n-1 characters before it (fewer for the first n-2
    targets, which have no more). n in 1..6. Divide by ln 2 for bits.
    """
    func = "ngram_loss"
    _check_order(func, n, alpha, orders=range(1, 7))
    train = _check(func, train_ids, V, "train_ids", n)
    val = _check(func, val_ids, V, "val_ids", max(2, n))
    if n == 1:
        return float(-np.mean(_context_log_probs(train, val[1:], V, 1, alpha)))
    logp = [_context_log_probs(train, val[:k], V, k, alpha)[-1] for k in range(2, n)]
    logp = np.concatenate([logp, _context_log_probs(train, val, V, n, alpha)])
    return float(-np.mean(logp))
