"""rnncourse.viz.diagrams: every function returns its Axes, draws the expected number of boxes
and arrows for a given T, accepts a given ax, and leaves the global rcParams alone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

from rnncourse.viz import diagrams  # noqa: E402

T = 4


def expected(name: str, T: int) -> tuple[int, int]:
    """(boxes, arrows) that the docstrings promise."""
    return {
        "folded": (3, 3),
        "unrolled": (1 + 3 * T, 3 * T),
        "unrolled-no-output": (1 + 2 * T, 2 * T),
        "hidden-to-hidden": (1 + 5 * T, 5 * T),
        "output-to-hidden": (1 + 5 * T, 5 * T),
        "single-output": (2 * T + 4, 2 * T + 3),
        "many-to-one": (2 + 2 * T, 2 * T + 1),
        "one-to-many": (2 + 2 * T, 2 * T + 1),
        "many-to-many": (1 + 3 * T, 3 * T),
        "encoder-decoder": (1 + 2 * T + 2 * 3, 2 * T + 3 * 3 - 1),  # T_out = 3
    }[name]


def call(name: str, T: int, ax: Axes | None = None) -> Axes:
    if name == "folded":
        return diagrams.draw_folded(ax=ax)
    if name == "unrolled":
        return diagrams.draw_unrolled(T, ax=ax)
    if name == "unrolled-no-output":
        return diagrams.draw_unrolled(T, ax=ax, outputs=False)
    if name in diagrams.PATTERNS:
        return diagrams.draw_pattern(name, T, ax=ax)
    return diagrams.draw_io_graph(name, T, ax=ax, T_out=3 if name == "encoder-decoder" else None)


NAMES = ["folded", "unrolled", "unrolled-no-output", *diagrams.PATTERNS, *diagrams.IO_KINDS]


def counts(ax: Axes) -> tuple[int, int]:
    boxes = sum(isinstance(p, Rectangle) for p in ax.patches)
    arrows = sum(isinstance(p, FancyArrowPatch) for p in ax.patches)
    return boxes, arrows


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize("name", NAMES)
def test_returns_axes_and_makes_one_figure(name):
    n_before = len(plt.get_fignums())
    ax = call(name, T)
    assert isinstance(ax, Axes), f"{name}: must return the Axes it drew on"
    assert len(plt.get_fignums()) == n_before + 1, "ax=None makes exactly one new figure"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("steps", [1, 2, 5])
def test_box_and_arrow_counts(name, steps):
    ax = call(name, steps)
    assert counts(ax) == expected(name, steps), f"{name} with T={steps}: (boxes, arrows)"


@pytest.mark.parametrize("name", NAMES)
def test_draws_on_the_given_axes(name):
    fig, ax = plt.subplots()
    n_figs = len(plt.get_fignums())
    out = call(name, T, ax=ax)
    assert out is ax
    assert len(plt.get_fignums()) == n_figs, "no new figure when ax is given"
    assert counts(ax) == expected(name, T)


@pytest.mark.parametrize("name", NAMES)
def test_rcparams_unchanged(name):
    before = dict(matplotlib.rcParams)
    call(name, T)
    after = dict(matplotlib.rcParams)
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, f"{name} changed rcParams: {changed}"


def test_unknown_kind_and_bad_T_are_explained():
    with pytest.raises(ValueError, match="pattern"):
        diagrams.draw_pattern("jordan", 3)
    with pytest.raises(ValueError, match="kind"):
        diagrams.draw_io_graph("many-to-few", 3)
    with pytest.raises(ValueError, match="positive integer"):
        diagrams.draw_unrolled(0)
    with pytest.raises(ValueError, match="T_out"):
        diagrams.draw_io_graph("encoder-decoder", 3, T_out=0)
