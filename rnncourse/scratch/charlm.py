"""A character-level tanh RNN language model as a dict of arrays, with full and truncated BPTT.

The model reads token ids idx: (B, T) and predicts targets: (B, T) (usually idx shifted
by one position):

    x_t = W_embed[idx_t]                  (or one_hot(idx_t) when there is no W_embed)
    h_t = tanh(x_t Wx + h_{t-1} Wh + b)
    s_t = h_t W_out + b_out               scores over the V tokens
    L   = mean over counted positions of -log softmax(s_t)[targets_t]

Parameters (`init_params`): W_embed (V, D) [only with an embedding], Wx (D, H)
[(V, H) with one-hot inputs], Wh (H, H), b (H,), W_out (H, V), b_out (V,).

`model_loss` is full BPTT over the T steps it is given. `truncated_bptt` is Sutskever's
TBPTT(k1, k2): run k1 steps forward, carrying the state, then backpropagate k2 steps;
repeat. Its exact definition is in its docstring.
"""

from __future__ import annotations

import numpy as np

from rnncourse.scratch import readout, rnn
from rnncourse.shapes import Shapes, check_ids


def init_params(V: int, H: int, rng: np.random.Generator,
                D: int | None = None) -> dict[str, np.ndarray]:
    """Random float64 parameters for a vocabulary of V tokens and H hidden units.

    D: embedding size; None means one-hot inputs (no W_embed, Wx has V rows), the set-up
    of Karpathy's min-char-rnn. Weights are normal with variance 1 / fan-in (embeddings
    with variance 1), biases zero.
    """
    D_in = V if D is None else D
    params = {}
    if D is not None:
        params["W_embed"] = rng.standard_normal((V, D))
    params["Wx"] = rng.standard_normal((D_in, H)) / np.sqrt(D_in)
    params["Wh"] = rng.standard_normal((H, H)) / np.sqrt(H)
    params["b"] = np.zeros(H)
    params["W_out"] = rng.standard_normal((H, V)) / np.sqrt(H)
    params["b_out"] = np.zeros(V)
    return params


def check_params(func: str, params: dict[str, np.ndarray]) -> Shapes:
    """Check the shapes of a parameter dict; returns the Shapes with V, D, H bound."""
    need = ["Wx", "Wh", "b", "W_out", "b_out"]
    missing = [k for k in need if k not in params]
    if missing:
        raise ValueError(f"{func}: `params` lacks {', '.join(missing)}; "
                         "make it with charlm.init_params.")
    shp = Shapes(func)
    shp.check("params['W_out']", params["W_out"], "H V")
    if "W_embed" in params:
        shp.check("params['W_embed']", params["W_embed"], "V D")
    else:
        shp.bind("D", shp["V"], "one-hot inputs (no W_embed): D = V")
    shp.check("params['Wx']", params["Wx"], "D H")
    shp.check("params['Wh']", params["Wh"], "H H")
    shp.check("params['b']", params["b"], "H")
    shp.check("params['b_out']", params["b_out"], "V")
    return shp


def encode_inputs(params: dict[str, np.ndarray],
                  idx: np.ndarray) -> tuple[np.ndarray, rnn.EmbedCache | None]:
    """The RNN inputs for token ids idx: (B, T): returns x and an embed cache.

    With an embedding, x: (B, T, D) and its cache. With one-hot inputs, x is idx itself,
    which `rnn.rnn_forward` reads as one-hot rows (the row lookup Wx[idx], the same
    numbers as one_hot(idx, V) @ Wx), and the cache is None: no parameter to update.
    """
    if "W_embed" in params:
        return rnn.embed_forward(idx, params["W_embed"])
    return np.asarray(idx), None


def _check_data(func: str, params, idx, targets, h0, mask):
    shp = check_params(func, params)
    idx = check_ids(func, "idx", idx, shp["V"], "B T", shp=shp, source="`params['W_out']`")
    targets = shp.check("targets", targets, "B T")  # range checked by the (masked) loss
    if h0 is None:
        h0 = np.zeros((idx.shape[0], shp["H"]))
    h0 = shp.check("h0", h0, "B H")
    if mask is None:
        mask = np.ones(idx.shape, dtype=bool)
    mask = shp.check("mask", mask, "B T")
    return idx, targets, h0, mask


