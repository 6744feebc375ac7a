"""Gradient flow through time: the Jacobians dh_T/dh_k of an RNN, LSTM or GRU.

States are row vectors (`book/notation`), so a step's Jacobian is written as the matrix
that multiplies a perturbation *from the right*::

    dh_t = dh_{t-1} @ A_t,        A_t[i, j] = d h_t[j] / d h_{t-1}[i]    (rows: earlier)

For the tanh RNN h_t = tanh(x_t Wx + h_{t-1} Wh + b) this is A_t = Wh @ diag(1 - h_t**2).
Over a lag L = T - k the perturbation travels through the product

    M_L = dh_T/dh_k = A_{k+1} @ A_{k+2} @ ... @ A_T,    M_0 = I,

so a linear RNN with zero input has M_L = Wh^L exactly. This is the transpose of the
"numerator layout" Jacobian that `torch.autograd.functional.jacobian` returns; norms
(spectral, Frobenius) do not care. Backprop runs the other way: dL/dh_k = dL/dh_T @ M_L.T.

Arrays: `A` is (B, T, S, S) with A[:, t] the Jacobian of code step t (math step t+1);
`M` is (B, T+1, S, S) with M[:, L] = dh_T/dh_{T-L}, for lags L = 0..T. S is the size of
the recurrent state: H, or 2H for the LSTM, whose state is [h, c] (h first).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from rnncourse.models.gru import GRU
from rnncourse.models.lstm import LSTM
from rnncourse.scratch.gru import gru_forward
from rnncourse.scratch.lstm import lstm_forward
from rnncourse.scratch.rnn import tanh_step
from rnncourse.shapes import Shapes


def _check_seq(func: str, x, h0, Wx, Wh, gates: int) -> Shapes:
    shp = Shapes(func)
    shp.check("x", x, "B T D")
    shp.check("h0", h0, "B H")
    if gates == 1:
        shp.check("Wx", Wx, "D H")
        shp.check("Wh", Wh, "H H")
    else:
        shp.bind(f"{gates}H", gates * shp["H"], f"{gates} x H with H from `h0`")
        shp.check("Wx", Wx, f"D {gates}H")
        shp.check("Wh", Wh, f"H {gates}H")
    return shp


def rnn_step_jacobians(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                       b: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """Step Jacobians A (B, T, H, H) of h_t = act(x_t Wx + h_{t-1} Wh + b).

    x: (B, T, D), h0: (B, H), Wx: (D, H), Wh: (H, H), b: (H,).
    activation: "tanh" (A_t = Wh @ diag(1 - h_t**2)) or "identity" (A_t = Wh).
    """
    shp = _check_seq("rnn_step_jacobians", x, h0, Wx, Wh, 1)
    shp.check("b", b, "H")
    if activation not in ("tanh", "identity"):
        raise ValueError(f"rnn_step_jacobians: `activation` must be 'tanh' or 'identity', "
                         f"got {activation!r}.")
    xw = x @ Wx + b  # (B, T, H) input part of every step
    h, A = h0, []
    for t in range(x.shape[1]):
        if activation == "tanh":
            h = tanh_step(xw[:, t], h, Wh)  # the package's one tanh step
            slope = 1 - h**2
        else:
            h = xw[:, t] + h @ Wh
            slope = np.ones_like(h)
        A.append(Wh[None] * slope[:, None, :])  # (B, H, H): column j scaled by act'(a_j)
    return np.stack(A, axis=1)


def lstm_step_jacobians(x: np.ndarray, h0: np.ndarray, c0: np.ndarray, Wx: np.ndarray,
                        Wh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Step Jacobians A (B, T, 2H, 2H) of the LSTM state s_t = [h_t, c_t].

    Arguments as in `scratch.lstm.lstm_forward`. Blocks of A_t (rows: s_{t-1}, columns: s_t)::

        [[dh_t/dh_{t-1}, dc_t/dh_{t-1}],
         [dh_t/dc_{t-1}, dc_t/dc_{t-1} = diag(f_t)]]
    """
    shp = _check_seq("lstm_step_jacobians", x, h0, Wx, Wh, 4)
    shp.check("c0", c0, "B H")
    H = h0.shape[1]
    Wi, Wf, Wg, Wo = (Wh[None, :, k * H:(k + 1) * H] for k in range(4))  # (1, H, H) each
    shp.check("b", b, "4H")
    _, _, cache = lstm_forward(x, h0, c0, Wx, Wh, b)
    A = []
    for step in cache.steps:
        c = step.c_prev
        i, f, g, o, tc = step.i, step.f, step.g, step.o, step.tanh_c
        dc_dh = (Wi * (g * i * (1 - i))[:, None] + Wf * (c * f * (1 - f))[:, None]
                 + Wg * (i * (1 - g**2))[:, None])  # (B, H, H)
        k = o * (1 - tc**2)  # dh_t/dc_t, elementwise
        dh_dh = Wo * (tc * o * (1 - o))[:, None] + dc_dh * k[:, None]
        top = np.concatenate([dh_dh, dc_dh], axis=2)
        bottom = np.concatenate([_diag(f * k), _diag(f)], axis=2)
        A.append(np.concatenate([top, bottom], axis=1))  # (B, 2H, 2H)
    return np.stack(A, axis=1)


