"""Tests for rnncourse.data.tasks: every generator seeded by an argument, float64, torch-free."""

import numpy as np
import pytest

from rnncourse.data import tasks


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
    assert a[0].dtype == a[1].dtype == np.float64  # the data wing's dtype convention


def test_adding_errors_teach():
    with pytest.raises(ValueError, match="adding_problem: `T` must be at least 2"):
        tasks.adding_problem(4, 1, 0)
    with pytest.raises(TypeError, match="adding_problem: `rng` must be"):
        tasks.adding_problem(4, 10, "seed")
    with pytest.raises(TypeError, match="an int seed or a np.random.Generator, got bool"):
        tasks.adding_problem(4, 10, True)


@pytest.mark.parametrize("make", [
    lambda rng: tasks.adding_problem(4, 9, rng),
    lambda rng: tasks.copy_task(4, 5, rng),
    lambda rng: tasks.delayed_recall(4, 9, 2, rng),
    lambda rng: tasks.recall_first(4, 9, rng),
    lambda rng: tasks.parity(4, 9, rng),
    lambda rng: tasks.selective_copy(4, 9, 3, rng),
    lambda rng: tasks.associative_recall(4, 5, 3, rng),
])
def test_every_generator_repeats_for_a_seed_and_leaves_global_state_alone(make):
    np.random.seed(123)  # noqa: NPY002 (the legacy global state must stay untouched)
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    first, again = make(7), make(np.random.default_rng(7))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype in (np.float64, np.int64, np.bool_)
    assert not np.array_equal(first[0], make(8)[0])
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_copy_task_layout():
    x, y = tasks.copy_task(5, delay=7, rng=0, n_copy=4, n_symbols=6)
    T = 2 * 4 + 7
    assert x.shape == y.shape == (5, T)
    np.testing.assert_array_equal(y[:, -4:], x[:, :4])
    assert np.all((x[:, :4] >= 1) & (x[:, :4] <= 6))
    np.testing.assert_array_equal(x[:, 4 + 7 - 1], 7)  # the go marker
    assert np.all(y[:, :-4] == 0)
    np.testing.assert_array_equal(tasks.copy_task(5, 7, 0, 4, 6)[0], x)


def test_parity_against_brute_force():
    x, y = tasks.parity(50, 37, 0)
    assert x.shape == y.shape == (50, 37) and x.dtype == y.dtype == np.int64
    assert set(np.unique(x)) == {0, 1}
    for b in range(50):
        for t in range(37):
            assert y[b, t] == sum(x[b, :t + 1]) % 2
    assert 0.4 < y.mean() < 0.6                        # guessing is right half of the time
    with pytest.raises(ValueError, match="`T` must be at least 1"):
        tasks.parity(2, 0, 0)


def test_selective_copy_against_brute_force():
    T, n, S = 30, 5, 8
    x, y = tasks.selective_copy(200, T, n, 1, n_symbols=S)
    assert x.shape == (200, T + n) and y.shape == (200, n)
    for b in range(200):
        kept = [int(v) for v in x[b, :T] if v != 0]      # the symbols, read in order
        assert kept == list(y[b]) and len(kept) == n
        assert np.all(x[b, T:] == S + 1) and np.all((y[b] >= 1) & (y[b] <= S))
    first = np.argmax(x[:, :T] > 0, axis=1)
    assert len(np.unique(first)) > 5                     # the positions move: not a copy task
    with pytest.raises(ValueError, match="`n_tokens` must be in 1..T=4"):
        tasks.selective_copy(2, 4, 5, 0)


def test_associative_recall_against_brute_force():
    x, y = tasks.associative_recall(100, 6, 4, 2, n_keys=10, n_values=7)
    assert x.shape == (100, 16) and y.shape == (100, 4)
    for b in range(100):
        pairs = dict(zip(x[b, 0:12:2].tolist(), x[b, 1:12:2].tolist(), strict=True))
        assert len(pairs) == 6                           # distinct keys
        assert all(0 <= k < 10 for k in pairs) and all(10 <= v < 17 for v in pairs.values())
        assert [pairs[q] for q in x[b, 12:].tolist()] == y[b].tolist()
    with pytest.raises(ValueError, match="`n_pairs` must be in 1..n_keys=4"):
        tasks.associative_recall(2, 5, 1, 0, n_keys=4)