def model_loss(params: dict[str, np.ndarray], idx: np.ndarray, targets: np.ndarray,
               h0: np.ndarray | None = None,
               mask: np.ndarray | None = None) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """Loss and full-BPTT gradients of the model on one batch.

    idx, targets: (B, T) integer ids. h0: (B, H) initial state (None: zeros).
    mask: (B, T) bool, True where a target counts (None: all count).
    Returns (loss, grads, h_last): loss as in `readout.temporal_softmax_loss` (mean over
    counted positions), grads with the keys and shapes of `params`, h_last: (B, H) the
    final state, to pass as h0 of the next batch when walking a text in order.
    """
    idx, targets, h0, mask = _check_data("model_loss", params, idx, targets, h0, mask)
    x, emb_cache = encode_inputs(params, idx)                      # (B, T, D) or ids
    h, rnn_cache = rnn.rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])  # (B, T, H)
    scores, aff_cache = readout.temporal_affine_forward(h, params["W_out"], params["b_out"])
    loss, dscores = readout.temporal_softmax_loss(scores, targets, mask)      # (B, T, V)
    grads = {}
    dh, grads["W_out"], grads["b_out"] = readout.temporal_affine_backward(dscores, aff_cache)
    dx, _, grads["Wx"], grads["Wh"], grads["b"] = rnn.rnn_backward(dh, rnn_cache)
    if emb_cache is not None:
        grads["W_embed"] = rnn.embed_backward(dx, emb_cache)
    return loss, {k: grads[k] for k in params}, h[:, -1].copy()


def truncated_bptt(params: dict[str, np.ndarray], idx: np.ndarray, targets: np.ndarray,
                   h0: np.ndarray | None, k1: int, k2: int, mask: np.ndarray | None = None
                   ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """Sutskever's TBPTT(k1, k2) over a batch of T steps: returns (loss, grads, h_last).

    The sequence is cut into chunks of k1 steps (the last may be shorter). For each chunk
    ending at step `stop` (exclusive, in code numbering):
      1. forward: run the RNN k1 steps from the carried state; the state is carried on
         exactly, so the forward pass and the returned loss are those of `model_loss`;
      2. backward: backpropagate the losses of this chunk through the last k2 steps,
         steps lo..stop-1 with lo = max(stop - k2, 0), treating the state h[lo-1] that
         enters this window as a constant (a "stop-gradient").
    The returned grads are the sum over chunks, i.e. the gradient of the surrogate loss

        L~ = (1 / N) * sum_chunks sum_{t in chunk} loss_t(params; h[lo-1] held fixed),

    with N = mask.sum() as in `model_loss`. Consequences: k1 = k2 = T is full BPTT (one
    chunk, identical arithmetic); k2 > k1 lets the first losses of a chunk look back
    beyond its start; with k2 < k1 the losses more than k2 steps before the end of their
    chunk reach only the read-out (W_out, b_out). The read-out gradients never depend
    on k2. The state carried between batches is h_last, as in `model_loss`.
    """
    func = "truncated_bptt"
    idx, targets, h0, mask = _check_data(func, params, idx, targets, h0, mask)
    for name, k in (("k1", k1), ("k2", k2)):
        if not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"{func}: `{name}` must be a positive integer, got {k!r}.")
    Wx, Wh, b = params["Wx"], params["Wh"], params["b"]
    N = int(mask.sum())
    if N == 0:
        raise ValueError(f"{func}: `mask` has no True entry, so there is no loss.")
    B, T = idx.shape
    x, emb_cache = encode_inputs(params, idx)                    # (B, T, D) or ids
    h = np.empty((B, T, Wh.shape[0]))                            # (B, T, H) all states
    dx = np.zeros_like(x) if emb_cache is not None else None     # (B, T, D), embeddings only
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    loss = 0.0
    h_carry = h0
    for start in range(0, T, k1):
        stop = min(start + k1, T)
        # 1. forward k1 steps from the carried state
        h[:, start:stop], _ = rnn.rnn_forward(x[:, start:stop], h_carry, Wx, Wh, b)
        h_carry = h[:, stop - 1]
        n = int(mask[:, start:stop].sum())
        if n == 0:
            continue
        scores, aff_cache = readout.temporal_affine_forward(
            h[:, start:stop], params["W_out"], params["b_out"])  # (B, k1, V)
        loss_c, dscores = readout.temporal_softmax_loss(
            scores, targets[:, start:stop], mask[:, start:stop])
        weight = n / N                        # chunk mean -> share of the mean over N
        loss += weight * loss_c
        dscores *= weight
        dh_c, dW_out, db_out = readout.temporal_affine_backward(dscores, aff_cache)
        grads["W_out"] += dW_out
        grads["b_out"] += db_out
        # 2. backward k2 steps: window lo..stop-1, the state entering it held fixed
        lo = max(stop - k2, 0)
        dh = np.zeros((B, stop - lo, Wh.shape[0]))               # (B, window, H)
        first = max(start, lo)
        dh[:, first - lo:] = dh_c[:, first - start:]
        h_in = h0 if lo == 0 else h[:, lo - 1]
        cache = rnn.RNNCache(x[:, lo:stop], h_in, Wx, Wh, h[:, lo:stop])
        dx_w, _, dWx, dWh, db = rnn.rnn_backward(dh, cache)
        if dx is not None:
            dx[:, lo:stop] += dx_w
        grads["Wx"] += dWx
        grads["Wh"] += dWh
        grads["b"] += db
    if emb_cache is not None:
        grads["W_embed"] += rnn.embed_backward(dx, emb_cache)
    return loss, grads, h_carry.copy()


