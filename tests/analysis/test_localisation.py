"""analysis.localisation and scratch.reinforce on cases whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.analysis import localisation as loc
from rnncourse.data import scenes
from rnncourse.scratch import reinforce


def test_mass_in_box_by_hand():
    w = np.zeros((6, 6))
    w[1, 2] = 1.0                                      # the cell of rows 8..16, columns 16..24
    assert loc.mass_in_box(w, (16, 8, 24, 16), 8) == 1.0
    assert loc.mass_in_box(w, (20, 8, 24, 16), 8) == 0.5           # half the cell's columns
    assert loc.mass_in_box(w, (8, 16, 16, 24), 8) == 0.0           # x and y swapped: elsewhere
    assert loc.mass_in_box(w, (16, 8, 48, 48), 8) == 1.0
    uniform = np.full((6, 6), 1 / 36)
    for box in [(3, 5, 13, 15), (0, 0, 48, 48), (17, 30, 33, 46)]:
        assert loc.mass_in_box(uniform, box, 8) == pytest.approx(loc.uniform_mass(box, 48))


def test_mass_in_box_errors():
    with pytest.raises(ValueError, match=r"mass_in_box: `box` \(0, 0, 49, 10\) must satisfy"):
        loc.mass_in_box(np.ones((6, 6)) / 36, (0, 0, 49, 10), 8)
    with pytest.raises(ValueError, match="weights"):
        loc.mass_in_box(np.ones(36), (0, 0, 8, 8), 8)


def test_caption_masses_on_maps_that_look_at_the_named_object():
    a = scenes.Obj("square", "red", "large", (8, 8, 24, 24))             # cells (1..2, 1..2)
    b = scenes.Obj("circle", "blue", "small", (32, 32, 42, 42))
    s = scenes.render([a, b], "above")
    owners = s.word_objects()
    w = np.zeros((len(owners), 36))
    for t, owner in enumerate(owners):
        w[t, 7 if owner == 0 else 35 if owner == 1 else 0] = 1.0         # cell (1, 1) or (5, 5)
    masses, chance, kinds = loc.caption_masses([w], [s])
    assert list(kinds) == ["size", "colour", "shape"] * 2
    assert np.allclose(masses[:3], 1.0)
    assert np.allclose(masses[3:], (42 - 40) ** 2 / 64)       # 2 x 2 of the box in cell (5, 5)
    assert np.allclose(chance, [16 * 16 / 48 ** 2] * 3 + [100 / 48 ** 2] * 3)
    short = loc.caption_masses([w[:3]], [s])[0]               # the model stopped after 3 words
    assert len(short) == 2
    # a generated caption with a longer relation ("left of"): its second object's words
    # sit one later, and are matched by the caption's own structure
    said = "a large red square left of a small blue circle"
    w2 = np.vstack([w[:5], np.eye(36)[[0]], w[5:]])              # the extra word looks at cell 0
    m2, _, k2 = loc.caption_masses([w2], [s], texts=[said])
    assert np.allclose(m2, masses) and list(k2) == list(kinds)
    assert len(loc.caption_masses([w], [s], texts=["a red"])[0]) == 0      # not the grammar
    with pytest.raises(ValueError, match="None"):
        loc.caption_masses([None], [s])


def test_exact_gradient_against_finite_differences():
    rng = np.random.default_rng(0)
    s, r = rng.normal(size=7), rng.random(7)

    def expected(x):
        p = np.exp(x - x.max())
        return (p / p.sum()) @ r
    eps = 1e-6
    numeric = [(expected(s + eps * e) - expected(s - eps * e)) / (2 * eps) for e in np.eye(7)]
    g = reinforce.exact_gradient(s, r)
    assert np.linalg.norm(g - numeric) / (np.linalg.norm(g) + np.linalg.norm(numeric)) < 1e-8


def test_reinforce_is_unbiased_and_a_baseline_lowers_its_variance():
    rng = np.random.default_rng(1)
    s, r = rng.normal(size=5), np.array([1.0, 1.0, 0.0, 1.0, 0.5])     # mostly rewarded
    exact = reinforce.exact_gradient(s, r)
    big = reinforce.reinforce_gradient(s, r, 200_000, np.random.default_rng(2))
    assert np.abs(big - exact).max() < 0.005
    p = np.exp(s) / np.exp(s).sum()
    b = float(p @ r)                                                    # E[R]
    plain = [reinforce.reinforce_gradient(s, r, 10, rng) for _ in range(400)]
    based = [reinforce.reinforce_gradient(s, r, 10, rng, baseline=b) for _ in range(400)]
    assert np.var(based, axis=0).sum() < 0.7 * np.var(plain, axis=0).sum()
    with pytest.raises(ValueError, match="`n` must be a positive integer"):
        reinforce.reinforce_gradient(s, r, 0, rng)


def test_estimator_variance_is_the_variance_of_one_sample():
    rng = np.random.default_rng(3)
    s, r = rng.normal(size=6), rng.random(6)
    for b in (0.0, 0.4):
        samples = np.array([reinforce.reinforce_gradient(s, r, 1, rng, baseline=b)
                            for _ in range(10_000)])
        assert np.isclose(samples.var(axis=0).sum(), reinforce.estimator_variance(s, r, b),
                          rtol=0.08)
    p = np.exp(s) / np.exp(s).sum()
    assert reinforce.estimator_variance(s, r, float(p @ r)) < reinforce.estimator_variance(s, r)


def test_best_baseline_minimises_the_variance():
    rng = np.random.default_rng(5)
    for spread in (0.5, 4.0):                                      # p spread out, p peaked
        s, r = rng.normal(size=8) * spread, rng.random(8)
        b = reinforce.best_baseline(s, r)
        grid = np.linspace(-1, 2, 301)
        variances = [reinforce.estimator_variance(s, r, x) for x in grid]
        assert abs(grid[int(np.argmin(variances))] - b) < 0.011
        assert reinforce.estimator_variance(s, r, b) <= min(variances) + 1e-12


def test_reinforce_returns_the_sampled_rewards_on_request():
    s, r = np.zeros(4), np.array([1.0, 0.0, 0.0, 0.0])
    g1 = reinforce.reinforce_gradient(s, r, 50, np.random.default_rng(0))
    g2, mean_r = reinforce.reinforce_gradient(s, r, 50, np.random.default_rng(0),
                                              return_rewards=True)
    assert np.array_equal(g1, g2) and 0 < mean_r < 1


def test_wrong_word_masses_reads_the_wrong_word_of_the_generated_caption():
    a = scenes.Obj("square", "red", "large", (8, 8, 24, 24))
    b = scenes.Obj("circle", "blue", "small", (32, 32, 40, 40))             # cell (4, 4)
    s = scenes.render([a, b], "above")
    said = "a large red square left of a small green circle"             # relation and colour
    w = np.zeros((11, 36))
    w[8, 28] = 1.0                                 # the word 'green' looks at cell (4, 4)
    assert list(loc.wrong_word_masses([said], [w], [s])) == [1.0]