def gru_step_jacobians(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                       bx: np.ndarray, bh: np.ndarray) -> np.ndarray:
    """Step Jacobians A (B, T, H, H) of the GRU (torch's convention, as `scratch.gru.gru_forward`).

    A_t = diag(z) + Wh_z diag((h_{t-1} - n) z (1 - z))
          + (Wh_n diag(r) + Wh_r diag(hn r (1 - r))) diag((1 - n**2)(1 - z)).
    """
    _check_seq("gru_step_jacobians", x, h0, Wx, Wh, 3)
    H = h0.shape[1]
    Wr, Wz, Wn = (Wh[None, :, k * H:(k + 1) * H] for k in range(3))  # (1, H, H) each
    _, cache = gru_forward(x, h0, Wx, Wh, bx, bh)
    A = []
    for step in cache.steps:
        h, r, z, n, hn = step.h_prev, step.r, step.z, step.n, step.hn
        dn = (Wn * r[:, None] + Wr * (hn * r * (1 - r))[:, None]) * (1 - n**2)[:, None]
        A.append(_diag(z) + Wz * ((h - n) * z * (1 - z))[:, None] + dn * (1 - z)[:, None])
    return np.stack(A, axis=1)


def _diag(v: np.ndarray) -> np.ndarray:
    return v[:, :, None] * np.eye(v.shape[1])  # (B, H) -> (B, H, H)


def jacobian_products(A: np.ndarray) -> np.ndarray:
    """M (B, T+1, S, S) with M[:, L] = A_{T-L+1} @ ... @ A_T = dh_T/dh_{T-L}; M[:, 0] = I.

    A: (B, T, S, S) step Jacobians in the row-vector layout (see the module docstring).
    """
    A = Shapes("jacobian_products").check("A", A, "B T S S")
    B, T, S, _ = A.shape
    M = [np.broadcast_to(np.eye(S), (B, S, S))]
    for t in reversed(range(T)):
        M.append(A[:, t] @ M[-1])  # prepend the earlier step on the left
    return np.stack(M, axis=1)


def jacobian_norms(M: np.ndarray, ord: int | str = 2) -> np.ndarray:
    """Norms (B, T+1) of the Jacobian products M (B, T+1, S, S) (np.ndarray or Tensor).

    ord: 2 for the spectral norm (largest singular value), "fro" for Frobenius.
    """
    if isinstance(M, Tensor):
        M = M.detach().cpu().numpy()
    M = Shapes("jacobian_norms").check("M", M, "B L S S")
    if ord not in (2, "fro"):
        raise ValueError(f"jacobian_norms: `ord` must be 2 or 'fro', got {ord!r}.")
    return np.linalg.norm(M, ord=ord, axis=(-2, -1))


