"""rnncourse.viz.plotting: every function returns its Axes, draws what it should, accepts a
given ax, and leaves the global rcParams alone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

from rnncourse.viz import plotting  # noqa: E402

RNG = np.random.default_rng(0)
T, K = 40, 2
STATES = np.r_[np.zeros(10), np.ones(5), np.zeros(10), np.ones(15)].astype(int)  # 2 runs
POST = np.stack([1 - STATES * 0.8, STATES * 0.8 + 0.0], axis=1) + 0.1  # (T, K)
POST /= POST.sum(axis=1, keepdims=True)
DECODED = STATES.copy()
DECODED[:3] = 1

# name -> (function, positional arguments, keyword arguments)
CALLS = {
    "series": (plotting.plot_series, (RNG.standard_normal(T),), {}),
    "forecast": (plotting.plot_forecast, (np.arange(20.0), np.ones(5)),
                 {"truth": np.zeros(5), "band": np.full(5, 0.5)}),
    "acf": (plotting.plot_acf, (0.5 ** np.arange(8),),
            {"reference": 0.5 ** np.arange(8), "bound": 0.1}),
    "posterior": (plotting.plot_state_posterior, (POST, STATES), {}),
    "decoded": (plotting.plot_decoded_path, (STATES, DECODED), {}),
    "loglik": (plotting.plot_loglik, (np.linspace(-10, -5, 7),), {"reference": -4.0}),
    "window": (plotting.plot_window_accuracy, (np.arange(1, 9), np.r_[[0.5] * 5, [1.0] * 3], 5),
               {}),
    "receptive": (plotting.plot_receptive_field, ([2, 2, 2], [1, 2, 4]), {}),
    "taxonomy": (plotting.plot_task_taxonomy, (), {"examples": list("abcde")}),
}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize("name", CALLS)
def test_returns_axes_and_makes_a_figure(name):
    func, args, kw = CALLS[name]
    n_before = len(plt.get_fignums())
    ax = func(*args, **kw)
    assert isinstance(ax, Axes), f"{func.__name__} must return the Axes it drew on"
    assert len(plt.get_fignums()) == n_before + 1, "ax=None makes exactly one new figure"


@pytest.mark.parametrize("name", CALLS)
def test_draws_on_the_given_axes(name):
    func, args, kw = CALLS[name]
    fig, ax = plt.subplots()
    n_figs = len(plt.get_fignums())
    assert func(*args, ax=ax, **kw) is ax
    assert len(plt.get_fignums()) == n_figs, f"{func.__name__} made a figure despite ax="
    assert ax.lines or ax.patches or ax.collections or ax.images


@pytest.mark.parametrize("name", CALLS)
def test_leaves_rcparams_unchanged(name):
    func, args, kw = CALLS[name]
    before = dict(plt.rcParams)
    func(*args, **kw)
    after = dict(plt.rcParams)
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, f"{func.__name__} changed rcParams {changed}"


def test_series_draws_one_line_of_the_data():
    x = RNG.standard_normal(T)
    ax = plotting.plot_series(x)
    assert len(ax.lines) == 1
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), x)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(T))


def test_forecast_places_the_forecast_after_the_history():
    ax = plotting.plot_forecast(np.arange(20.0), np.ones(5), truth=np.zeros(5),
                                band=np.full(5, 0.5))
    lines = {ln.get_label(): ln for ln in ax.lines}
    assert {"history", "what happened", "forecast"} <= set(lines)
    np.testing.assert_array_equal(lines["what happened"].get_xdata(), np.arange(20, 25))
    # The forecast line starts at the last observed point, then covers t = 20..24.
    np.testing.assert_array_equal(lines["forecast"].get_xdata(), np.arange(19, 25))
    assert any(isinstance(c, PolyCollection) for c in ax.collections), "band not drawn"
    ax2 = plotting.plot_forecast(np.arange(20.0), np.ones(5))
    labels = [ln.get_label() for ln in ax2.lines if not ln.get_label().startswith("_")]
    assert not ax2.collections and labels == ["history", "forecast"]


def test_acf_draws_one_stem_per_lag():
    ax = plotting.plot_acf(0.5 ** np.arange(8), reference=0.5 ** np.arange(8))
    stems = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(stems) == 1 and len(stems[0].get_segments()) == 8
    assert any(ln.get_label() == "true" for ln in ax.lines)


def test_posterior_shades_each_true_run():
    ax = plotting.plot_state_posterior(POST, STATES, state=1)
    assert len(ax.patches) == 2, "one shaded span per run of the chosen state"
    curve = [ln for ln in ax.lines if len(ln.get_ydata()) == T]
    np.testing.assert_allclose(curve[0].get_ydata(), POST[:, 1])
    ax0 = plotting.plot_state_posterior(POST, STATES, state=0)
    assert len(ax0.patches) == 2   # runs of state 0: [0, 10) and [15, 25)


def test_stretches_finds_runs():
    assert plotting._stretches(np.array([1, 1, 0, 1, 0, 0, 1], bool)) == [(0, 2), (3, 4),
                                                                          (6, 7)]


def test_decoded_path_shows_true_decoded_and_errors():
    ax = plotting.plot_decoded_path(STATES, DECODED)
    img = ax.images[0].get_array()
    assert img.shape == (3, T, 3)
    errors = img[2, :, 0] < 0.5        # dark pixels in the error row
    np.testing.assert_array_equal(errors, STATES != DECODED)


def test_window_accuracy_marks_lag_plus_one():
    ax = plotting.plot_window_accuracy(np.arange(1, 9), np.r_[[0.5] * 5, [1.0] * 3], 5)
    vertical = [ln for ln in ax.lines if ln.get_label().startswith("k = lag + 1")]
    assert vertical and vertical[0].get_xdata()[0] == 6


@pytest.mark.parametrize("ks, ds, rf", [([3, 3], None, 5), ([2, 2, 2, 2], [1, 2, 4, 8], 16)])
def test_receptive_field_highlights_exactly_the_receptive_field(ks, ds, rf):
    ax = plotting.plot_receptive_field(ks, ds)
    inputs_on = [c for c in ax.collections if np.allclose(c.get_offsets()[:, 1], 0)
                 and len(c.get_offsets()) and c.get_sizes()[0] == 45]
    assert len(inputs_on) == 1 and len(inputs_on[0].get_offsets()) == rf
    assert f"= {rf}" in ax.get_title()


def test_taxonomy_draws_five_diagrams():
    ax = plotting.plot_task_taxonomy(examples=list("abcde"))
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    # boxes: hidden + inputs + outputs per column = 3 + 7 + 7 + 10 + 9
    assert len(boxes) == 36
    # arrows: (steps - 1) horizontal + one per input + one per output = 2 + 6 + 6 + 9 + 8
    assert len(arrows) == 31
    titles = {t.get_text() for t in ax.texts}
    assert {"one-to-one", "one-to-many", "many-to-one"} <= titles
    assert {"a", "e"} <= titles
