"""Tests for rnncourse.classical.hmm against brute-force enumeration of all K^T state paths."""

import itertools

import numpy as np
import pytest

from rnncourse.classical import hmm

CASES = [(2, 3, 1), (2, 3, 4), (3, 4, 5), (3, 2, 6)]   # (K, M, T)


def brute_force(model: hmm.HMM, obs: np.ndarray):
    """Joint probabilities of every state path, by direct products (no recursions)."""
    paths = list(itertools.product(range(model.K), repeat=len(obs)))
    joint = []
    for z in paths:
        p = model.start[z[0]] * model.emit[z[0], obs[0]]
        for t in range(1, len(obs)):
            p *= model.trans[z[t - 1], z[t]] * model.emit[z[t], obs[t]]
        joint.append(p)
    return np.array(paths), np.array(joint)


def random_case(K, M, T, seed):
    rng = np.random.default_rng(seed)
    model = hmm.random_hmm(K, M, rng)
    return model, rng.integers(0, M, size=T)


@pytest.mark.parametrize("K,M,T", CASES)
def test_forward_against_enumeration(K, M, T):
    model, obs = random_case(K, M, T, seed=10 * K + T)
    paths, joint = brute_force(model, obs)
    fw = hmm.forward(model, obs)
    np.testing.assert_allclose(fw.loglik, np.log(joint.sum()), rtol=1e-12)
    np.testing.assert_allclose(hmm.naive_likelihood(model, obs), joint.sum(), rtol=1e-12)
    log_alpha, loglik = hmm.forward_log(model, obs)
    np.testing.assert_allclose(loglik, fw.loglik, rtol=1e-12)
    # alpha_hat is the normalised log_alpha; both are P(z_t | x_1:t).
    np.testing.assert_allclose(fw.alpha, np.exp(log_alpha - loglik_prefix(log_alpha)),
                               rtol=1e-10)
    np.testing.assert_allclose(fw.alpha.sum(axis=1), 1.0)


