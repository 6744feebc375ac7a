"""Autoregressive models AR(p), the first classical baseline of chapter 1.

An AR(p) model predicts the next value of a single series from its last p values,

    x_t = c + phi_1 x_{t-1} + ... + phi_p x_{t-p} + eps_t,    eps_t ~ N(0, sigma^2).

`phi[i-1]` multiplies x_{t-i} (see `book/notation`). A single series is an array
`x: (T,)`. Two estimators are provided: Yule-Walker (match the autocovariances) and
ordinary least squares on lagged values (the oracle the tests compare it with).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.linalg import toeplitz

from rnncourse.shapes import Shapes


@dataclass
class ARFit:
    """A fitted (or true) AR(p) model."""

    c: float            # intercept c; the mean of the process is c / (1 - sum(phi))
    phi: np.ndarray     # (p,) coefficients; phi[i-1] multiplies x_{t-i}
    sigma2: float       # innovation variance sigma^2

    @property
    def p(self) -> int:
        """Order of the model."""
        return len(self.phi)


def _phi(func: str, phi) -> np.ndarray:
    return Shapes(func).check("phi", phi, "p").astype(np.float64)


def _series(func: str, x, p: int) -> np.ndarray:
    x = Shapes(func).check("x", x, "T").astype(np.float64)
    if p < 1:
        raise ValueError(f"{func}: the order p must be at least 1, got p={p}.")
    if len(x) <= p:
        raise ValueError(f"{func}: `x` has T={len(x)} values, but an AR({p}) fit needs "
                         f"more than p={p} of them.")
    return x


def characteristic_roots(phi: np.ndarray) -> np.ndarray:
    """Roots z of 1 - phi_1 z - ... - phi_p z^p (complex array (p,)).

    phi: (p,) AR coefficients.
    """
    phi = _phi("characteristic_roots", phi)
    # np.roots wants the highest power first: -phi_p z^p - ... - phi_1 z + 1.
    return np.roots(np.concatenate([-phi[::-1], [1.0]]))


def is_stationary(phi: np.ndarray) -> bool:
    """True if every root of 1 - sum_i phi_i z^i lies strictly outside the unit circle.

    phi: (p,) AR coefficients. Equivalently: the companion matrix has spectral radius < 1,
    so the influence of old values dies out geometrically.
    """
    roots = characteristic_roots(phi)
    return bool(np.all(np.abs(roots) > 1.0))


def simulate_ar(phi: np.ndarray, T: int, rng: np.random.Generator, c: float = 0.0,
                sigma: float = 1.0, burn_in: int = 500) -> np.ndarray:
    """Draw x: (T,) from a stationary AR(p) process.

    phi: (p,) coefficients. The first `burn_in` steps (started from the process mean)
    are discarded, so the returned series starts close to the stationary distribution.
    Raises ValueError if phi is not stationary: the series would explode or wander.
    """
    phi = _phi("simulate_ar", phi)
    if not is_stationary(phi):
        roots = characteristic_roots(phi)
        raise ValueError(
            f"simulate_ar: phi={phi.tolist()} is not stationary: the characteristic "
            "polynomial 1 - phi_1 z - ... - phi_p z^p has a root with |z| <= 1 "
            f"(smallest |z| = {np.min(np.abs(roots)):.3g}), so shocks do not die out "
            "and the series has no stationary distribution."
        )
    p = len(phi)
    mean = c / (1.0 - phi.sum())
    n = T + burn_in
    x = np.full(n + p, mean)
    eps = sigma * rng.standard_normal(n)
    for t in range(p, n + p):
        x[t] = c + phi @ x[t - p:t][::-1] + eps[t - p]  # x[t-1], ..., x[t-p]
    return x[p + burn_in:]


def autocovariance(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Biased sample autocovariance gamma: (max_lag+1,) of x: (T,).

    gamma[l] = (1/T) sum_{t=0}^{T-1-l} (x[t] - mean)(x[t+l] - mean).
    Dividing by T (not T - l) biases long lags towards zero but keeps every Toeplitz
    matrix Gamma_ij = gamma(|i-j|) positive semi-definite, so Yule-Walker is solvable.
    """
    x = Shapes("autocovariance").check("x", x, "T").astype(np.float64)
    if not 0 <= max_lag < len(x):
        raise ValueError(f"autocovariance: max_lag={max_lag} must lie in 0..T-1 = "
                         f"0..{len(x) - 1}.")
    d = x - x.mean()
    T = len(d)
    return np.array([d[:T - lag] @ d[lag:] for lag in range(max_lag + 1)]) / T


