"""NumPy GRU: gradient checks, parity with torch.nn.GRU / nn.GRUCell (float64), and the
change of variables between the two update conventions."""

import numpy as np
import pytest
import torch
from oracles import close, leaf
from oracles import load as load_weights
from torch import nn

from rnncourse.gradcheck import check_backward
from rnncourse.scratch import gru

B, T, D, H = 3, 4, 5, 6


def params(rng):
    n = rng.standard_normal
    return dict(Wx=0.5 * n((D, 3 * H)), Wh=0.5 * n((H, 3 * H)), bx=0.5 * n(3 * H),
                bh=0.5 * n(3 * H))


def load(module, p):
    return load_weights(module, p["Wx"], p["Wh"], p["bx"], p["bh"])


def test_step_backward_passes_gradcheck():
    rng = np.random.default_rng(0)
    inputs = dict(x=rng.standard_normal((B, D)), h_prev=rng.standard_normal((B, H)),
                  **params(rng))
    result = check_backward(gru.gru_step_forward, gru.gru_step_backward, inputs, rng)
    assert result.passed, str(result)


def test_sequence_backward_passes_gradcheck():
    rng = np.random.default_rng(1)
    inputs = dict(x=rng.standard_normal((B, T, D)), h0=rng.standard_normal((B, H)),
                  **params(rng))
    result = check_backward(gru.gru_forward, gru.gru_backward, inputs, rng)
    assert result.passed, str(result)


def test_step_matches_torch_grucell():
    rng = np.random.default_rng(2)
    n = rng.standard_normal
    p = params(rng)
    x, h_prev, dh = n((B, D)), n((B, H)), n((B, H))
    h_next, cache = gru.gru_step_forward(x, h_prev, **p)
    dx, dh_prev, dWx, dWh, dbx, dbh = gru.gru_step_backward(dh, cache)

    cell = nn.GRUCell(D, H, dtype=torch.float64)
    tp = load(cell, p)
    xt, ht = leaf(x), leaf(h_prev)
    h_ref = cell(xt, ht)
    (h_ref * torch.tensor(dh)).sum().backward()
    close(h_next, h_ref)
    for ours, ref in [(dx, xt.grad), (dh_prev, ht.grad), (dWx, tp["weight_ih"].grad.T),
                      (dWh, tp["weight_hh"].grad.T), (dbx, tp["bias_ih"].grad),
                      (dbh, tp["bias_hh"].grad)]:
        close(ours, ref)


def test_sequence_matches_torch_gru():
    rng = np.random.default_rng(3)
    n = rng.standard_normal
    p = params(rng)
    x, h0, dh = n((B, T, D)), n((B, H)), n((B, T, H))
    h, cache = gru.gru_forward(x, h0, **p)
    dx, dh0, dWx, dWh, dbx, dbh = gru.gru_backward(dh, cache)

    ref = nn.GRU(D, H, batch_first=True, dtype=torch.float64)
    tp = load(ref, p)
    xt, ht = leaf(x), leaf(h0)
    out, h_n = ref(xt, ht[None])
    (out * torch.tensor(dh)).sum().backward()
    close(h, out)
    close(h[:, -1], h_n[0])
    for ours, ref_grad in [(dx, xt.grad), (dh0, ht.grad), (dWx, tp["weight_ih_l0"].grad.T),
                           (dWh, tp["weight_hh_l0"].grad.T), (dbx, tp["bias_ih_l0"].grad),
                           (dbh, tp["bias_hh_l0"].grad)]:
        close(ours, ref_grad)


def test_other_update_convention_is_the_same_function_after_flipping_z():
    rng = np.random.default_rng(4)
    n = rng.standard_normal
    p = gru.GRUParams(**params(rng))
    flipped = gru.flip_update_convention(p)
    x = n((B, T, D))
    h_alt = h_torch = n((B, H))
    for t in range(T):  # a whole sequence, so the states of both runs stay equal
        h_alt = gru.gru_step_forward_alt(x[:, t], h_alt, *p)
        h_torch, _ = gru.gru_step_forward(x[:, t], h_torch, *flipped)
        close(h_alt, h_torch)
    # The flip is its own inverse, leaves the r and n blocks alone, and matters.
    for a, b in zip(gru.flip_update_convention(flipped), p, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(flipped.Wh[:, 2 * H:], p.Wh[:, 2 * H:])
    h_same_params, _ = gru.gru_step_forward(x[:, 0], h_alt, *p)
    assert np.abs(gru.gru_step_forward_alt(x[:, 0], h_alt, *p) - h_same_params).max() > 1e-2


def test_wrong_shapes_raise_naming_the_argument():
    rng = np.random.default_rng(5)
    n = rng.standard_normal
    p = params(rng)
    with pytest.raises(ValueError, match=r"gru_step_forward: `bh` .* \(3H\) = \(18,\)"):
        gru.gru_step_forward(n((B, D)), n((B, H)), p["Wx"], p["Wh"], p["bx"], n(4 * H))
    with pytest.raises(ValueError, match=r"gru_forward: `Wx` .*\(D, 3H\) = \(5, 18\)"):
        gru.gru_forward(n((B, T, D)), n((B, H)), n((D, 4 * H)), p["Wh"], p["bx"], p["bh"])
    with pytest.raises(ValueError, match=r"flip_update_convention: `Wh` .*\(H, 3H\)"):
        gru.flip_update_convention((p["Wx"], n((H, 4 * H)), p["bx"], p["bh"]))
    _, cache = gru.gru_forward(n((B, T, D)), n((B, H)), **p)
    with pytest.raises(ValueError, match=r"gru_backward: `dh` .*\(B, T, H\) = \(3, 4, 6\)"):
        gru.gru_backward(n((B, T, H + 1)), cache)


def test_backwards_check_incoming_gradients_against_the_forward():
    rng = np.random.default_rng(0)
    Bq, Tq, Dq, Hq = 2, 3, 4, 5
    x, h0 = rng.standard_normal((Bq, Tq, Dq)), rng.standard_normal((Bq, Hq))
    p = [rng.standard_normal(s) for s in ((Dq, 3 * Hq), (Hq, 3 * Hq), (3 * Hq,), (3 * Hq,))]
    h, cache = gru.gru_forward(x, h0, *p)
    with pytest.raises(ValueError, match=r"gru_backward: `dh` .*T=3 comes from the forward"):
        gru.gru_backward(np.zeros((Bq, Tq + 1, Hq)), cache)
    with pytest.raises(ValueError, match=r"gru_step_backward: `dh_next`"):
        gru.gru_step_backward(np.zeros((Bq, Hq + 2)), cache.steps[0])