def torch_jacobian_products(step, x: Tensor, s0: Tensor) -> np.ndarray:
    """M (B, T+1, S, S) as in `jacobian_products`, by autograd through `step`.

    step: s_next = step(x_t, s_prev), with x_t (B, D) and s (B, S) tensors.
    x: (B, T, D), s0: (B, S). Backpropagates the S unit vectors e_j from s_T, all in one
    batched backward pass (`is_grads_batched`); samples of the batch are independent, so
    the pass for e_j gives row j for every sample at once.
    """
    shp = Shapes("torch_jacobian_products")
    shp.check("x", x, "B T D")
    shp.check("s0", s0, "B S")
    with torch.enable_grad():
        states = [s0.detach().clone().requires_grad_(True)]
        for t in range(x.shape[1]):
            states.append(step(x[:, t], states[-1]))
        T, (B, S) = x.shape[1], s0.shape
        units = torch.eye(S, dtype=states[-1].dtype, device=states[-1].device)
        grads = torch.autograd.grad(states[-1], states, units[:, None, :].expand(S, B, S),
                                    is_grads_batched=True)
        M = np.zeros((B, T + 1, S, S))
        for k, g in enumerate(grads):      # g[j, b, i] = d s_T[b, j] / d s_k[b, i]
            M[:, T - k] = g.detach().permute(1, 2, 0).cpu().double().numpy()
    return M


def _step_and_state(model, B: int, dtype: torch.dtype):
    """(step on the flat state s, zero s0, H) for a supported torch model."""
    if isinstance(model, nn.RNN | nn.LSTM | nn.GRU):
        if model.num_layers != 1 or model.bidirectional:
            raise ValueError(f"hidden_jacobian_norms: `model` is a {type(model).__name__} with "
                             f"num_layers={model.num_layers}, bidirectional="
                             f"{model.bidirectional}; only single-layer unidirectional "
                             "models are supported.")
    if isinstance(model, nn.RNN):
        act = torch.tanh if model.nonlinearity == "tanh" else torch.relu
        p = dict(model.named_parameters())

        def step(x, h):
            return act(x @ p["weight_ih_l0"].T + p["bias_ih_l0"]
                       + h @ p["weight_hh_l0"].T + p["bias_hh_l0"])
        H = model.hidden_size
    else:
        if isinstance(model, nn.LSTM):
            model = LSTM.from_torch(model)
        elif isinstance(model, nn.GRU):
            model = GRU.from_torch(model)
        H = model.hidden_size
        if isinstance(model, LSTM):
            def step(x, s):
                return torch.cat(model.step(x, s[:, :H], s[:, H:]), dim=1)
            return step, torch.zeros(B, 2 * H, dtype=dtype), H
        if not hasattr(model, "step"):
            raise TypeError("hidden_jacobian_norms: `model` must be nn.RNN, nn.LSTM, nn.GRU, "
                            "a models.recurrent layer, or have a `step(x, h) -> h` method; got "
                            f"{type(model).__name__}.")
        step = model.step
    return step, torch.zeros(B, H, dtype=dtype), H


def hidden_jacobian_norms(model: nn.Module, x: Tensor, s0: Tensor | None = None,
                          ord: int | str = 2, part: str = "h"
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Norms of dh_T/dh_{T-L} against the lag L of a torch model; returns (lags, norms).

    model: nn.RNN / nn.LSTM / nn.GRU (one layer; x is read batch-first whatever its
    `batch_first` flag), the package's LSTM / GRU / RNN layers, or any module with `step(x, h) -> h`
    and `hidden_size`. x: (B, T, D). s0: (B, S) initial state, zeros if None; for an
    LSTM S = 2H and s0 = [h0, c0]. ord: 2 (spectral) or "fro".
    part: for an LSTM, "h" (dh_T/dh_k with c_k held fixed), "c" (dc_T/dc_k with h_k
    held fixed) or "state" (the full [h, c] Jacobian); ignored otherwise.
    lags: (T+1,) = 0..T. norms: (B, T+1).
    """
    step, zeros, H = _step_and_state(model, x.shape[0], x.dtype)
    M = torch_jacobian_products(step, x, zeros if s0 is None else s0)
    if M.shape[-1] == 2 * H:
        blocks = {"h": M[..., :H, :H], "c": M[..., H:, H:], "state": M}
        if part not in blocks:
            raise ValueError(f"hidden_jacobian_norms: `part` must be 'h', 'c' or 'state', "
                             f"got {part!r}.")
        M = blocks[part]
    return np.arange(x.shape[1] + 1), jacobian_norms(M, ord=ord)
