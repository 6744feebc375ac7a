"""analysis.interpretable against numpy and scikit-learn, and viz.coloured on known inputs."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from rnncourse.analysis import interpretable
from rnncourse.viz.coloured import coloured_html


def test_correlations_match_corrcoef():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(200, 6)) + 3.0                  # not centred: centring matters
    p = A[:, 2] * 2 + rng.normal(size=200) + 5.0
    r = interpretable.correlations(A, p)
    want = [np.corrcoef(A[:, u], p)[0, 1] for u in range(6)]
    assert np.allclose(r, want, rtol=1e-12, atol=1e-14) and np.argmax(np.abs(r)) == 2
    A[:, 4] = 1.0
    assert interpretable.correlations(A, p)[4] == 0.0             # a constant unit scores 0


def test_aucs_match_sklearn_with_ties():
    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.3
    A = np.column_stack([y + rng.normal(size=300), np.round(rng.normal(size=300), 1),
                         -y.astype(float)])               # ties, and a perfect negative unit
    got = interpretable.aucs(A, y)
    assert np.allclose(got, [roc_auc_score(y, A[:, u]) for u in range(3)], rtol=1e-12)
    assert got[2] == 0.0
    with pytest.raises(ValueError, match="both classes"):
        interpretable.aucs(A, np.zeros(300, bool))


def test_search_finds_the_planted_unit_and_chance():
    rng = np.random.default_rng(2)
    N, U = 1000, 8
    inside = rng.random(N) < 0.4
    depth = rng.integers(0, 4, N).astype(float)
    trained = rng.normal(size=(N, U))
    trained[:, 5] = -inside.astype(float) + 0.3 * rng.normal(size=N)  # low inside
    trained[:, 1] = depth + 0.5 * rng.normal(size=N)
    untrained = rng.normal(size=(N, U))
    props = {"inside": inside.astype(float), "depth": depth}
    res = {s.prop: s for s in interpretable.search(trained, untrained, props)}
    assert res["inside"].unit == 5 and res["inside"].score > 0.9 and res["inside"].r < 0
    assert res["depth"].unit == 1 and res["depth"].score > 0.8
    assert all(0.5 <= s.chance < 0.6 or s.chance < 0.15 for s in res.values())
    assert res["inside"].n_above >= 1
    with pytest.raises(ValueError, match="untrained"):
        interpretable.search(trained, untrained[:, :3], {"depth": depth})


def test_coloured_html():
    html = coloured_html("a<\n", [1.0, -0.5, 0.0])
    assert html.count("<span") == 3 and "&lt;" in html
    assert "rgb(255,0,0)" in html and "rgb(128,128,255)" in html and "rgb(255,255,255)" in html
    assert "\u21b5" in html
    with pytest.raises(ValueError, match="one value per character"):
        coloured_html("abc", [1.0])


def test_interpretable_units():
    rng = np.random.default_rng(3)
    N = 500
    p = rng.integers(0, 3, N).astype(float)
    untrained = rng.normal(size=(N, 6))
    trained = untrained.copy()             # the same scores as the untrained units ...
    trained[:, 2] = p + 0.1 * rng.normal(size=N)   # ... except one that tracks p
    assert interpretable.interpretable(trained, untrained, {"p": p}) == {2}
    r = interpretable.correlations(trained, p)
    assert np.allclose(interpretable.scores(trained, p), np.abs(r))
