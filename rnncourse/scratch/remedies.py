"""Remedies for vanishing and exploding gradients that need no training loop (Chapter 4).

- Matrices: `orthogonal`, `spectral_radius`, `scale_to_spectral_radius`,
  `non_normal_matrix` (spectral radius below 1, largest singular value above 1).
- Echo-state network: a fixed random reservoir (`esn_reservoir`; it runs with
  `scratch.rnn.rnn_forward`); its read-out is `classical.ridge.ridge_readout`.
- Leaky units: `leaky_step_forward`, h_t = alpha h_{t-1} + (1 - alpha) tanh(a_t).

The trainable variants are torch modules: `rnncourse.models.remedies`.
Shapes: B batch, D input features, H hidden size.
"""

from __future__ import annotations

import numpy as np

from rnncourse.shapes import Shapes


def orthogonal(H: int, rng: np.random.Generator) -> np.ndarray:
    """A random orthogonal (H, H) matrix, uniform (Haar) over the orthogonal group.

    QR of a Gaussian matrix, with the signs of R's diagonal moved into Q so that the
    distribution does not depend on the QR routine's sign convention.
    """
    Q, R = np.linalg.qr(rng.standard_normal((H, H)))
    return Q * np.sign(np.diag(R))  # flip column j when R[j, j] < 0


def spectral_radius(W: np.ndarray) -> float:
    """max |eigenvalue| of the square matrix W."""
    return float(np.abs(np.linalg.eigvals(W)).max())


def scale_to_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """W rescaled so that its spectral radius is exactly `rho` (a new array)."""
    W = Shapes("scale_to_spectral_radius").check("W", W, "H H")
    current = spectral_radius(W)
    if current == 0:
        raise ValueError("scale_to_spectral_radius: `W` is nilpotent (all eigenvalues 0); "
                         "no rescaling can give it a positive spectral radius.")
    return W * (rho / current)


def non_normal_matrix(H: int, rho: float, coupling: float,
                      rng: np.random.Generator | None = None) -> np.ndarray:
    """W = Q (rho I + coupling S) Q^T with S the shift (ones on the superdiagonal).

    Every eigenvalue is rho (the matrix in brackets is triangular), so the spectral
    radius is |rho|, while the largest singular value is about |rho| + |coupling|: a
    non-normal matrix whose powers W^L grow before they decay when rho < 1 < rho +
    coupling. Q is a random orthogonal matrix if `rng` is given (same eigenvalues and
    singular values, less visible structure), the identity otherwise.
    """
    W = rho * np.eye(H) + coupling * np.eye(H, k=1)
    if rng is None:
        return W
    Q = orthogonal(H, rng)
    return Q @ W @ Q.T


def esn_reservoir(D: int, H: int, rho: float, rng: np.random.Generator,
                  input_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Fixed weights (W_in, W) of an echo-state network (Jaeger & Haas, 2004).

    W_in: (D, H) uniform in [-input_scale, input_scale]; W: (H, H) Gaussian rescaled to
    spectral radius `rho`. The reservoir is the tanh RNN h_t = tanh(x_t W_in + h_{t-1} W),
    so `scratch.rnn.rnn_forward(x, h0, W_in, W, np.zeros(H))` runs it; only a read-out is trained.
    """
    W_in = rng.uniform(-input_scale, input_scale, size=(D, H))
    W = scale_to_spectral_radius(rng.standard_normal((H, H)), rho)
    return W_in, W


def leaky_step_forward(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                       b: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """One step of a leaky tanh unit: h = alpha h_prev + (1 - alpha) tanh(x Wx + h_prev Wh + b).

    x: (B, D), h_prev: (B, H), Wx: (D, H), Wh: (H, H), b: (H,); alpha: a scalar or (H,)
    per-unit leak rates in [0, 1]. alpha = 0 is the plain tanh RNN; alpha near 1 is a
    slow moving average of what the unit would otherwise compute. Returns h: (B, H).
    """
    shp = Shapes("leaky_step_forward")
    shp.check("x", x, "B D")
    shp.check("h_prev", h_prev, "B H")
    shp.check("Wx", Wx, "D H")
    shp.check("Wh", Wh, "H H")
    shp.check("b", b, "H")
    alpha = np.asarray(alpha, dtype=float)
    if np.any(alpha < 0) or np.any(alpha > 1):
        raise ValueError("leaky_step_forward: `alpha` must lie in [0, 1].")
    return alpha * h_prev + (1 - alpha) * np.tanh(x @ Wx + h_prev @ Wh + b)
