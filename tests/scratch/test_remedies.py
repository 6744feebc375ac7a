"""Tests of scratch.remedies and models.remedies against independent oracles."""

import numpy as np
import pytest
import torch

from rnncourse.data import tasks
from rnncourse.models import train
from rnncourse.models.remedies import RemedyConfig, RemedyRNN, cliff_loss, clip_per_member
from rnncourse.scratch import remedies, rnn


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_orthogonal_is_orthogonal(rng):
    Q = remedies.orthogonal(7, rng)
    assert np.allclose(Q.T @ Q, np.eye(7), atol=1e-12)
    assert np.allclose(np.abs(np.linalg.eigvals(Q)), 1.0)


def test_scale_to_spectral_radius(rng):
    W = remedies.scale_to_spectral_radius(rng.standard_normal((9, 9)), 0.95)
    assert np.isclose(np.abs(np.linalg.eigvals(W)).max(), 0.95, rtol=1e-12)
    with pytest.raises(ValueError, match="nilpotent"):
        remedies.scale_to_spectral_radius(np.eye(4, k=1), 1.0)


def test_non_normal_matrix_eigen_and_singular_values(rng):
    W = remedies.non_normal_matrix(6, rho=0.9, coupling=1.5)
    assert np.allclose(np.linalg.eigvals(W), 0.9)  # triangular: eigenvalues exact
    assert np.linalg.norm(W, 2) > 1.5
    powers = [np.linalg.norm(np.linalg.matrix_power(W, L), 2) for L in (1, 5, 400)]
    assert powers[1] > powers[0] > 1 and powers[2] < 1e-3  # transient growth, then decay
    # rotated: same characteristic polynomial and the same norms of every power
    R = remedies.non_normal_matrix(6, rho=0.9, coupling=1.5, rng=rng)
    assert np.allclose(np.poly(R), np.poly(W), atol=1e-10)
    for L in (1, 5, 40):
        assert np.isclose(np.linalg.norm(np.linalg.matrix_power(R, L), 2),
                          np.linalg.norm(np.linalg.matrix_power(W, L), 2), rtol=1e-9)


def test_esn_reservoir_spectral_radius_and_scale(rng):
    W_in, W = remedies.esn_reservoir(3, 20, rho=0.9, rng=rng, input_scale=0.2)
    assert W_in.shape == (3, 20) and W.shape == (20, 20)
    assert np.isclose(remedies.spectral_radius(W), 0.9, rtol=1e-12)
    assert np.abs(W_in).max() <= 0.2


def test_leaky_step(rng):
    x, h = rng.standard_normal((3, 4)), rng.standard_normal((3, 5))
    Wx, Wh, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 5)), rng.standard_normal(5)
    plain, _ = rnn.rnn_step_forward(x, h, Wx, Wh, b)
    assert np.allclose(remedies.leaky_step_forward(x, h, Wx, Wh, b, 0.0), plain, atol=1e-14)
    assert np.allclose(remedies.leaky_step_forward(x, h, Wx, Wh, b, 1.0), h)
    mixed = remedies.leaky_step_forward(x, h, Wx, Wh, b, 0.25)
    assert np.allclose(mixed, 0.25 * h + 0.75 * plain)
    with pytest.raises(ValueError, match=r"\(D, H\)"):
        remedies.leaky_step_forward(x, h, Wx.T, Wh, b, 0.5)


def _model(g, **kw):
    return RemedyRNN(3, 5, RemedyConfig(**kw), g, dtype=torch.float64)


def _weights(m, s=0):
    """Member s's weights as NumPy arrays."""
    return {k: v[s].detach().numpy() for k, v in m.named_parameters()}


