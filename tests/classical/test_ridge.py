import numpy as np
import pytest

from rnncourse.classical import ridge


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_ridge_readout_equals_lstsq(rng):
    S, y = rng.standard_normal((40, 6)), rng.standard_normal((40, 2))
    W, b = ridge.ridge_readout(S, y, lam=0.0)
    coef, *_ = np.linalg.lstsq(np.c_[S, np.ones(40)], y, rcond=None)
    assert np.allclose(W, coef[:6], atol=1e-10) and np.allclose(b, coef[6], atol=1e-10)
    # with lam > 0: the augmented least-squares system, bias unpenalised
    lam = 0.7
    A = np.r_[np.c_[S, np.ones(40)], np.c_[np.sqrt(lam) * np.eye(6), np.zeros((6, 1))]]
    coef, *_ = np.linalg.lstsq(A, np.r_[y, np.zeros((6, 2))], rcond=None)
    W, b = ridge.ridge_readout(S, y, lam=lam)
    assert np.allclose(W, coef[:6], atol=1e-10) and np.allclose(b, coef[6], atol=1e-10)
    W1, b1 = ridge.ridge_readout(S, y[:, 0], lam=lam)
    assert W1.shape == (6,) and np.allclose(W1, W[:, 0]) and np.isclose(b1, b[0])


def test_ridge_readout_rejects_negative_lam(rng):
    with pytest.raises(ValueError, match="ridge_readout: `lam`"):
        ridge.ridge_readout(rng.standard_normal((5, 2)), rng.standard_normal(5), lam=-1.0)
