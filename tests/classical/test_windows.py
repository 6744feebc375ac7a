"""Tests for rnncourse.classical.windows: conv1d against torch, gradient check, receptive field."""

import numpy as np
import pytest
import torch

from rnncourse import gradcheck
from rnncourse.classical import windows
from rnncourse.data import tasks

B, T, D, H, K = 3, 7, 4, 5, 3   # distinct sizes so that a wrong transpose fails loudly


def random_inputs(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((B, T, D)), "W": rng.standard_normal((K, D, H)),
            "b": rng.standard_normal(H)}


def test_conv1d_forward_matches_torch():
    inp = random_inputs()
    y, _ = windows.conv1d_forward(**inp)
    assert y.shape == (B, T - K + 1, H)
    # torch: input (B, D, T), weight (H, D, k); both compute a cross-correlation.
    ref = torch.nn.functional.conv1d(
        torch.from_numpy(inp["x"]).transpose(1, 2),
        torch.from_numpy(inp["W"].transpose(2, 1, 0).copy()),
        torch.from_numpy(inp["b"]),
    ).transpose(1, 2).numpy()
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


def test_conv1d_output_sees_its_window_only():
    inp = random_inputs(1)
    y, _ = windows.conv1d_forward(**inp)
    x2 = inp["x"].copy()
    x2[:, 4] += 1.0                       # touches outputs t with t <= 4 <= t + k - 1
    y2, _ = windows.conv1d_forward(x2, inp["W"], inp["b"])
    changed = np.any(y2 != y, axis=(0, 2))
    np.testing.assert_array_equal(np.flatnonzero(changed), [2, 3, 4])


def test_conv1d_backward_gradcheck():
    result = gradcheck.check_backward(windows.conv1d_forward, windows.conv1d_backward,
                                      random_inputs(2), np.random.default_rng(3))
    assert result.passed, str(result)
    assert max(result.errors.values()) < 1e-8


def test_conv1d_shape_errors():
    inp = random_inputs()
    with pytest.raises(ValueError, match=r"conv1d_forward: `W` has shape \(3, 5, 5\) but "
                                         r"expected \(k, D, H\) = \(3, 4, 5\); D=4 comes "
                                         r"from `x`"):
        windows.conv1d_forward(inp["x"], np.zeros((3, 5, 5)), inp["b"])
    with pytest.raises(ValueError, match="longer than the sequence"):
        windows.conv1d_forward(inp["x"], np.zeros((8, D, H)), inp["b"])


def test_receptive_field():
    assert windows.receptive_field([5]) == 5
    assert windows.receptive_field([3, 3, 3]) == 7
    # WaveNet-style doubling dilations: 1 + 2 * (1 + 2 + 4 + 8) = 31.
    assert windows.receptive_field([3] * 4, [1, 2, 4, 8]) == 31
    assert windows.receptive_field([2] * 4, [1, 2, 4, 8]) == 16
    with pytest.raises(ValueError, match="one per layer"):
        windows.receptive_field([3, 3], [1])


def test_receptive_field_matches_stacked_conv1d():
    # Count the inputs that the last output of two stacked conv1d layers depends on.
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 12, 1))
    W1, W2 = rng.standard_normal((3, 1, 2)), rng.standard_normal((4, 2, 1))
    h, _ = windows.conv1d_forward(x, W1, np.zeros(2))
    y, cache2 = windows.conv1d_forward(h, W2, np.zeros(1))
    dy = np.zeros_like(y)
    dy[0, -1, 0] = 1.0
    dh, _, _ = windows.conv1d_backward(dy, cache2)
    _, cache1 = windows.conv1d_forward(x, W1, np.zeros(2))
    dx, _, _ = windows.conv1d_backward(dh, cache1)
    assert np.count_nonzero(dx) == windows.receptive_field([3, 4]) == 6


def test_delayed_recall_targets():
    x, y, mask = tasks.delayed_recall(2, 10, 3, np.random.default_rng(0))
    assert x.shape == (2, 10, 1) and y.shape == (2, 10) and mask.dtype == bool
    assert set(np.unique(x)) == {-1.0, 1.0}
    np.testing.assert_array_equal(y[:, 3:], x[:, :7, 0])
    np.testing.assert_array_equal(mask, np.tile(np.arange(10) >= 3, (2, 1)))


@pytest.mark.parametrize("k,solvable", [(2, False), (4, False), (5, True), (7, True)])
def test_window_width_decides_delayed_recall(k, solvable):
    lag = 4
    rng = np.random.default_rng(k)
    train = tasks.delayed_recall(64, 100, lag, rng)
    test = tasks.delayed_recall(64, 100, lag, rng)   # fresh data: no memorising
    readout = windows.fit_window_classifier(*train, k=k)
    acc = windows.window_accuracy(*test, readout)
    if solvable:
        assert acc > 0.99
    else:
        assert abs(acc - 0.5) < 0.03   # about 6000 test steps: chance +- 4 se
