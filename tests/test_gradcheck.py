"""Tests for rnncourse.gradcheck, including proof that the checker can fail."""

import numpy as np
import pytest

from rnncourse import gradcheck

N, D, H = 3, 4, 5


def affine_forward(x, W, b):
    return x @ W + b, (x, W)


def affine_backward(dout, cache):
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def affine_backward_no_batch_sum(dout, cache):
    x, W = cache
    return dout @ W.T, x.T @ dout, dout[0]          # forgot to sum db over the batch


def affine_backward_factor_two(dout, cache):
    x, W = cache
    return 2 * dout @ W.T, x.T @ dout, dout.sum(axis=0)


def inputs(seed=0):
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((N, D)), "W": rng.standard_normal((D, H)),
            "b": rng.standard_normal(H)}


def test_correct_backward_passes():
    result = gradcheck.check_backward(affine_forward, affine_backward, inputs(),
                                      np.random.default_rng(1))
    assert result.passed
    assert set(result.errors) == {"x", "W", "b"}
    assert max(result.errors.values()) < 1e-8
    assert str(result).count("ok") == 3


@pytest.mark.parametrize("wrong,bad", [(affine_backward_no_batch_sum, "b"),
                                       (affine_backward_factor_two, "x")])
def test_wrong_backward_fails(wrong, bad):
    result = gradcheck.check_backward(affine_forward, wrong, inputs(),
                                      np.random.default_rng(1))
    assert not result.passed
    assert result.errors[bad] > 1e-2
    assert f"FAIL d{bad}" in str(result)


def test_float32_is_rejected():
    inp = inputs()
    inp["W"] = inp["W"].astype(np.float32)
    with pytest.raises(TypeError, match="`W` has dtype float32.*need float64"):
        gradcheck.check_backward(affine_forward, affine_backward, inp,
                                 np.random.default_rng(0))
    with pytest.raises(TypeError, match="float64"):
        gradcheck.numerical_gradients(lambda x, W, b: x @ W + b, inp, np.zeros((N, H)))


def test_inputs_restored_bitwise():
    inp = inputs(2)
    before = {k: v.copy() for k, v in inp.items()}
    douts = np.random.default_rng(3).standard_normal((N, H))
    grads = gradcheck.numerical_gradients(lambda x, W, b: x @ W + b, inp, douts)
    for name in inp:
        assert inp[name].tobytes() == before[name].tobytes()
    np.testing.assert_allclose(grads["b"], douts.sum(axis=0), rtol=1e-8)


def test_inputs_restored_when_f_raises():
    inp = {"x": np.ones(3)}
    calls = []

    def f(x):
        calls.append(1)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        gradcheck.numerical_gradients(f, inp, np.ones(3))
    np.testing.assert_array_equal(inp["x"], np.ones(3))


def test_relative_error_properties():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(10), rng.standard_normal(10)
    assert gradcheck.relative_error(a, a) == 0.0
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.relative_error(a, b) == pytest.approx(gradcheck.relative_error(b, a))
    assert gradcheck.relative_error(a, -a) == pytest.approx(1.0)       # the maximum
    assert 0.0 <= gradcheck.relative_error(a, b) <= 1.0
    assert gradcheck.relative_error(a, 3 * a) == pytest.approx(0.5)    # scale invariant
    assert gradcheck.relative_error(1e-9 * a, 3e-9 * a) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="shapes differ"):
        gradcheck.relative_error(np.zeros(3), np.zeros(4))
