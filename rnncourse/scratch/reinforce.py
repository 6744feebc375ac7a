"""Hard attention's gradient by REINFORCE (Chapter 8), for one categorical choice.

Hard attention samples one location l ~ p = softmax(s) instead of averaging over all of
them. The reward R(l) of what follows cannot be differentiated through the sample, but its
expectation can: E[R] = sum_l p_l R_l, and

    d E[R] / d s = sum_l p_l R_l (onehot(l) - p) = E_l[ R(l) (onehot(l) - p) ]

because d log p_l / d s = onehot(l) - p (Williams 1992). So the average of
(R(l) - b) (onehot(l) - p) over sampled locations is an unbiased estimate of the gradient for
any baseline b that does not depend on l (its term has expectation b * sum_l p_l (onehot(l) -
p) = 0). The baseline changes the variance, not the mean: `best_baseline` gives the constant
b with the least variance (a weighted mean of the rewards), which never does worse than
b = 0; b = E[R], the usual choice, is not that constant and can do worse than no baseline
(Chapter 8 measures it for a trained policy).
"""

from __future__ import annotations

import numpy as np

from rnncourse.scratch.ops import softmax
from rnncourse.shapes import check_shape


def exact_gradient(scores: np.ndarray, rewards: np.ndarray) -> np.ndarray:
    """d E[R] / d scores for p = softmax(scores): p * (R - p . R). (L,), (L,) -> (L,)."""
    s = check_shape("exact_gradient", "scores", scores, "L").astype(np.float64)
    r = check_shape("exact_gradient", "rewards", rewards, "L", L=s.shape[0]).astype(np.float64)
    p = softmax(s)
    return p * (r - p @ r)


def reinforce_gradient(scores: np.ndarray, rewards: np.ndarray, n: int,
                       rng: np.random.Generator, baseline: float = 0.0,
                       return_rewards: bool = False):
    """The REINFORCE estimate from n sampled locations: mean of (R(l) - baseline) *
    (onehot(l) - p). rewards (L,) gives R for each location (only sampled ones are read,
    as a black box would be). (L,) -> (L,); with return_rewards, also the mean reward of
    the samples (what a moving-average baseline may use)."""
    s = check_shape("reinforce_gradient", "scores", scores, "L").astype(np.float64)
    r = check_shape("reinforce_gradient", "rewards", rewards, "L", L=s.shape[0])
    if not (isinstance(n, int | np.integer) and n >= 1):
        raise ValueError(f"reinforce_gradient: `n` must be a positive integer, got {n!r}.")
    p = softmax(s)
    picks = rng.choice(len(p), size=n, p=p)                        # (n,) sampled locations
    got = np.asarray(r, dtype=np.float64)[picks]                    # (n,) sampled rewards
    grads = (got - baseline)[:, None] * (np.eye(len(p))[picks] - p)  # (n, L)
    return (grads.mean(axis=0), float(got.mean())) if return_rewards else grads.mean(axis=0)


def estimator_variance(scores: np.ndarray, rewards: np.ndarray, baseline: float = 0.0) -> float:
    """The total variance (summed over the L coordinates) of a one-sample REINFORCE estimate,
    exactly: sum_l p_l (R_l - b)^2 |onehot(l) - p|^2 - |dJ/ds|^2. An average of n samples has
    this variance divided by n."""
    s = check_shape("estimator_variance", "scores", scores, "L").astype(np.float64)
    r = check_shape("estimator_variance", "rewards", rewards, "L", L=s.shape[0]).astype(np.float64)
    p = softmax(s)
    spread = ((np.eye(len(p)) - p) ** 2).sum(axis=1)               # |onehot(l) - p|^2, (L,)
    return float(p @ ((r - baseline) ** 2 * spread) - np.sum(exact_gradient(s, r) ** 2))


def best_baseline(scores: np.ndarray, rewards: np.ndarray) -> float:
    """The constant baseline with the smallest `estimator_variance`: the mean of the rewards
    weighted by p_l |onehot(l) - p|^2 (setting the derivative of the variance in b to 0).
    It is close to the expected reward J when p is spread out, and can be far from it when p
    is concentrated."""
    s = check_shape("best_baseline", "scores", scores, "L").astype(np.float64)
    r = check_shape("best_baseline", "rewards", rewards, "L", L=s.shape[0]).astype(np.float64)
    p = softmax(s)
    weight = p * ((np.eye(len(p)) - p) ** 2).sum(axis=1)           # (L,)
    return float(weight @ r / weight.sum())
