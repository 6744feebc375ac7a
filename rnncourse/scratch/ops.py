"""The elementwise pieces every NumPy network of the course shares.

sigmoid, softmax and log_softmax, each written so that exp never overflows, and the one
check that an array holds integer ids in 0..V-1 is `rnncourse.shapes.check_ids`.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic sigmoid 1 / (1 + exp(-a)), stable for large |a|: exp only sees -|a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable log softmax: s - max(s) - log(sum(exp(s - max(s)))).

    Subtracting the maximum changes nothing mathematically, and keeps exp() from
    overflowing: the largest term becomes exp(0) = 1.
    """
    shifted = scores - np.max(scores, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along `axis` (the exp of `log_softmax`)."""
    return np.exp(log_softmax(scores, axis=axis))
