"""Tests for rnncourse.classical.ar: Yule-Walker against least squares and the true coefficients."""

import numpy as np
import pytest

from rnncourse.classical import ar

PHI = np.array([0.6, -0.3])
T = 20_000


@pytest.fixture(scope="module")
def series() -> np.ndarray:
    return ar.simulate_ar(PHI, T, np.random.default_rng(1234), c=0.5, sigma=1.0)


def test_yule_walker_and_least_squares_recover_phi(series):
    # Asymptotic covariance of the AR(p) estimate is sigma^2 Gamma^{-1} / T; for AR(2)
    # both coefficients have variance (1 - phi_2^2) / T, so se ~ 0.0067 at T = 20000.
    se = np.sqrt((1 - PHI[1] ** 2) / T)
    yw = ar.yule_walker(series, 2)
    ls = ar.fit_least_squares(series, 2)
    for fit in (yw, ls):
        np.testing.assert_allclose(fit.phi, PHI, atol=4 * se)
        assert abs(fit.sigma2 - 1.0) < 0.05      # se of sigma^2 is sqrt(2/T) ~ 0.01
        assert abs(fit.c - 0.5) < 0.05
    # The two estimators differ by O(1/T), far less than their sampling error.
    np.testing.assert_allclose(yw.phi, ls.phi, atol=1e-3)


def test_simulated_mean_is_process_mean(series):
    mean = 0.5 / (1 - PHI.sum())
    assert abs(series.mean() - mean) < 0.05


def test_autocovariance_matches_direct_loop():
    x = np.random.default_rng(0).standard_normal(37)
    m = x.mean()
    direct = [sum((x[t] - m) * (x[t + lag] - m) for t in range(len(x) - lag)) / len(x)
              for lag in range(6)]
    np.testing.assert_allclose(ar.autocovariance(x, 5), direct, rtol=1e-12)


def test_lag_matrix_columns_hold_lags():
    x = np.arange(10.0)
    X = ar.lag_matrix(x, 3)
    assert X.shape == (7, 3)
    np.testing.assert_array_equal(X[0], [2.0, 1.0, 0.0])     # predicts x[3]
    np.testing.assert_array_equal(X[-1], [8.0, 7.0, 6.0])    # predicts x[9]


def test_one_step_predictions_and_forecast_of_noiseless_ar():
    phi = np.array([0.5, 0.2, -0.1])
    c = 1.0
    x = np.zeros(30)
    x[:3] = [1.0, -2.0, 0.5]
    for t in range(3, 30):
        x[t] = c + phi[0] * x[t - 1] + phi[1] * x[t - 2] + phi[2] * x[t - 3]
    fit = ar.ARFit(c=c, phi=phi, sigma2=0.0)
    np.testing.assert_allclose(ar.one_step_predictions(x, fit), x[3:], rtol=1e-12)
    np.testing.assert_allclose(ar.forecast(x[:10], fit, 20), x[10:], rtol=1e-12)


def test_forecast_decays_to_the_mean():
    fit = ar.ARFit(c=0.5, phi=PHI, sigma2=1.0)
    f = ar.forecast(np.array([5.0, -3.0]), fit, 200)
    assert abs(f[-1] - 0.5 / (1 - PHI.sum())) < 1e-10


def test_stationarity():
    assert ar.is_stationary([0.6, -0.3])
    assert ar.is_stationary([0.9])
    assert not ar.is_stationary([1.0])
    assert not ar.is_stationary([0.6, 0.5])       # phi_1 + phi_2 > 1
    with pytest.raises(ValueError, match="not stationary.*characteristic polynomial"):
        ar.simulate_ar([0.6, 0.5], 100, np.random.default_rng(0))


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="more than p=5"):
        ar.yule_walker(np.zeros(5), 5)
    with pytest.raises(ValueError, match="`x` has shape"):
        ar.yule_walker(np.zeros((4, 3)), 1)
