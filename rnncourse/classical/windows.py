"""The sliding-window baseline: a 1D convolution over time and its fixed receptive field.

A window of width k sees k consecutive inputs and nothing else. The task that makes the
limit visible is `rnncourse.data.tasks.delayed_recall`: the target at time t is the input
at time t - lag, so a window of width k <= lag is at chance and one of width k > lag is
perfect.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from rnncourse.classical.ridge import ridge_readout
from rnncourse.shapes import Shapes


class Conv1dCache(NamedTuple):
    x: np.ndarray   # (B, T, D) input
    W: np.ndarray   # (k, D, H) kernel


def _windows(x: np.ndarray, k: int) -> np.ndarray:
    """View (B, T-k+1, D, k) of x: (B, T, D); [:, t, :, j] is x[:, t + j]."""
    return sliding_window_view(x, k, axis=1)


def conv1d_forward(x: np.ndarray, W: np.ndarray,
                   b: np.ndarray) -> tuple[np.ndarray, Conv1dCache]:
    """Valid (unpadded) 1D convolution over time, as in torch.nn.functional.conv1d.

    x: (B, T, D) input sequence.
    W: (k, D, H) kernel; W[j] multiplies the j-th input of the window.
    b: (H,) bias.
    Returns y: (B, T-k+1, H) with y[:, t] = b + sum_j x[:, t + j] @ W[j]: output t sees
    inputs t .. t+k-1 only. Read it as causal by its LAST input: y[:, t] is the
    prediction made at input time t + k - 1 from the k most recent inputs.
    """
    shp = Shapes("conv1d_forward")
    x = shp.check("x", x, "B T D")
    W = shp.check("W", W, "k D H")
    b = shp.check("b", b, "H")
    if shp["k"] > shp["T"]:
        raise ValueError(f"conv1d_forward: the kernel width k={shp['k']} (from `W`) is "
                         f"longer than the sequence, T={shp['T']} (from `x`).")
    y = np.einsum("btdj,jdh->bth", _windows(x, shp["k"]), W) + b   # (B, T-k+1, H)
    return y, Conv1dCache(x=x, W=W)


def conv1d_backward(dy: np.ndarray,
                    cache: Conv1dCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx: (B, T, D), dW: (k, D, H), db: (H,)) from dy: (B, T-k+1, H).

    Each input x[:, s] appears in up to k windows, so dx adds one shifted copy of
    dy @ W[j].T per kernel position j; the bias is shared by every output, so db sums
    over batch and time.
    """
    x, W = cache
    k = W.shape[0]
    Tout = x.shape[1] - k + 1
    Shapes("conv1d_backward", B=x.shape[0], Tout=Tout, H=W.shape[2]).check(
        "dy", dy, "B Tout H")
    db = dy.sum(axis=(0, 1))                                        # (H,)
    dW = np.einsum("btdj,bth->jdh", _windows(x, k), dy)             # (k, D, H)
    dx = np.zeros_like(x)
    for j in range(k):                  # a loop over the kernel, not over the batch
        dx[:, j:j + Tout] += dy @ W[j].T                            # (B, Tout, D)
    return dx, dW, db


def receptive_field(kernel_sizes: list[int], dilations: list[int] | None = None) -> int:
    """Number of input steps one output of stacked convolutions sees: 1 + sum (k_i - 1) d_i.

    kernel_sizes: width k_i of each layer; dilations: d_i of each layer (default all 1).
    """
    if dilations is None:
        dilations = [1] * len(kernel_sizes)
    if len(dilations) != len(kernel_sizes):
        raise ValueError(f"receptive_field: {len(kernel_sizes)} kernel sizes but "
                         f"{len(dilations)} dilations; give one per layer.")
    if any(k < 1 for k in kernel_sizes) or any(d < 1 for d in dilations):
        raise ValueError("receptive_field: kernel sizes and dilations must be >= 1.")
    return 1 + sum((k - 1) * d for k, d in zip(kernel_sizes, dilations, strict=True))


class WindowReadout(NamedTuple):
    W: np.ndarray   # (k, D, 1) kernel of a conv1d with one output channel
    b: np.ndarray   # (1,) bias


def _aligned(func: str, x, y, mask, k: int):
    """Targets and mask aligned with the conv1d outputs: output t predicts y[:, t+k-1]."""
    shp = Shapes(func)
    x = shp.check("x", x, "B T D")
    y = shp.check("y", y, "B T")
    mask = shp.check("mask", mask, "B T").astype(bool)
    if not 1 <= k <= shp["T"]:
        raise ValueError(f"{func}: the window width k={k} must lie in 1..T = 1..{shp['T']}.")
    return x, y[:, k - 1:], mask[:, k - 1:]


def fit_window_classifier(x: np.ndarray, y: np.ndarray, mask: np.ndarray, k: int,
                       ridge: float = 1e-6) -> WindowReadout:
    """Closed-form ridge regression of y on the last k inputs (a linear window model).

    x: (B, T, D) inputs; y: (B, T) targets; mask: (B, T) where y counts.
    The prediction for time t uses x[:, t-k+1 .. t]; steps t < k-1 have no full window
    and are skipped. The fit is `ridge.ridge_readout` on the masked windows (the bias
    is not penalised).
    """
    x, y, mask = _aligned("fit_window_classifier", x, y, mask, k)
    D = x.shape[2]
    feats = _windows(x, k).transpose(0, 1, 3, 2).reshape(*y.shape, k * D)  # (B, T-k+1, kD)
    W, b = ridge_readout(feats[mask], y[mask], lam=ridge)                # (kD,), ()
    return WindowReadout(W=W.reshape(k, D, 1), b=np.reshape(b, 1))


def window_predict(x: np.ndarray, readout: WindowReadout) -> np.ndarray:
    """Predictions (B, T-k+1) of the readout: entry t is the guess for time t + k - 1."""
    y, _ = conv1d_forward(x, readout.W, readout.b)
    return y[..., 0]


def window_accuracy(x: np.ndarray, y: np.ndarray, mask: np.ndarray,
                    readout: WindowReadout) -> float:
    """Fraction of masked steps where sign(prediction) equals the +-1 target y: (B, T)."""
    k = readout.W.shape[0]
    x, y, mask = _aligned("window_accuracy", x, y, mask, k)
    pred = window_predict(x, readout)
    return float(np.mean(np.sign(pred[mask]) == y[mask]))