def wh_gradient_by_lag(params: dict[str, np.ndarray], idx: np.ndarray, targets: np.ndarray,
                       h0: np.ndarray | None = None) -> np.ndarray:
    """dL/dWh of `model_loss` split by lag: G: (T, H, H), G[l] = the terms of the double sum

        dL/dWh = sum_t sum_{k <= t} h_{k-1}^T [(eps_t (J_{k+1} ... J_t)^T) * (1 - h_k^2)]

    with t - k = l, i.e. how much of the gradient comes from a loss l steps after the step
    where Wh acted. G.sum(0) is model_loss's grads["Wh"], and G[:k2].sum(0) is the Wh
    gradient of truncated_bptt(..., k1=1, k2): keeping the terms of lag below k2. All
    lags cost one pass of T vectorised steps (instead of one TBPTT run per k2).
    """
    idx, targets, h0, mask = _check_data("wh_gradient_by_lag", params, idx, targets, h0, None)
    x, _ = encode_inputs(params, idx)                              # (B, T, D) or ids
    h, _ = rnn.rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])   # (B, T, H)
    scores, aff_cache = readout.temporal_affine_forward(h, params["W_out"], params["b_out"])
    _, dscores = readout.temporal_softmax_loss(scores, targets, mask)
    eps, _, _ = readout.temporal_affine_backward(dscores, aff_cache)           # (B, T, H)
    slope = 1.0 - h**2                                                         # (B, T, H)
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)                 # (B, T, H)
    T, H = h.shape[1], h.shape[2]
    G = np.empty((T, H, H))
    u = eps                     # u[:, k] = dL_{k+l}/dh_k for the current lag l, k = 0..T-1-l
    for lag in range(T):
        da = u * slope[:, :T - lag]                                            # (B, T-l, H)
        G[lag] = np.tensordot(h_prev[:, :T - lag], da, axes=([0, 1], [0, 1]))  # (H, H)
        u = da[:, 1:] @ params["Wh"].T          # one step further back: dL_{k+l+1}/dh_k
    return G
