"""rnncourse.scratch.rnn: gradient checks, parity with torch.nn.RNN, chunked BPTT, errors."""

import numpy as np
import pytest
import torch
from oracles import close, torch_layer

from rnncourse.gradcheck import check_backward
from rnncourse.scratch import rnn

B, T, D, H, V = 3, 4, 5, 6, 7


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _params(rng):
    return dict(Wx=rng.standard_normal((D, H)) * 0.5, Wh=rng.standard_normal((H, H)) * 0.5,
                b=rng.standard_normal(H))


def test_step_backward_gradcheck(rng):
    inputs = dict(x=rng.standard_normal((B, D)), h_prev=rng.standard_normal((B, H)),
                  **_params(rng))
    result = check_backward(rnn.rnn_step_forward, rnn.rnn_step_backward, inputs, rng)
    assert result.passed, str(result)


def test_sequence_backward_gradcheck(rng):
    inputs = dict(x=rng.standard_normal((B, T, D)), h0=rng.standard_normal((B, H)),
                  **_params(rng))
    result = check_backward(rnn.rnn_forward, rnn.rnn_backward, inputs, rng)
    assert result.passed, str(result)


def test_embed_backward_gradcheck(rng):
    idx = rng.integers(0, V, size=(B, T))
    idx[0, :2] = 3  # repeated ids must accumulate

    def forward(W_embed):
        return rnn.embed_forward(idx, W_embed)

    def backward(dx, cache):
        return (rnn.embed_backward(dx, cache),)

    result = check_backward(forward, backward, {"W_embed": rng.standard_normal((V, D))}, rng)
    assert result.passed, str(result)


def test_gradcheck_catches_wrong_backward(rng):
    def wrong_backward(dh_next, cache):
        dx, dh_prev, dWx, dWh, db = rnn.rnn_step_backward(dh_next, cache)
        return dx, dh_prev, dWx, dWh.T, db  # transposed dWh

    inputs = dict(x=rng.standard_normal((B, D)), h_prev=rng.standard_normal((B, H)),
                  **_params(rng))
    result = check_backward(rnn.rnn_step_forward, wrong_backward, inputs, rng)
    assert not result.passed and result.errors["Wh"] > 1e-3


def test_sequence_equals_steps(rng):
    p = _params(rng)
    x, h0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H))
    h, _ = rnn.rnn_forward(x, h0, **p)
    h_prev = h0
    for t in range(T):
        h_prev, _ = rnn.rnn_step_forward(x[:, t], h_prev, **p)
        np.testing.assert_allclose(h[:, t], h_prev, rtol=0, atol=1e-14)


def test_forward_matches_torch_rnn(rng):
    p = _params(rng)
    x, h0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H))
    h, _ = rnn.rnn_forward(x, h0, **p)
    bias_ih = rng.standard_normal(H)
    net = torch_layer(torch.nn.RNN, p["Wx"], p["Wh"], bias_ih, p["b"] - bias_ih)   # sum: b
    with torch.no_grad():
        out, h_n = net(torch.from_numpy(x), torch.from_numpy(h0)[None])
    close(h, out, atol=1e-12)
    close(h[:, -1], h_n[0], atol=1e-12)


def test_gradient_into_the_final_state_chains_chunks_into_full_bptt(rng):
    p = _params(rng)
    x, h0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H))
    dh = rng.standard_normal((B, T, H))
    h, cache = rnn.rnn_forward(x, h0, **p)
    full = rnn.rnn_backward(dh, cache)
    h1, c1 = rnn.rnn_forward(x[:, :2], h0, **p)
    _, c2 = rnn.rnn_forward(x[:, 2:], h1[:, -1], **p)
    dx2, dh_mid, dWx2, dWh2, db2 = rnn.rnn_backward(dh[:, 2:], c2)
    dh_first = dh[:, :2].copy()
    dh_first[:, -1] += dh_mid  # what reaches h_2 from the later chunk joins its own gradient
    dx1, dh0, dWx1, dWh1, db1 = rnn.rnn_backward(dh_first, c1)
    chunked = (np.concatenate([dx1, dx2], axis=1), dh0, dWx1 + dWx2, dWh1 + dWh2, db1 + db2)
    for a, b in zip(full, chunked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_one_hot_matches_embedding(rng):
    idx = rng.integers(0, V, size=(B, T))
    W = rng.standard_normal((V, D))
    x, _ = rnn.embed_forward(idx, W)
    oh = rnn.one_hot(idx, V)
    assert oh.shape == (B, T, V) and np.all(oh.sum(-1) == 1)
    np.testing.assert_allclose(oh @ W, x, rtol=0, atol=1e-15)


def test_wrong_shape_message(rng):
    p = _params(rng)
    with pytest.raises(ValueError, match=r"rnn_forward: `Wx` has shape \(4, 6\).*\(D, H\)"):
        rnn.rnn_forward(rng.standard_normal((B, T, D)), rng.standard_normal((B, H)),
                        rng.standard_normal((4, H)), p["Wh"], p["b"])
    with pytest.raises(ValueError, match=r"rnn_backward: `dh`.*\(B, T, H\)"):
        _, cache = rnn.rnn_forward(rng.standard_normal((B, T, D)),
                                   rng.standard_normal((B, H)), **p)
        rnn.rnn_backward(rng.standard_normal((B, T + 1, H)), cache)
    with pytest.raises(ValueError, match=r"embed_forward: `idx`.*0\.\.V-1"):
        rnn.embed_forward(np.full((B, T), V), rng.standard_normal((V, D)))


def test_ids_are_read_as_one_hot_rows_with_the_same_numbers(rng):
    """rnn_forward on ids (B, T) gives exactly the states of rnn_forward on their one-hot
    vectors, and rnn_backward the same dh0, dWx, dWh, db, with dx None (ids have no
    gradient); with weights of size 1e3 the lookup must not round like a sum would."""
    p = _params(rng)
    p["Wx"] = rng.standard_normal((D, H)) * 1e3
    idx, h0 = rng.integers(0, D, size=(B, T)), rng.standard_normal((B, H))
    h_ids, cache_ids = rnn.rnn_forward(idx, h0, **p)
    h_oh, cache_oh = rnn.rnn_forward(rnn.one_hot(idx, D), h0, **p)
    assert np.array_equal(h_ids, h_oh)
    dh = rng.standard_normal((B, T, H))
    dx, *rest_ids = rnn.rnn_backward(dh, cache_ids)
    dx_oh, *rest_oh = rnn.rnn_backward(dh, cache_oh)
    assert dx is None and dx_oh.shape == (B, T, D)
    assert all(np.array_equal(a, b) for a, b in zip(rest_ids, rest_oh, strict=True))
    with pytest.raises(ValueError, match=r"rnn_forward: `x` must hold token ids in 0..V-1 = 0..4"):
        rnn.rnn_forward(np.full((B, T), D), h0, **p)
