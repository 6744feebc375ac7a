"""Gradient clipping and parameter updates for dict-of-arrays models.

Clipping is a separate step between the backward pass and the update, so a chapter can
show the raw gradient norm, clip, and update, each on its own line:

    loss, grads, h = charlm.model_loss(params, x, y, h)
    grads, norm = optim.clip_global_norm(grads, max_norm=5.0)
    opt.step(params, grads)

`clip_global_norm` rescales all gradients together by one factor, so the update keeps
its direction; `clip_elementwise` (what min-char-rnn does with np.clip) clips each entry
on its own and in general changes the direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _check_grads(func: str, params: dict, grads: dict) -> None:
    missing = sorted(set(params) - set(grads))
    extra = sorted(set(grads) - set(params))
    if missing or extra:
        raise ValueError(f"{func}: `grads` must have the keys of `params`; missing "
                         f"{missing}, unexpected {extra}.")
    for k in params:
        if np.shape(grads[k]) != np.shape(params[k]):
            raise ValueError(f"{func}: `grads['{k}']` has shape {np.shape(grads[k])} but "
                             f"expected {np.shape(params[k])}, the shape of `params['{k}']`.")


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """sqrt of the sum of squares of all entries of all gradients."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_global_norm(grads: dict[str, np.ndarray],
                     max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """Rescale all gradients by min(1, max_norm / total_norm) (Pascanu et al., 2013).

    Returns (clipped, total_norm): new arrays (the inputs are not modified) and the norm
    before clipping, worth logging: spikes in it are exploding gradients.
    """
    if not max_norm > 0:
        raise ValueError(f"clip_global_norm: `max_norm` must be positive, got {max_norm}.")
    total = global_norm(grads)
    scale = max_norm / total if total > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total


def clip_elementwise(grads: dict[str, np.ndarray], value: float) -> dict[str, np.ndarray]:
    """Clip every entry to [-value, value]; returns new arrays.

    Cheap, but it changes the direction of the gradient whenever some entries are
    clipped and others are not.
    """
    if not value > 0:
        raise ValueError(f"clip_elementwise: `value` must be positive, got {value}.")
    return {k: np.clip(g, -value, value) for k, g in grads.items()}


def sgd_update(params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> None:
    """Plain gradient descent, in place: p <- p - lr * g for every parameter."""
    _check_grads("sgd_update", params, grads)
    for k in params:
        params[k] -= lr * grads[k]


def adagrad_update(params: dict[str, np.ndarray], grads: dict[str, np.ndarray],
                   memory: dict[str, np.ndarray], lr: float, eps: float = 1e-8) -> None:
    """Adagrad (Duchi et al., 2011), in place on `params` and `memory`:

        m <- m + g**2,    p <- p - lr * g / (sqrt(m) + eps).

    memory: running sums of squared gradients, one array per parameter; missing entries
    start at zero. Each entry gets its own step size, which only ever shrinks.
    """
    _check_grads("adagrad_update", params, grads)
    for k in params:
        m = memory.setdefault(k, np.zeros_like(params[k]))
        m += grads[k] * grads[k]
        params[k] -= lr * grads[k] / (np.sqrt(m) + eps)


@dataclass
class Adagrad:
    """Adagrad with its state: `opt = Adagrad(lr=0.1); opt.step(params, grads)`."""

    lr: float = 0.1       # base step size (min-char-rnn uses 0.1)
    eps: float = 1e-8     # keeps the division finite while the memory is still zero
    memory: dict[str, np.ndarray] = field(default_factory=dict)  # sums of squared grads

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """One in-place update of `params`."""
        adagrad_update(params, grads, self.memory, self.lr, self.eps)