def loglik_prefix(log_alpha):
    m = log_alpha.max(axis=1, keepdims=True)
    return m + np.log(np.exp(log_alpha - m).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("K,M,T", CASES)
def test_posterior_against_enumeration(K, M, T):
    model, obs = random_case(K, M, T, seed=7 * K + T)
    paths, joint = brute_force(model, obs)
    marg = np.zeros((T, K))
    for z, p in zip(paths, joint, strict=True):
        marg[np.arange(T), z] += p
    np.testing.assert_allclose(hmm.posterior(model, obs), marg / joint.sum(), rtol=1e-10)


@pytest.mark.parametrize("K,M,T", CASES)
def test_viterbi_and_log_joint_against_enumeration(K, M, T):
    model, obs = random_case(K, M, T, seed=3 * K + T)
    paths, joint = brute_force(model, obs)
    best = np.argmax(joint)
    path, log_prob = hmm.viterbi(model, obs)
    np.testing.assert_array_equal(path, paths[best])
    np.testing.assert_allclose(log_prob, np.log(joint[best]), rtol=1e-12)
    for i in (0, len(paths) // 2, len(paths) - 1):
        np.testing.assert_allclose(hmm.log_joint(model, paths[i], obs), np.log(joint[i]),
                                   rtol=1e-12)


def test_casino_long_sequence_naive_underflows():
    model = hmm.dishonest_casino()
    states, obs = hmm.sample(model, 10_000, np.random.default_rng(0))
    assert set(np.unique(obs)) <= set(range(6)) and set(np.unique(states)) <= {0, 1}
    assert hmm.naive_likelihood(model, obs) == 0.0
    fw = hmm.forward(model, obs)
    _, loglik = hmm.forward_log(model, obs)
    assert np.isfinite(fw.loglik)
    assert abs(fw.loglik - loglik) <= 1e-9 * abs(loglik)
    # Decoding recovers most of the hidden casino states.
    assert np.mean(hmm.posterior(model, obs).argmax(axis=1) == states) > 0.75
    assert np.mean(hmm.viterbi(model, obs)[0] == states) > 0.7


def test_casino_parameters():
    model = hmm.dishonest_casino()
    assert hmm.STATE_NAMES == ("fair", "loaded")
    np.testing.assert_allclose(model.emit[0], 1 / 6)
    np.testing.assert_allclose(model.emit[1], [0.1] * 5 + [0.5])
    assert model.trans[0, 1] == 0.05 and model.trans[1, 0] == 0.1
    assert (model.K, model.M) == (2, 6)


def test_sample_frequencies():
    model = hmm.dishonest_casino()
    states, obs = hmm.sample(model, 20_000, np.random.default_rng(5))
    # Stationary share of the loaded state: 0.05 / (0.05 + 0.1) = 1/3.
    assert abs(states.mean() - 1 / 3) < 0.05
    assert abs(np.mean(obs[states == 1] == 5) - 0.5) < 0.03


def test_baum_welch_loglik_non_decreasing():
    truth = hmm.dishonest_casino()
    _, obs = hmm.sample(truth, 1000, np.random.default_rng(2))
    rng = np.random.default_rng(3)
    init = hmm.random_hmm(2, 6, rng)
    model, history = hmm.baum_welch(obs, 2, 6, rng, n_iter=60, init=init)
    assert np.all(np.diff(history) >= -1e-9)
    assert history[0] == pytest.approx(hmm.forward(init, obs).loglik, rel=1e-12)
    assert history[-1] == pytest.approx(hmm.forward(model, obs).loglik, rel=1e-12)
    assert history[-1] > history[0]
    # Started from the truth, EM can only climb from the truth's likelihood.
    _, hist_truth = hmm.baum_welch(obs, 2, 6, rng, n_iter=20, init=truth)
    assert np.all(np.diff(hist_truth) >= -1e-9)
    assert hist_truth[-1] >= hmm.forward(truth, obs).loglik


def test_baum_welch_stops_at_tol():
    _, obs = hmm.sample(hmm.dishonest_casino(), 300, np.random.default_rng(4))
    _, history = hmm.baum_welch(obs, 2, 6, np.random.default_rng(0), n_iter=500, tol=1e-3)
    assert len(history) < 501
    assert history[-1] - history[-2] < 1e-3


def test_bad_shapes_and_probabilities_raise():
    good = hmm.dishonest_casino()
    with pytest.raises(ValueError, match=r"HMM: `trans` has shape \(2, 3\) but expected "
                                         r"\(K, K\) = \(2, 2\); K=2 comes from `start`"):
        hmm.HMM(good.start, np.full((2, 3), 1 / 3), good.emit)
    with pytest.raises(ValueError, match=r"HMM: `emit` has shape \(3, 6\) but expected"):
        hmm.HMM(good.start, good.trans, np.full((3, 6), 1 / 6))
    with pytest.raises(ValueError, match="every row of `trans` must sum to 1"):
        hmm.HMM(good.start, np.array([[0.9, 0.2], [0.1, 0.9]]), good.emit)
    with pytest.raises(ValueError, match="`start` must hold finite non-negative"):
        hmm.HMM(np.array([1.5, -0.5]), good.trans, good.emit)
    with pytest.raises(TypeError, match="`emit` must hold numbers"):
        hmm.HMM(good.start, good.trans, [["a"] * 6] * 2)


def test_obs_out_of_range_raises():
    model = hmm.dishonest_casino()
    with pytest.raises(ValueError, match=r"forward: `obs` must hold symbols in 0..M-1 = "
                                         r"0..5 \(M=6 comes from `emit`\), but obs\[2\] = 6"):
        hmm.forward(model, np.array([0, 5, 6, 1]))
    with pytest.raises(ValueError, match=r"viterbi: `obs`.*obs\[0\] = -1"):
        hmm.viterbi(model, np.array([-1, 2]))
    with pytest.raises(ValueError, match="baum_welch: `obs`"):
        hmm.baum_welch(np.array([0, 9]), 2, 6, np.random.default_rng(0))


def test_log_joint_states_out_of_range_raise():
    with pytest.raises(ValueError, match=r"log_joint: `states` must hold states in 0..K-1 = 0..1"):
        hmm.log_joint(hmm.dishonest_casino(), np.array([0, 2]), np.array([1, 1]))
