"""Jacobian products dh_T/dh_k: analytic NumPy against torch autograd (float64)."""

import numpy as np
import pytest
import torch
from oracles import close, torch_layer
from torch import nn

from rnncourse.analysis import gradflow

B, T, D, H = 3, 4, 5, 6


def data(seed, gates):
    rng = np.random.default_rng(seed)
    n = rng.standard_normal
    return rng, n((B, T, D)), n((B, H)), 0.5 * n((D, gates * H)), 0.5 * n((H, gates * H))


def tensors(*arrays):
    return [torch.tensor(a) for a in arrays]


def test_rnn_products_match_autograd():
    rng, x, h0, Wx, Wh = data(0, 1)
    b = rng.standard_normal(H)
    M = gradflow.jacobian_products(gradflow.rnn_step_jacobians(x, h0, Wx, Wh, b))
    xt, h0t, Wxt, Wht, bt = tensors(x, h0, Wx, Wh, b)

    def step(x_t, h):
        return torch.tanh(x_t @ Wxt + h @ Wht + bt)

    close(M, gradflow.torch_jacobian_products(step, xt, h0t))

    def h_T_from(h_k, k):  # one sample, from state k on
        for t in range(k, T):
            h_k = step(xt[:1, t], h_k[None])[0]
        return h_k

    states = [h0t[0]]
    for t in range(T):
        states.append(step(xt[:1, t], states[-1][None])[0])
    for k in range(T + 1):  # an independent oracle: torch.autograd.functional.jacobian
        J = torch.autograd.functional.jacobian(lambda h, k=k: h_T_from(h, k), states[k])
        close(M[0, T - k], J.numpy().T)  # row layout = transpose of numerator layout


def test_linear_rnn_with_zero_input_gives_powers_of_Wh():
    _, x, h0, Wx, Wh = data(1, 1)
    x = np.zeros_like(x)
    M = gradflow.jacobian_products(
        gradflow.rnn_step_jacobians(x, h0, Wx, Wh, np.zeros(H), activation="identity"))
    xt, Wxt, Wht = tensors(x, Wx, Wh)
    M_torch = gradflow.torch_jacobian_products(lambda x_t, h: x_t @ Wxt + h @ Wht, xt,
                                               torch.tensor(h0))
    for lag in range(T + 1):
        power = np.linalg.matrix_power(Wh, lag)
        close(M[:, lag], np.broadcast_to(power, (B, H, H)), atol=1e-12)
        close(M_torch[:, lag], np.broadcast_to(power, (B, H, H)), atol=1e-12)


def test_lstm_products_match_autograd_through_lstmcell():
    rng, x, h0, Wx, Wh = data(2, 4)
    c0, b = rng.standard_normal((B, H)), rng.standard_normal(4 * H)
    M = gradflow.jacobian_products(gradflow.lstm_step_jacobians(x, h0, c0, Wx, Wh, b))
    cell = torch_layer(nn.LSTMCell, Wx, Wh, b, np.zeros(4 * H))

    def step(x_t, s):
        return torch.cat(cell(x_t, (s[:, :H], s[:, H:])), dim=1)

    s0 = torch.tensor(np.concatenate([h0, c0], axis=1))
    close(M, gradflow.torch_jacobian_products(step, torch.tensor(x), s0))
    ref = nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    ref.load_state_dict({f"{k}_l0": v for k, v in cell.state_dict().items()})
    for part, block in [("h", M[..., :H, :H]), ("c", M[..., H:, H:]), ("state", M)]:
        lags, norms = gradflow.hidden_jacobian_norms(ref, torch.tensor(x), s0, ord="fro",
                                                     part=part)
        close(norms, gradflow.jacobian_norms(block, ord="fro"))
    np.testing.assert_array_equal(lags, np.arange(T + 1))


def test_gru_products_match_autograd_through_grucell():
    rng, x, h0, Wx, Wh = data(3, 3)
    bx, bh = rng.standard_normal(3 * H), rng.standard_normal(3 * H)
    M = gradflow.jacobian_products(gradflow.gru_step_jacobians(x, h0, Wx, Wh, bx, bh))
    ref = torch_layer(nn.GRU, Wx, Wh, bx, bh)
    cell = nn.GRUCell(D, H, dtype=torch.float64)
    cell.load_state_dict({k[:-3]: v for k, v in ref.state_dict().items()})
    close(M, gradflow.torch_jacobian_products(cell, torch.tensor(x), torch.tensor(h0)))
    lags, norms = gradflow.hidden_jacobian_norms(ref, torch.tensor(x), torch.tensor(h0))
    close(norms, gradflow.jacobian_norms(M))
    close(norms[:, 0], np.ones(B))


def test_rnn_norms_of_torch_rnn_and_contraction_bound():
    rng, x, h0, Wx, Wh = data(4, 1)
    Wh *= 0.5 / np.linalg.norm(Wh, 2)  # ||Wh||_2 = 0.5 and |tanh'| <= 1
    b_ih = rng.standard_normal(H)
    ref = torch_layer(nn.RNN, Wx, Wh, b_ih, np.zeros(H))
    lags, norms = gradflow.hidden_jacobian_norms(ref, torch.tensor(x), torch.tensor(h0))
    M = gradflow.jacobian_products(gradflow.rnn_step_jacobians(x, h0, Wx, Wh, b_ih))
    close(norms, gradflow.jacobian_norms(M))
    assert np.all(norms <= 0.5 ** lags + 1e-12)


def test_errors_name_the_argument():
    _, x, h0, Wx, Wh = data(5, 1)
    with pytest.raises(ValueError, match=r"rnn_step_jacobians: `Wh` .*\(H, H\) = \(6, 6\)"):
        gradflow.rnn_step_jacobians(x, h0, Wx, Wh[:, :5], np.zeros(H))
    with pytest.raises(ValueError, match=r"rnn_step_jacobians: `activation`"):
        gradflow.rnn_step_jacobians(x, h0, Wx, Wh, np.zeros(H), activation="relu")
    with pytest.raises(ValueError, match=r"jacobian_norms: `ord` must be 2 or 'fro'"):
        gradflow.jacobian_norms(np.zeros((B, T + 1, H, H)), ord=1)
    with pytest.raises(ValueError, match=r"hidden_jacobian_norms: .*num_layers=2"):
        gradflow.hidden_jacobian_norms(nn.GRU(D, H, num_layers=2), torch.zeros(B, T, D))
