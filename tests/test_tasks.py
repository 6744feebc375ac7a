"""Tests for rnncourse.tasks: the adding problem and the copy task."""

import numpy as np
import pytest
import torch

from rnncourse import tasks


def test_adding_shapes_and_two_markers_per_row():
    x, y = tasks.adding_problem(64, 30, 0)
    assert x.shape == (64, 30, 2) and y.shape == (64,)
    markers = x[..., 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    np.testing.assert_array_equal(markers.sum(axis=1), 2)
    np.testing.assert_array_equal(markers[:, :15].sum(axis=1), 1)  # one per half
    np.testing.assert_allclose(y, (x[..., 0] * markers).sum(axis=1), rtol=1e-6)
    assert x[..., 0].min() >= 0 and x[..., 0].max() < 1


def test_adding_constant_baseline_is_one_sixth():
    _, y = tasks.adding_problem(200_000, 10, np.random.default_rng(1), dtype=np.float64)
    assert abs(y.mean() - 1.0) < 0.005
    assert abs(((y - 1.0) ** 2).mean() - tasks.ADDING_BASELINE_MSE) < 0.003


def test_adding_is_deterministic_for_every_kind_of_seed():
    a = tasks.adding_problem(8, 12, 3)
    b = tasks.adding_problem(8, 12, np.random.default_rng(3))
    c = tasks.adding_problem(8, 12, 4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    t1 = tasks.adding_problem(8, 12, torch.Generator().manual_seed(5))
    t2 = tasks.adding_problem(8, 12, torch.Generator().manual_seed(5))
    np.testing.assert_array_equal(t1[0], t2[0])


def test_adding_errors_teach():
    with pytest.raises(ValueError, match="adding_problem: `T` must be at least 2"):
        tasks.adding_problem(4, 1, 0)
    with pytest.raises(TypeError, match="adding_problem: `rng` must be"):
        tasks.adding_problem(4, 10, "seed")


def test_copy_task_layout():
    x, y = tasks.copy_task(5, delay=7, rng=0, n_copy=4, n_symbols=6)
    T = 2 * 4 + 7
    assert x.shape == y.shape == (5, T)
    np.testing.assert_array_equal(y[:, -4:], x[:, :4])
    assert np.all((x[:, :4] >= 1) & (x[:, :4] <= 6))
    np.testing.assert_array_equal(x[:, 4 + 7 - 1], 7)  # the go marker
    assert np.all(y[:, :-4] == 0)
    np.testing.assert_array_equal(tasks.copy_task(5, 7, 0, 4, 6)[0], x)
