"""rnncourse.scratch.sampling: temperature, top-k, and generation from a model."""

import numpy as np
import pytest

from rnncourse.scratch import charlm, sampling

V, H, D = 7, 6, 5


@pytest.fixture
def rng():
    return np.random.default_rng(4)


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_frequencies_match_softmax_of_scaled_logits(rng, temperature):
    logits = np.array([1.0, -0.5, 0.3, 2.0, 0.0, -1.0, 0.7])
    n = 40_000
    draws = sampling.sample_next(np.tile(logits, (n, 1)), temperature, rng)  # (n,)
    freq = np.bincount(draws, minlength=V)
    p = _softmax(logits / temperature)
    chi2 = float(np.sum((freq - n * p) ** 2 / (n * p)))
    assert chi2 < 22.5  # the 0.999 quantile of chi-square with V - 1 = 6 d.o.f.


def test_small_temperature_is_argmax(rng):
    logits = rng.standard_normal((50, V))
    draws = sampling.sample_next(logits, 1e-4, rng)
    assert np.array_equal(draws, logits.argmax(axis=1))


def test_top_k_restricts_support(rng):
    logits = np.array([0.1, 3.0, -2.0, 2.5, 0.0, 2.9, -1.0])
    draws = sampling.sample_next(np.tile(logits, (5000, 1)), 3.0, rng, top_k=3)
    assert set(np.unique(draws)) == {1, 3, 5}
    p = sampling.next_token_probs(logits, 1.0, top_k=3)
    np.testing.assert_allclose(p[[1, 3, 5]], _softmax(logits[[1, 3, 5]]), atol=1e-15)
    assert p.sum() == pytest.approx(1.0) and np.count_nonzero(p) == 3


def test_single_row_gives_int(rng):
    assert isinstance(sampling.sample_next(np.zeros(V), 1.0, rng), int)


@pytest.mark.parametrize("temperature", [0.0, -1.0, np.inf, np.nan])
def test_bad_temperature_raises(rng, temperature):
    with pytest.raises(ValueError, match=r"sample_next: `temperature` must be a positive"):
        sampling.sample_next(np.zeros(V), temperature, rng)


def test_sample_sequence_shapes_and_determinism(rng):
    params = charlm.init_params(V, H, rng, D=D)
    a = sampling.sample_sequence(params, 2, 20, np.random.default_rng(7), temperature=0.8)
    b = sampling.sample_sequence(params, 2, 20, np.random.default_rng(7), temperature=0.8)
    assert a.shape == (20,) and np.array_equal(a, b) and a.min() >= 0 and a.max() < V
    many = sampling.sample_sequence(params, np.array([0, 1, 2]), 5, rng, top_k=2)
    assert many.shape == (3, 5)


def test_sample_sequence_greedy_follows_the_model(rng):
    """At a tiny temperature each sample is the argmax of the model's next-token scores."""
    params = charlm.init_params(V, H, rng, D=None)
    out = sampling.sample_sequence(params, 3, 6, rng, temperature=1e-6)
    seq = np.concatenate([[3], out])
    for t in range(1, len(seq)):
        # the loss of predicting seq[t] after seq[:t] is smallest among all choices
        losses = [charlm.model_loss(params, seq[None, :t],
                                  np.concatenate([seq[1:t], [c]])[None],
                                  mask=np.eye(1, t, t - 1, dtype=bool))[0] for c in range(V)]
        assert int(np.argmin(losses)) == seq[t]


def test_wrong_shape_message(rng):
    params = charlm.init_params(V, H, rng, D=D)
    with pytest.raises(ValueError, match=r"sample_sequence: `h0` has shape \(1, 4\).*\(B, H\)"):
        sampling.sample_sequence(params, 0, 3, rng, h0=np.zeros(4))
    with pytest.raises(ValueError, match=r"next_token_probs: `top_k` must be an integer"):
        sampling.next_token_probs(np.zeros(V), 1.0, top_k=V + 1)
