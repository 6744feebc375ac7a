"""NumPy LSTM: gradient checks, and parity with torch.nn.LSTM / nn.LSTMCell (float64)."""

import numpy as np
import pytest
import torch
from oracles import close, leaf
from oracles import load as load_weights
from torch import nn

from rnncourse.gradcheck import check_backward
from rnncourse.scratch import lstm

B, T, D, H = 3, 4, 5, 6


def params(rng):
    n = rng.standard_normal
    return dict(Wx=0.5 * n((D, 4 * H)), Wh=0.5 * n((H, 4 * H)), b=0.5 * n(4 * H))


def load(module, p, rng):
    """Copy NumPy parameters into an nn.LSTM / nn.LSTMCell, splitting b at random."""
    bias_ih = rng.standard_normal(4 * H)
    return load_weights(module, p["Wx"], p["Wh"], bias_ih, p["b"] - bias_ih)


def test_step_backward_passes_gradcheck():
    rng = np.random.default_rng(0)
    n = rng.standard_normal
    inputs = dict(x=n((B, D)), h_prev=n((B, H)), c_prev=n((B, H)), **params(rng))
    result = check_backward(lstm.lstm_step_forward, lstm.lstm_step_backward, inputs, rng,
                            n_outputs=2)
    assert result.passed, str(result)


def test_sequence_backward_passes_gradcheck():
    rng = np.random.default_rng(1)
    n = rng.standard_normal
    inputs = dict(x=n((B, T, D)), h0=n((B, H)), c0=n((B, H)), **params(rng))
    result = check_backward(lstm.lstm_forward, lstm.lstm_backward, inputs, rng, n_outputs=2)
    assert result.passed, str(result)


def test_gradcheck_catches_a_backward_that_drops_dc_next():
    rng = np.random.default_rng(2)
    n = rng.standard_normal
    inputs = dict(x=n((B, D)), h_prev=n((B, H)), c_prev=n((B, H)), **params(rng))

    def wrong(dh_next, dc_next, cache):
        return lstm.lstm_step_backward(dh_next, 0 * dc_next, cache)

    result = check_backward(lstm.lstm_step_forward, wrong, inputs, rng, n_outputs=2)
    assert not result.passed
    assert result.errors["c_prev"] > 1e-3


def test_step_matches_torch_lstmcell():
    rng = np.random.default_rng(3)
    n = rng.standard_normal
    p = params(rng)
    x, h_prev, c_prev, dh, dc = n((B, D)), n((B, H)), n((B, H)), n((B, H)), n((B, H))
    h_next, c_next, cache = lstm.lstm_step_forward(x, h_prev, c_prev, **p)
    dx, dh_prev, dc_prev, dWx, dWh, db = lstm.lstm_step_backward(dh, dc, cache)

    cell = nn.LSTMCell(D, H, dtype=torch.float64)
    tp = load(cell, p, rng)
    xt, ht, ct = leaf(x), leaf(h_prev), leaf(c_prev)
    h_ref, c_ref = cell(xt, (ht, ct))
    ((h_ref * torch.tensor(dh)).sum() + (c_ref * torch.tensor(dc)).sum()).backward()
    close(h_next, h_ref)
    close(c_next, c_ref)
    for ours, ref in [(dx, xt.grad), (dh_prev, ht.grad), (dc_prev, ct.grad),
                      (dWx, tp["weight_ih"].grad.T), (dWh, tp["weight_hh"].grad.T),
                      (db, tp["bias_ih"].grad), (db, tp["bias_hh"].grad)]:
        close(ours, ref)


def test_sequence_matches_torch_lstm():
    rng = np.random.default_rng(4)
    n = rng.standard_normal
    p = params(rng)
    x, h0, c0, dh, dc = n((B, T, D)), n((B, H)), n((B, H)), n((B, T, H)), n((B, H))
    h, c_last, cache = lstm.lstm_forward(x, h0, c0, **p)
    dx, dh0, dc0, dWx, dWh, db = lstm.lstm_backward(dh, dc, cache)

    ref = nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    tp = load(ref, p, rng)
    xt, ht, ct = leaf(x), leaf(h0), leaf(c0)
    out, (h_n, c_n) = ref(xt, (ht[None], ct[None]))
    ((out * torch.tensor(dh)).sum() + (c_n[0] * torch.tensor(dc)).sum()).backward()
    close(h, out)
    close(h[:, -1], h_n[0])
    close(c_last, c_n[0])
    for ours, ref_grad in [(dx, xt.grad), (dh0, ht.grad), (dc0, ct.grad),
                           (dWx, tp["weight_ih_l0"].grad.T), (dWh, tp["weight_hh_l0"].grad.T),
                           (db, tp["bias_ih_l0"].grad)]:
        close(ours, ref_grad)


def test_wrong_shapes_raise_naming_the_argument():
    rng = np.random.default_rng(5)
    n = rng.standard_normal
    p = params(rng)
    with pytest.raises(ValueError, match=r"lstm_step_forward: `Wh` .* \(H, 4H\) = \(6, 24\)"):
        lstm.lstm_step_forward(n((B, D)), n((B, H)), n((B, H)), p["Wx"], n((H, 3 * H)),
                               p["b"])
    with pytest.raises(ValueError, match=r"lstm_forward: `c0` .*H=6 comes from `h0`"):
        lstm.lstm_forward(n((B, T, D)), n((B, H)), n((B, H + 1)), **p)
    with pytest.raises(ValueError, match=r"lstm_forward: `x` .* 3 axes \(B, T, D\)"):
        lstm.lstm_forward(n((B, D)), n((B, H)), n((B, H)), **p)
    _, _, cache = lstm.lstm_forward(n((B, T, D)), n((B, H)), n((B, H)), **p)
    with pytest.raises(ValueError, match=r"lstm_backward: `dh` .*\(B, T, H\) = \(3, 4, 6\)"):
        lstm.lstm_backward(n((B, T + 1, H)), n((B, H)), cache)


def test_backwards_check_incoming_gradients_against_the_forward():
    rng = np.random.default_rng(0)
    Bq, Tq, Dq, Hq = 2, 3, 4, 5
    x, h0, c0 = (rng.standard_normal(s) for s in ((Bq, Tq, Dq), (Bq, Hq), (Bq, Hq)))
    Wx, Wh, b = (rng.standard_normal(s) for s in ((Dq, 4 * Hq), (Hq, 4 * Hq), (4 * Hq,)))
    h, c_last, cache = lstm.lstm_forward(x, h0, c0, Wx, Wh, b)
    with pytest.raises(ValueError, match=r"lstm_backward: `dh` .*H=5 comes from the forward"):
        lstm.lstm_backward(np.zeros((Bq, Tq, Hq + 1)), np.zeros((Bq, Hq)), cache)
    with pytest.raises(ValueError, match=r"lstm_backward: `dc_last` .*B=2 comes from the forw"):
        lstm.lstm_backward(np.zeros((Bq, Tq, Hq)), np.zeros((Bq + 1, Hq)), cache)
    with pytest.raises(ValueError, match=r"lstm_step_backward: `dc_next`"):
        lstm.lstm_step_backward(np.zeros((Bq, Hq)), np.zeros((Bq, 1)), cache.steps[0])
