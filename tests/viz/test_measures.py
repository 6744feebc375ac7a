"""rnncourse.viz.measures: median and range across runs drawn as the numbers say, every
function returns its axes, draws on a given one, and rejects misshapen input clearly."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from rnncourse.viz import measures  # noqa: E402

RUNS = np.array([[1.0, 2.0, 4.0], [3.0, 1.0, 8.0], [2.0, 5.0, 6.0]])  # (N=3, L=3)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_median_band_draws_the_median_and_the_min_max_band():
    ax = measures.plot_median_band(np.arange(3), RUNS, label="x")
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_ydata(), [2.0, 2.0, 6.0])
    (band,) = ax.collections
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == 1.0 and ys.max() == 8.0
    single = measures.plot_median_band(np.arange(3), RUNS[0])
    assert not single.collections  # one run: no band


def test_by_lag_is_log_scale_one_curve_per_label_in_cell_colours():
    fig, ax = plt.subplots()
    out = measures.plot_by_lag(np.arange(3), {"RNN": RUNS, "LSTM": RUNS[0] + 1,
                                              "tanh, uniform": RUNS}, ax)
    assert out is ax and ax.get_yscale() == "log" and len(ax.get_lines()) == 3
    assert [ln.get_color() for ln in ax.get_lines()][:2] == ["C0", "C1"]
    assert len(ax.get_legend().get_texts()) == 3
    with pytest.raises(ValueError, match="plot_by_lag: `curves` is empty"):
        measures.plot_by_lag(np.arange(3), {})
    with pytest.raises(ValueError, match=r"plot_median_band: `runs` .*L=3 comes from `x`"):
        measures.plot_by_lag(np.arange(3), {"a": np.ones((2, 4))})


def test_training_curves_one_line_per_run_and_baselines():
    curves = {"lstm": [(np.arange(4), np.ones(4)), (np.arange(4), 2 * np.ones(4))],
              "rnn": [(np.arange(3), np.ones(3))]}
    ax = measures.plot_training_curves(curves, baselines={"constant": 1 / 6, "solved": 1 / 60})
    assert isinstance(ax, Axes) and len(ax.get_lines()) == 3 + 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["lstm", "rnn", "constant", "solved"]  # one legend entry per cell
    with pytest.raises(ValueError, match="a run of 'rnn' has steps of shape"):
        measures.plot_training_curves({"rnn": [(np.arange(3), np.ones(4))]})


def test_seed_spread_dots_and_median_bars():
    ax = measures.plot_seed_spread({"a": [1.0, 2.0, 9.0], "b (x, y)": [0.1, 0.2]},
                                   lines={"solved": 0.1})
    assert [len(c.get_offsets()) for c in ax.collections[::2]] == [3, 2]
    bars = ax.collections[1::2]
    assert [b.get_segments()[0][0][1] for b in bars] == [2.0, 0.15000000000000002]
    assert ax.get_yscale() == "log"


def test_gates_heatmaps_in_zero_one_with_marks():
    g = np.random.default_rng(0).random((20, 4))
    axs = measures.plot_gates({"i": g, "f": 1 - g}, marks=[3, 7])
    assert len(axs) == 2
    for ax in axs:
        (im,) = ax.images
        assert im.get_array().shape == (4, 20) and im.get_clim() == (0, 1)
        assert len(ax.get_lines()) == 2
    with pytest.raises(ValueError, match="plot_gates: 2 gates but 1 axes"):
        measures.plot_gates({"i": g, "f": g}, axs=[plt.subplots()[1]])
    with pytest.raises(ValueError, match=r"plot_gates: `f` .*H=4 comes from `i`"):
        measures.plot_gates({"i": g, "f": np.ones((20, 5))})
