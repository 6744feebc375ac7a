"""Sampling text from a trained model, with temperature and optional top-k.

At each step the model's scores s (logits) over V tokens become the distribution

    p = softmax(s / temperature),

so temperature < 1 sharpens it (towards the argmax) and temperature > 1 flattens it
(towards uniform). Top-k keeps only the k largest scores and renormalises.
The next token is drawn from p, fed back as the next input, and so on.
"""

from __future__ import annotations

import numpy as np

from rnncourse.scratch import charlm, readout, rnn
from rnncourse.scratch.ops import log_softmax


def _check_temperature(func: str, temperature: float) -> None:
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"{func}: `temperature` must be a positive finite number, got "
                         f"{temperature}; use a small value such as 1e-3 for greedy "
                         "decoding (the argmax).")


def next_token_probs(logits: np.ndarray, temperature: float = 1.0,
                     top_k: int | None = None) -> np.ndarray:
    """The distribution `sample_next` draws from: logits (B, V) or (V,) -> same shape.

    softmax(logits / temperature), restricted to the top_k largest logits if given
    (ties at the k-th value are broken by position, so exactly k tokens remain).
    """
    return _probs("next_token_probs", logits, temperature, top_k)


def _probs(func: str, logits, temperature: float, top_k: int | None) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim not in (1, 2):
        raise ValueError(f"{func}: `logits` has shape {logits.shape} but expected (B, V) "
                         "or (V,).")
    _check_temperature(func, temperature)
    V = logits.shape[-1]
    z = logits / temperature                                     # divide BEFORE softmax
    if top_k is not None:
        if not (isinstance(top_k, int | np.integer) and 1 <= top_k <= V):
            raise ValueError(f"{func}: `top_k` must be an integer in 1..V = 1..{V}, got "
                             f"{top_k!r}.")
        keep = np.argsort(-z, axis=-1, kind="stable")[..., :top_k]  # (..., k) largest
        masked = np.full_like(z, -np.inf)
        np.put_along_axis(masked, keep, np.take_along_axis(z, keep, axis=-1), axis=-1)
        z = masked
    return np.exp(log_softmax(z))


def sample_next(logits: np.ndarray, temperature: float, rng: np.random.Generator,
                top_k: int | None = None) -> np.ndarray | int:
    """Draw one token per row: logits (B, V) -> (B,) ids, or (V,) -> one int.

    temperature must be > 0 (ValueError otherwise); it divides the logits before the
    softmax. One uniform draw per row, inverted through the cumulative distribution.
    """
    p = _probs("sample_next", logits, temperature, top_k)
    p2 = p.reshape(-1, p.shape[-1])                              # (B, V)
    cdf = np.cumsum(p2, axis=-1)                                 # (B, V)
    u = rng.random(p2.shape[0]) * cdf[:, -1]                     # (B,) scaled to the total
    out = np.argmax(cdf > u[:, None], axis=-1)                   # first bin past u
    return int(out[0]) if p.ndim == 1 else out


def sample_sequence(params: dict[str, np.ndarray], start_idx, n: int,
                    rng: np.random.Generator, temperature: float = 1.0,
                    h0: np.ndarray | None = None, top_k: int | None = None) -> np.ndarray:
    """Generate n tokens from a `bptt` model, feeding each sample back as the next input.

    start_idx: an int, or (B,) ints for B independent samples; the first input (it is
    not part of the output). h0: (B, H) or (H,) initial state (None: zeros).
    Returns (n,) ids for an int start_idx, else (B, n).
    """
    func = "sample_sequence"
    shp = charlm.check_params(func, params)
    single = np.ndim(start_idx) == 0
    idx = shp.check("start_idx", np.atleast_1d(start_idx), "B")
    if h0 is None:
        h0 = np.zeros((idx.shape[0], shp["H"]))
    h = shp.check("h0", np.atleast_2d(h0), "B H")
    if not (isinstance(n, int | np.integer) and n >= 0):
        raise ValueError(f"{func}: `n` must be a non-negative integer, got {n!r}.")
    _check_temperature(func, temperature)
    out = np.empty((idx.shape[0], n), dtype=np.int64)
    for t in range(n):
        x = (params["W_embed"][idx] @ params["Wx"] if "W_embed" in params
             else params["Wx"][idx])                                # (B, H): x_t Wx
        h = rnn.tanh_step(x + params["b"], h, params["Wh"])          # (B, H)
        logits = readout.scores(h, params["W_out"], params["b_out"])  # (B, V)
        idx = sample_next(logits, temperature, rng, top_k)
        out[:, t] = idx
    return out[0] if single else out
