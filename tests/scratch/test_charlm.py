"""rnncourse.scratch.charlm: the full model against torch autograd, and truncated BPTT."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnncourse.scratch import charlm

B, T, D, H, V = 3, 4, 5, 6, 7


@pytest.fixture
def rng():
    return np.random.default_rng(2)


def _setup(rng, T=T, D=D, mask=False):
    params = charlm.init_params(V, H, rng, D=D)
    params["b"] = rng.standard_normal(H) * 0.1
    params["b_out"] = rng.standard_normal(V) * 0.1
    idx = rng.integers(0, V, size=(B, T))
    targets = rng.integers(0, V, size=(B, T))
    h0 = rng.standard_normal((B, H)) * 0.5
    m = None
    if mask:
        m = rng.random((B, T)) < 0.7
        m[0, 0] = True
    return params, idx, targets, h0, m


def _torch_model(params, idx, targets, h0, mask):
    """Loss and gradients with torch.nn.RNN and autograd, the oracle."""
    D_in = params["Wx"].shape[0]
    net = torch.nn.RNN(D_in, H, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.from_numpy(params["Wx"].T))
        net.weight_hh_l0.copy_(torch.from_numpy(params["Wh"].T))
        net.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        net.bias_hh_l0.zero_()
    W_out = torch.tensor(params["W_out"], requires_grad=True)
    b_out = torch.tensor(params["b_out"], requires_grad=True)
    idx_t = torch.from_numpy(idx)
    if "W_embed" in params:
        W_embed = torch.tensor(params["W_embed"], requires_grad=True)
        x = W_embed[idx_t]
    else:
        x = F.one_hot(idx_t, V).double()
    out, h_n = net(x, torch.from_numpy(h0)[None])
    scores = out @ W_out + b_out
    y = targets if mask is None else np.where(mask, targets, -100)
    loss = F.cross_entropy(scores.reshape(-1, V), torch.from_numpy(y).reshape(-1),
                           ignore_index=-100)
    loss.backward()
    grads = {"Wx": net.weight_ih_l0.grad.numpy().T, "Wh": net.weight_hh_l0.grad.numpy().T,
             "b": net.bias_ih_l0.grad.numpy(), "W_out": W_out.grad.numpy(),
             "b_out": b_out.grad.numpy()}
    if "W_embed" in params:
        grads["W_embed"] = W_embed.grad.numpy()
    return loss.item(), grads, h_n[0].detach().numpy()


@pytest.mark.parametrize("D_embed, use_mask", [(D, False), (D, True), (None, False)])
def test_model_loss_matches_torch_autograd(rng, D_embed, use_mask):
    params, idx, targets, h0, mask = _setup(rng, D=D_embed, mask=use_mask)
    loss, grads, h_last = charlm.model_loss(params, idx, targets, h0, mask)
    ref_loss, ref_grads, ref_h = _torch_model(params, idx, targets, h0, mask)
    assert abs(loss - ref_loss) < 1e-10
    assert grads.keys() == params.keys()
    for k in params:
        np.testing.assert_allclose(grads[k], ref_grads[k], rtol=0, atol=1e-10, err_msg=k)
    np.testing.assert_allclose(h_last, ref_h, rtol=0, atol=1e-12)


@pytest.mark.parametrize("use_mask", [False, True])
def test_truncated_with_k1_k2_T_is_full_bptt_exactly(rng, use_mask):
    params, idx, targets, h0, mask = _setup(rng, T=12, mask=use_mask)
    loss, grads, h_last = charlm.model_loss(params, idx, targets, h0, mask)
    t_loss, t_grads, t_h = charlm.truncated_bptt(params, idx, targets, h0, 12, 12, mask)
    assert t_loss == loss
    assert np.array_equal(t_h, h_last)
    for k in params:
        assert np.array_equal(t_grads[k], grads[k]), k


def test_smaller_k2_changes_the_gradient_but_not_the_loss(rng):
    params, idx, targets, h0, _ = _setup(rng, T=12)
    loss, grads, h_last = charlm.model_loss(params, idx, targets, h0)
    for k1, k2 in [(12, 6), (3, 5), (4, 4)]:
        t_loss, t_grads, t_h = charlm.truncated_bptt(params, idx, targets, h0, k1, k2)
        assert abs(t_loss - loss) < 1e-12
        np.testing.assert_allclose(t_h, h_last, rtol=0, atol=1e-14)
        assert not np.allclose(t_grads["Wh"], grads["Wh"], rtol=1e-6, atol=0)
        # the read-out sees the same states and losses, whatever k2
        np.testing.assert_allclose(t_grads["W_out"], grads["W_out"], rtol=0, atol=1e-13)


def test_k1_equal_k2_is_chunked_model_loss_with_carried_state(rng):
    params, idx, targets, h0, _ = _setup(rng, T=12)
    _, t_grads, t_h = charlm.truncated_bptt(params, idx, targets, h0, 4, 4)
    h = h0
    total = {k: np.zeros_like(v) for k, v in params.items()}
    for s in range(0, 12, 4):
        _, g, h = charlm.model_loss(params, idx[:, s:s + 4], targets[:, s:s + 4], h)
        for k in params:
            total[k] += g[k] / 3  # each chunk holds a third of the tokens
    np.testing.assert_allclose(t_h, h, rtol=0, atol=1e-14)
    for k in params:
        np.testing.assert_allclose(t_grads[k], total[k], rtol=0, atol=1e-13, err_msg=k)


def _torch_truncated(params, idx, targets, h0, k1, k2):
    """TBPTT(k1, k2) in torch: per chunk, restart the graph at a detached state."""
    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    idx_t, y = torch.from_numpy(idx), torch.from_numpy(targets)
    N = idx.size
    with torch.no_grad():  # the states of the exact forward pass
        x_all = P["W_embed"][idx_t]
        hs, h = [], torch.from_numpy(h0)
        for t in range(idx.shape[1]):
            h = torch.tanh(x_all[:, t] @ P["Wx"] + h @ P["Wh"] + P["b"])
            hs.append(h)
    for start in range(0, idx.shape[1], k1):
        stop = min(start + k1, idx.shape[1])
        lo = max(stop - k2, 0)
        h = torch.from_numpy(h0) if lo == 0 else hs[lo - 1].detach()
        x_all = P["W_embed"][idx_t]  # a fresh graph for this chunk
        loss = 0.0
        for t in range(start, lo):  # k2 < k1: states held fixed, only the read-out learns
            s = hs[t] @ P["W_out"] + P["b_out"]
            loss = loss + F.cross_entropy(s, y[:, t], reduction="sum") / N
        for t in range(lo, stop):
            h = torch.tanh(x_all[:, t] @ P["Wx"] + h @ P["Wh"] + P["b"])
            if t >= start:
                s = h @ P["W_out"] + P["b_out"]
                loss = loss + F.cross_entropy(s, y[:, t], reduction="sum") / N
        loss.backward()
    return {k: v.grad.numpy() for k, v in P.items()}


@pytest.mark.parametrize("k1, k2", [(3, 5), (5, 3), (4, 12), (12, 7)])
def test_truncated_matches_torch_detach_oracle(rng, k1, k2):
    params, idx, targets, h0, _ = _setup(rng, T=12)
    _, grads, _ = charlm.truncated_bptt(params, idx, targets, h0, k1, k2)
    ref = _torch_truncated(params, idx, targets, h0, k1, k2)
    for k in params:
        np.testing.assert_allclose(grads[k], ref[k], rtol=0, atol=1e-12, err_msg=k)


def test_wrong_shape_message(rng):
    params, idx, targets, h0, _ = _setup(rng)
    with pytest.raises(ValueError, match=r"model_loss: `h0` has shape \(3, 5\).*\(B, H\)"):
        charlm.model_loss(params, idx, targets, h0[:, :5])
    with pytest.raises(ValueError, match=r"truncated_bptt: `targets`.*\(B, T\)"):
        charlm.truncated_bptt(params, idx, targets[:, :-1], h0, 2, 2)
    with pytest.raises(ValueError, match=r"truncated_bptt: `k2` must be a positive"):
        charlm.truncated_bptt(params, idx, targets, h0, 2, 0)


def test_wh_gradient_by_lag_sums_to_full_and_truncated():
    rng = np.random.default_rng(11)
    V, H, B, T = 7, 6, 3, 9
    params = charlm.init_params(V, H, rng)
    idx, tgt = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
    h0 = rng.standard_normal((B, H)) * 0.3
    G = charlm.wh_gradient_by_lag(params, idx, tgt, h0)
    assert G.shape == (T, H, H)
    _, full, _ = charlm.model_loss(params, idx, tgt, h0)
    assert np.allclose(G.sum(axis=0), full["Wh"], rtol=1e-12, atol=1e-14)
    for k2 in (1, 2, 4, T):
        _, tr, _ = charlm.truncated_bptt(params, idx, tgt, h0, 1, k2)
        assert np.allclose(G[:k2].sum(axis=0), tr["Wh"], rtol=1e-12, atol=1e-14)
    assert not np.allclose(G[0], full["Wh"])  # the longer lags do contribute