def test_remedy_rnn_defaults_equal_nn_rnn():
    g = torch.Generator().manual_seed(0)
    m = _model(g)
    ref = torch.nn.RNN(3, 5, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(m.Wx[0].T)
        ref.weight_hh_l0.copy_(m.Wh[0].T)
        ref.bias_ih_l0.copy_(m.b[0])
        ref.bias_hh_l0.zero_()
    x = torch.randn(2, 7, 3, generator=g, dtype=torch.float64)
    assert m.states(x).shape == (1, 2, 7, 5) and m(x)[0].shape == (1, 2) and m(x)[1] is None
    assert torch.allclose(m.states(x)[0], ref(x)[0], atol=1e-12)


def test_remedy_rnn_leaky_equals_numpy_step():
    g = torch.Generator().manual_seed(1)
    m = _model(g, alpha=0.8, init="orthogonal")
    x = torch.randn(2, 4, 3, generator=g, dtype=torch.float64)
    p = _weights(m)
    h = np.zeros((2, 5))
    for t in range(4):
        h = remedies.leaky_step_forward(x[:, t].numpy(), h, p["Wx"], p["Wh"], p["b"], 0.8)
    assert np.allclose(m.states(x)[0, :, -1].detach().numpy(), h, atol=1e-12)
    assert np.allclose(p["Wh"].T @ p["Wh"], np.eye(5), atol=1e-12)


def test_remedy_rnn_skip_and_identity():
    g = torch.Generator().manual_seed(2)
    m = _model(g, skip=3, init="identity", nonlinearity="relu", input_std=0.1)
    assert torch.equal(m.Wh[0], torch.eye(5, dtype=torch.float64))
    x = torch.randn(2, 6, 3, generator=g, dtype=torch.float64)
    W = _weights(m)
    hs = [np.zeros((2, 5))]  # h_0, then h_1..h_T
    for t in range(1, 7):
        a = x[:, t - 1].numpy() @ W["Wx"] + hs[t - 1] @ W["Wh"] + W["b"]
        if t >= 3:
            a = a + hs[t - 3] @ W["Ws"]  # h_{t-d}, d = 3
        hs.append(np.maximum(a, 0))
    assert np.allclose(m.states(x)[0].detach().numpy(), np.stack(hs[1:], 1), atol=1e-12)
    with pytest.raises(ValueError, match="skip"):
        _model(g, skip=1)


def test_remedy_rnn_gradient_check():
    g = torch.Generator().manual_seed(3)
    m = _model([g, torch.Generator().manual_seed(33)], alpha=0.5, skip=2)
    x = torch.randn(2, 2, 5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda inp: m(inp)[0], (x,))


def test_members_are_independent_models():
    """Member s of an ensemble equals a one-member model from the same generator, before
    and after training on its own batches: the members neither share nor mix anything."""
    seeds = (5, 6, 7)
    cfg = {"skip": 2, "init": "orthogonal"}
    ens = _model([torch.Generator().manual_seed(s) for s in seeds], **cfg)
    alone = [_model(torch.Generator().manual_seed(s), **cfg) for s in seeds]
    for s, m in enumerate(alone):
        assert all(torch.equal(p[s], q[0]) for p, q in zip(ens.parameters(), m.parameters(),
                                                             strict=True))
    data = [np.random.default_rng([s, 1]) for s in seeds]
    batches = [[tasks.recall_first(8, 6, r) for _ in range(20)] for r in data]

    def batch_of(members):
        def batch(i):
            x = np.stack([batches[s][i][0] for s in members])[:, :, :, :1].repeat(3, -1)
            y = np.stack([batches[s][i][1] for s in members])
            return torch.tensor(x), torch.tensor(y)
        return batch

    train.fit(ens, batch_of(range(3)), steps=20, lr=1e-2, clip=0.05)
    for s, m in enumerate(alone):
        train.fit(m, batch_of([s]), steps=20, lr=1e-2, clip=0.05)
        for p, q in zip(ens.parameters(), m.parameters(), strict=True):
            assert torch.allclose(p[s], q[0], rtol=1e-10, atol=1e-12)


def test_clip_per_member_is_clip_grad_norm_per_member():
    g = torch.Generator().manual_seed(8)
    params = [torch.randn(3, 4, 5, generator=g, dtype=torch.float64, requires_grad=True),
              torch.randn(3, 2, generator=g, dtype=torch.float64, requires_grad=True)]
    for p in params:
        p.grad = torch.randn(p.shape, generator=g, dtype=torch.float64) * 3
    singles = [[p.grad[s].clone().requires_grad_(False) for p in params] for s in range(3)]
    norms = clip_per_member(params, 1.5)
    for s, grads in enumerate(singles):
        ref = [torch.zeros_like(gr, requires_grad=True) for gr in grads]
        for r, gr in zip(ref, grads, strict=True):
            r.grad = gr.clone()
        total = torch.nn.utils.clip_grad_norm_(ref, 1.5)
        assert torch.isclose(norms[s], total, rtol=1e-12)
        for p, r in zip(params, ref, strict=True):
            assert torch.allclose(p.grad[s], r.grad, rtol=1e-12, atol=0)


def test_remedy_rnn_rejects_bad_inputs():
    m = _model([torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)])
    with pytest.raises(ValueError, match=r"\(S, B, T, D\) with S=2"):
        m(torch.zeros(3, 4, 5, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="generators"):
        _model([])


def test_recall_first(rng):
    x, y = tasks.recall_first(4000, 6, rng)
    assert x.shape == (4000, 6, 2) and y.shape == (4000,)
    assert np.array_equal(y, x[:, 0, 0]) and np.all(x[:, 0, 1] == 1) and np.all(x[:, 1:, 1] == 0)
    assert np.isclose(np.mean(y**2), tasks.RECALL_BASELINE_MSE, rtol=0.05)


def test_train_regressor_lowers_loss():
    g = torch.Generator().manual_seed(4)
    m = RemedyRNN(2, 8, RemedyConfig(), g)
    rng = np.random.default_rng(0)

    def batch(i):
        x, y = tasks.recall_first(32, 3, rng)
        return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)

    losses = train.fit(m, batch, steps=150, lr=1e-2).losses
    assert losses.shape == (150, 1) and np.mean(losses[-20:]) < 0.3 * np.mean(losses[:5])


def test_cliff_loss_matches_scalar_loop_and_has_a_cliff():
    w, b = torch.tensor(1.8, dtype=torch.float64), torch.tensor(-0.3, dtype=torch.float64)
    h = 0.5
    for _ in range(50):
        h = np.tanh(1.8 * h - 0.3)
    assert np.isclose(cliff_loss(w, b).item(), (h - 0.7) ** 2, rtol=1e-12)
    bs = torch.linspace(-1.5, 0.5, 2001, dtype=torch.float64)
    L = cliff_loss(torch.full_like(bs, 1.8), bs)
    assert L.max() > 2.5 and L.min() < 0.05 and torch.diff(L).abs().max() > 1.0  # a jump
