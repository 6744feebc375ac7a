"""Count-based character baselines: unigram and bigram models with add-alpha smoothing.

A language model is only interesting next to the simplest models that use the same data.
With counts from the training stream,

    unigram:  p(c)        = (count(c) + alpha) / (N + alpha V)
    bigram:   p(c | prev) = (count(prev, c) + alpha) / (count(prev) + alpha V),

and the loss is the mean negative log-probability, in nats per character, of the
held-out targets val_ids[1:]: the same characters a recurrent model scores when it
reads val_ids[:-1]. Add-alpha smoothing keeps an unseen character or pair from getting
probability zero (an infinite loss).
"""

from __future__ import annotations

import numpy as np

from rnncourse.shapes import check_ids


def _check(func: str, ids, V: int, name: str, min_len: int) -> np.ndarray:
    return check_ids(func, name, ids, V, "N", source="`V`", min_len=min_len)


def _check_order(func: str, n: int, alpha: float) -> None:
    if n not in (1, 2):
        raise ValueError(f"{func}: `n` must be 1 (unigram) or 2 (bigram), got {n!r}.")
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


def ngram_loss(train_ids: np.ndarray, val_ids: np.ndarray, V: int, n: int = 1,
               alpha: float = 0.1) -> float:
    """Mean negative log-likelihood (nats per character) of val_ids[1:] under an n-gram model.

    train_ids: (N,) ids the counts come from. val_ids: (M,) held-out ids; the targets are
    val_ids[1:], for n = 2 each given the character before it. Divide by ln 2 for bits.
    """
    func = "ngram_loss"
    _check_order(func, n, alpha)
    val = _check(func, val_ids, V, "val_ids", 2)
    p = ngram_probs(train_ids, V, n, alpha)
    probs = p[val[1:]] if n == 1 else p[val[:-1], val[1:]]                 # (M-1,)
    return float(-np.mean(np.log(probs)))