def yule_walker(x: np.ndarray, p: int) -> ARFit:
    """Yule-Walker estimate of an AR(p) model from x: (T,).

    Solves Gamma phi = gamma_{1:p} with Gamma_ij = gamma(|i-j|) (a (p, p) Toeplitz
    matrix), then sigma^2 = gamma(0) - phi . gamma_{1:p} and c = mean * (1 - sum(phi)).
    """
    x = _series("yule_walker", x, p)
    gamma = autocovariance(x, p)
    phi = np.linalg.solve(toeplitz(gamma[:p]), gamma[1:])
    sigma2 = float(gamma[0] - phi @ gamma[1:])
    c = float(x.mean() * (1.0 - phi.sum()))
    return ARFit(c=c, phi=phi, sigma2=sigma2)


def lag_matrix(x: np.ndarray, p: int) -> np.ndarray:
    """Lagged values X: (T-p, p) with X[t-p, i-1] = x[t-i] for t = p..T-1.

    x: (T,) series. Row r predicts x[p + r]; column i-1 holds lag i.
    """
    x = _series("lag_matrix", x, p)
    windows = sliding_window_view(x, p)[:-1]   # (T-p, p): x[r .. r+p-1]
    return windows[:, ::-1].copy()             # (T-p, p): x[r+p-1], ..., x[r]


def fit_least_squares(x: np.ndarray, p: int) -> ARFit:
    """Least-squares AR(p) fit: regress x[p:] on an intercept and the p lags.

    x: (T,) series. sigma2 is the mean squared residual (divided by T - p), the
    conditional maximum-likelihood estimate.
    """
    x = _series("fit_least_squares", x, p)
    X = lag_matrix(x, p)
    design = np.column_stack([np.ones(len(X)), X])            # (T-p, 1+p)
    coef, *_ = np.linalg.lstsq(design, x[p:], rcond=None)
    resid = x[p:] - design @ coef
    return ARFit(c=float(coef[0]), phi=coef[1:], sigma2=float(np.mean(resid**2)))


def one_step_predictions(x: np.ndarray, fit: ARFit) -> np.ndarray:
    """Predictions (T-p,) of x[p:] from the true past: c + sum_i phi_i x[t-i].

    x: (T,) series.
    """
    return fit.c + lag_matrix(x, fit.p) @ fit.phi


def forecast(history: np.ndarray, fit: ARFit, steps: int) -> np.ndarray:
    """Iterated forecast (steps,) continuing `history`: (T,) with T >= p.

    Each prediction is fed back as if it were observed (the noise is set to its mean,
    zero), so errors compound and the forecast decays to the process mean.
    """
    history = Shapes("forecast").check("history", history, "T").astype(np.float64)
    p = fit.p
    if len(history) < p:
        raise ValueError(f"forecast: `history` has T={len(history)} values but an "
                         f"AR({p}) forecast needs the last p={p} of them.")
    buf = np.concatenate([history[len(history) - p:], np.empty(steps)])  # (p + steps,)
    for s in range(steps):
        buf[p + s] = fit.c + fit.phi @ buf[s:p + s][::-1]   # x[t-1], ..., x[t-p]
    return buf[p:]
