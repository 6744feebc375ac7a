"""The classical wing against maintained libraries: Yule-Walker against statsmodels, the
HMM forward algorithm and Viterbi against hmmlearn, on the real series Chapter 1 fits
(statsmodels' bundled yearly sunspot numbers) and on random models."""

import warnings

import numpy as np
import pytest

from rnncourse.classical import ar, hmm

sm = pytest.importorskip("statsmodels.api")
hmmlearn_hmm = pytest.importorskip("hmmlearn.hmm")


def sunspots() -> np.ndarray:
    return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy()


@pytest.mark.parametrize("p", [1, 2, 3, 9])
def test_yule_walker_equals_statsmodels_on_sunspots(p):
    from statsmodels.regression.linear_model import yule_walker

    x = sunspots()
    ours = ar.yule_walker(x, p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # statsmodels' return-type notice
        phi, sigma = yule_walker(x, order=p, method="mle")  # autocovariances divided by T
    np.testing.assert_allclose(ours.phi, phi, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.sqrt(ours.sigma2), sigma, rtol=1e-10)


def test_yule_walker_equals_statsmodels_on_simulated_series():
    from statsmodels.regression.linear_model import yule_walker

    rng = np.random.default_rng(0)
    x = ar.simulate_ar(np.array([0.6, -0.3, 0.1]), 500, rng, c=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        phi, _ = yule_walker(x, order=3, method="mle")
    np.testing.assert_allclose(ar.yule_walker(x, 3).phi, phi, rtol=1e-10, atol=1e-12)


def _hmmlearn_model(model: hmm.HMM):
    ref = hmmlearn_hmm.CategoricalHMM(n_components=model.K, init_params="", params="")
    ref.startprob_, ref.transmat_, ref.emissionprob_ = model.start, model.trans, model.emit
    ref.n_features = model.M
    return ref


@pytest.mark.parametrize("seed", range(4))
def test_forward_and_viterbi_equal_hmmlearn(seed):
    rng = np.random.default_rng(seed)
    model = hmm.dishonest_casino() if seed == 0 else hmm.random_hmm(3 + seed, 4, rng)
    _, obs = hmm.sample(model, 300, rng)
    ref = _hmmlearn_model(model)
    _, loglik = hmm.forward_log(model, obs)
    assert np.isclose(loglik, ref.score(obs[:, None]), rtol=1e-10, atol=1e-9)
    path, logp = hmm.viterbi(model, obs)
    ref_logp, ref_path = ref.decode(obs[:, None], algorithm="viterbi")
    assert np.isclose(logp, ref_logp, rtol=1e-10, atol=1e-9)
    # Ties are real here (products of the same factors in another order), so the paths
    # may differ; both must score the optimum.
    assert np.isclose(hmm.log_joint(model, path, obs), ref_logp, rtol=1e-12, atol=1e-9)
    assert np.isclose(hmm.log_joint(model, ref_path, obs), logp, rtol=1e-12, atol=1e-9)
    if seed == 0:  # the casino's two states: no tie, the same path
        np.testing.assert_array_equal(path, ref_path)
    post = hmm.posterior(model, obs)
    np.testing.assert_allclose(post, ref.predict_proba(obs[:, None]), atol=1e-10)
