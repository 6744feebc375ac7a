"""rnncourse.scratch.optim: clipping keeps (global norm) or changes (elementwise) the direction."""

import numpy as np
import pytest

from rnncourse.scratch import optim


@pytest.fixture
def rng():
    return np.random.default_rng(3)


def _grads(rng, scale=1.0):
    return {"Wx": rng.standard_normal((5, 6)) * scale, "Wh": rng.standard_normal((6, 6)) * scale,
            "b": rng.standard_normal(6) * scale}


def _flat(g):
    return np.concatenate([v.ravel() for v in g.values()])


def _cosine(a, b):
    a, b = _flat(a), _flat(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_global_norm_clip_keeps_direction_and_sets_norm(rng):
    grads = _grads(rng, scale=10.0)
    before = {k: v.copy() for k, v in grads.items()}
    clipped, total = optim.clip_global_norm(grads, max_norm=1.5)
    assert abs(total - np.linalg.norm(_flat(grads))) < 1e-12
    assert abs(np.linalg.norm(_flat(clipped)) - 1.5) < 1e-12
    assert abs(_cosine(clipped, grads) - 1.0) < 1e-12
    for k in grads:  # inputs untouched, outputs are new arrays
        assert np.array_equal(grads[k], before[k]) and clipped[k] is not grads[k]


def test_global_norm_clip_leaves_small_gradients_alone(rng):
    grads = _grads(rng, scale=0.01)
    clipped, total = optim.clip_global_norm(grads, max_norm=5.0)
    assert total < 5.0
    for k in grads:
        assert np.array_equal(clipped[k], grads[k])


def test_elementwise_clip_changes_direction():
    grads = {"w": np.array([10.0, 0.1]), "b": np.array([-0.2])}
    clipped = optim.clip_elementwise(grads, value=1.0)
    assert np.array_equal(clipped["w"], [1.0, 0.1]) and np.array_equal(clipped["b"], [-0.2])
    assert _cosine(clipped, grads) < 0.999
    assert grads["w"][0] == 10.0  # not in place


def test_sgd_update(rng):
    params, grads = _grads(rng), _grads(rng)
    want = {k: params[k] - 0.1 * grads[k] for k in params}
    optim.sgd_update(params, grads, lr=0.1)
    for k in params:
        np.testing.assert_allclose(params[k], want[k], rtol=0, atol=1e-15)


def test_adagrad_two_steps_by_hand(rng):
    params, g1, g2 = _grads(rng), _grads(rng), _grads(rng)
    p = {k: v.copy() for k, v in params.items()}
    opt = optim.Adagrad(lr=0.1, eps=1e-8)
    opt.step(params, g1)
    opt.step(params, g2)
    for k in p:
        m1 = g1[k] ** 2
        m2 = m1 + g2[k] ** 2
        want = p[k] - 0.1 * g1[k] / (np.sqrt(m1) + 1e-8) - 0.1 * g2[k] / (np.sqrt(m2) + 1e-8)
        np.testing.assert_allclose(params[k], want, rtol=0, atol=1e-14)
        np.testing.assert_allclose(opt.memory[k], m2, rtol=0, atol=1e-14)


def test_wrong_shape_message(rng):
    params, grads = _grads(rng), _grads(rng)
    grads["Wh"] = grads["Wh"][:, :5]
    with pytest.raises(ValueError, match=r"sgd_update: `grads\['Wh'\]` has shape \(6, 5\)"):
        optim.sgd_update(params, grads, lr=0.1)
    with pytest.raises(ValueError, match=r"adagrad_update: `grads` must have the keys"):
        optim.adagrad_update(params, {"Wx": params["Wx"]}, {}, lr=0.1)
    with pytest.raises(ValueError, match=r"clip_global_norm: `max_norm` must be positive"):
        optim.clip_global_norm(params, max_norm=0.0)
