"""analysis.alignment and viz.attention: the attention-peak metric on hand-built maps
whose answers are known, and the heatmap draws what it is given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from rnncourse.analysis import alignment  # noqa: E402
from rnncourse.data import dates  # noqa: E402
from rnncourse.viz import attention as viz_attention  # noqa: E402


def _one_hot_rows(peaks, S, rng):
    """(U, S) weights with a clear peak at peaks[t] and small random mass elsewhere."""
    w = rng.random((len(peaks), S)) * 0.1
    w[np.arange(len(peaks)), peaks] = 1.0
    return w / w.sum(axis=1, keepdims=True)


def test_peaks_counted_against_known_spans():
    rng = np.random.default_rng(0)
    spans = [(0, 1), None, (2, 5), (6, 7)]          # output 1 comes from nowhere
    w = _one_hot_rows([0, 3, 4, 5], 8, rng)          # hit, skipped, hit, one to the left
    score = alignment.peak_alignment([w], [spans])
    assert (score.hits, score.near, score.n) == (2, 3, 3)
    assert np.isclose(score.accuracy, 2 / 3) and np.isclose(score.near_accuracy, 1.0)
    assert np.isclose(score.chance, (1 / 8 + 3 / 8 + 1 / 8) / 3)


def test_reversal_diagonal_scores_one_and_shifted_scores_zero():
    rng = np.random.default_rng(1)
    L = 9
    spans = alignment.reversal_spans(L)
    assert spans[0] == (L - 1, L) and spans[-1] == (0, 1)
    right = _one_hot_rows([L - 1 - t for t in range(L)], L, rng)
    shifted = _one_hot_rows([(L - t) % L for t in range(L)], L, rng)   # one position off
    assert alignment.peak_alignment([right], [spans]).accuracy == 1.0
    off = alignment.peak_alignment([shifted], [spans])
    assert off.accuracy == 0.0 and off.near == L - 1       # all near except the wrap-around
    uniform = alignment.peak_alignment([np.full((L, L), 1 / L)], [spans])
    assert np.isclose(uniform.chance, 1 / L)


def test_outputs_beyond_what_was_emitted_or_the_target_are_not_scored():
    rng = np.random.default_rng(2)
    w = _one_hot_rows([1, 1], 4, rng)                      # the model stopped after 2
    score = alignment.peak_alignment([w], [[(1, 2), (1, 2), (3, 4), (0, 1)]])
    assert score.n == 2 and score.hits == 2
    long = _one_hot_rows([1, 1, 1, 1], 4, rng)             # it went on past the target
    assert alignment.peak_alignment([long], [[(1, 2)]]).n == 1


def test_dates_alignment_with_the_true_map_scores_one():
    """A map that puts all weight on the first character of each true span hits every
    scored output of real date examples."""
    for ex in dates.sample(30, 3):
        spans = ex.alignment()
        w = np.zeros((len(spans), len(ex.source)))
        for t, span in enumerate(spans):
            w[t, span[0] if span else 0] = 1.0
        score = alignment.peak_alignment([w], [spans])
        assert score.accuracy == 1.0 and score.n == 8          # 8 digits, 2 dashes


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="peak_alignment: 1 weight maps for 2 examples"):
        alignment.peak_alignment([np.ones((1, 2))], [[None], [None]])
    with pytest.raises(ValueError, match=r"spans\[0\]\[0\] = \(1, 5\) does not lie"):
        alignment.peak_alignment([np.ones((1, 3)) / 3], [[(1, 5)]])
    with pytest.raises(ValueError, match=r"weights\[0\]"):
        alignment.peak_alignment([np.ones(3)], [[None]])
    with pytest.raises(ValueError, match=r"`weights\[0\]` is None: a model without attention"):
        alignment.peak_alignment([None], [[None]])


def test_attention_map_draws_weights_labels_and_spans():
    before = dict(matplotlib.rcParams)
    w = np.array([[0.9, 0.1, 0.0], [0.2, 0.2, 0.6]])
    fig, ax = plt.subplots()
    out = viz_attention.attention_map(w, "a b", "xy", ax=ax, spans=[(0, 1), None],
                                      title="t")
    assert out is ax
    np.testing.assert_array_equal(ax.images[0].get_array(), w)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "\u2423", "b"]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(boxes) == 1 and boxes[0].get_xy() == (-0.5, -0.5)
    assert dict(matplotlib.rcParams) == before
    with pytest.raises(ValueError, match="attention_map: `weights` is"):
        viz_attention.attention_map(w, "ab", "xy")
    plt.close("all")
    assert isinstance(viz_attention.attention_map(w, "abc", "xy"), matplotlib.axes.Axes)
    plt.close("all")


def test_attention_over_image_lights_the_attended_cell():
    image = np.ones((3, 48, 48))
    w = np.zeros((6, 6))
    w[2, 4] = 1.0
    fig, ax = plt.subplots()
    out = viz_attention.attention_over_image(image, w, ax=ax, box=(32, 16, 40, 24), title="x")
    shown = ax.images[0].get_array()
    assert out is ax and shown.shape == (48, 48, 3)
    assert np.allclose(shown[16:24, 32:40], 1.0) and np.allclose(shown[0:8, 0:8], 0.25)
    assert [p.get_xy() for p in ax.patches if isinstance(p, Rectangle)] == [(31.5, 15.5)]
    with pytest.raises(ValueError, match="multiple of the grid side"):
        viz_attention.attention_over_image(np.ones((3, 50, 50)), w)
    plt.close("all")
