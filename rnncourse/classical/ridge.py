"""Closed-form ridge regression: the read-out of a fixed feature map.

Used wherever a model's features are fixed and only a linear read-out is trained: the
sliding-window baseline of Chapter 1 (features = the last k inputs) and the echo-state
network of Chapter 4 (features = reservoir states).
"""

from __future__ import annotations

import numpy as np

from rnncourse.shapes import Shapes


def ridge_readout(states: np.ndarray, y: np.ndarray,
                  lam: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form ridge regression of targets on states: returns (W_out, b_out).

    states: (N, H) features (e.g. the last reservoir state of N sequences); y: (N,) or
    (N, K) targets. Minimises ||states W_out + b_out - y||^2 + lam ||W_out||^2 (the bias
    is not penalised) by solving the normal equations on centred data.
    W_out: (H,) or (H, K); b_out: () or (K,).
    """
    shp = Shapes("ridge_readout")
    states = shp.check("states", states, "N H")
    y = np.asarray(y)
    shp.check("y", y, "N" if y.ndim == 1 else "N K")
    if not lam >= 0:
        raise ValueError(f"ridge_readout: `lam` must be non-negative, got {lam}.")
    mu_s, mu_y = states.mean(axis=0), y.mean(axis=0)
    Sc = states - mu_s  # (N, H)
    W_out = np.linalg.solve(Sc.T @ Sc + lam * np.eye(states.shape[1]), Sc.T @ (y - mu_y))
    return W_out, mu_y - mu_s @ W_out
