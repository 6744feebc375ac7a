"""Figures of measurements: curves against a lag, a step or a setting, stated across seeds
(median line, min-max band), seeds side by side, gate activations over time.

The course states training results across several seeds (median and range, k of n), and
these functions draw them the same way everywhere. Each draws on `ax` (a new figure only
when `ax` is None), returns the axes, never calls `plt.show()` and never changes the
global `rcParams`. Curves are given as dicts label -> values, drawn in the order given,
in the cell colour of `style.CELL_COLORS` when the label is a cell name ("rnn", "LSTM").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from rnncourse.shapes import Shapes
from rnncourse.viz.style import CELL_COLORS, axes


def _color(label: str, i: int) -> str:
    """The cell's colour for a label that is a cell name ("RNN", "lstm"), else C{i}."""
    return CELL_COLORS.get(label.lower(), f"C{i}")


def plot_median_band(x: np.ndarray, runs: np.ndarray, ax: Axes | None = None,
                     label: str | None = None, color: str | None = None, band: bool = True,
                     fmt: str = "-", **line_kw) -> Axes:
    """The median over runs of a curve, with the band between its min and max.

    x: (L,) positions; runs: (N, L) one curve per run (seed, sample), or (L,) for a single
    curve (no band). Extra keywords go to `ax.plot`.
    """
    shp = Shapes("plot_median_band")
    x = shp.check("x", x, "L")
    runs = np.asarray(runs, dtype=float)
    runs = shp.check("runs", runs[None] if runs.ndim == 1 else runs, "N L")
    ax = axes(ax)
    (line,) = ax.plot(x, np.median(runs, axis=0), fmt, color=color, label=label, **line_kw)
    if band and runs.shape[0] > 1:
        ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), color=line.get_color(),
                        alpha=0.15, lw=0)
    return ax


def plot_by_lag(lags: np.ndarray, curves: Mapping[str, np.ndarray], ax: Axes | None = None,
                ylabel: str = r"$\|\partial h_T / \partial h_{T-L}\|_2$",
                xlabel: str = "lag L", title: str | None = None, band: bool = True) -> Axes:
    """Norms (or any positive measurement) against the lag on a log scale, one curve per
    label: values (L,) or (N, L) (median and range over the N runs)."""
    if not curves:
        raise ValueError("plot_by_lag: `curves` is empty; give at least one label -> values.")
    ax = axes(ax, (7.0, 3.4))
    for i, (label, values) in enumerate(curves.items()):
        plot_median_band(lags, values, ax, label=label, color=_color(label, i), band=band,
                         lw=1.5)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="small", loc="lower left")
    return ax


def plot_training_curves(curves: Mapping[str, Sequence[tuple[np.ndarray, np.ndarray]]],
                         ax: Axes | None = None, baselines: Mapping[str, float] | None = None,
                         log: bool = True, xlabel: str = "update",
                         ylabel: str = "held-out loss", title: str | None = None) -> Axes:
    """One thin line per run, a colour per label: curves[label] = [(steps, values), ...]
    (one pair of equal-length arrays per seed). baselines: label -> a horizontal line
    (dashed for the first, dotted after) such as a constant predictor or a solved line."""
    ax = axes(ax, (7.0, 3.0))
    for i, (label, runs) in enumerate(curves.items()):
        for j, (steps, values) in enumerate(runs):
            if np.ndim(values) != 1 or np.shape(steps) != np.shape(values):
                raise ValueError(f"plot_training_curves: a run of {label!r} has steps of shape "
                                 f"{np.shape(steps)} and values of shape {np.shape(values)}; "
                                 "each must be (N,), the same N.")
            ax.plot(steps, values, color=_color(label, i), lw=1, alpha=0.8,
                    label=label if j == 0 else None)
    for k, (label, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, color="gray", ls="--" if k == 0 else ":", lw=1, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="small")
    return ax


def plot_seed_spread(results: Mapping[str, np.ndarray], ax: Axes | None = None,
                     lines: Mapping[str, float] | None = None, log: bool = True,
                     ylabel: str = "held-out MSE / baseline", title: str | None = None) -> Axes:
    """Every seed's result as a dot, one column per variant, a bar at the median.

    results: label -> (S,) one value per seed; lines: label -> a horizontal reference."""
    ax = axes(ax, (8.0, 3.2))
    names = list(results)
    for i, name in enumerate(names):
        values = Shapes("plot_seed_spread").check(name, np.asarray(results[name]), "S")
        ax.scatter(np.full(len(values), i), values, color=f"C{i}", s=28, zorder=3)
        ax.hlines(np.median(values), i - 0.25, i + 0.25, color="k", lw=1.5)
    for k, (label, value) in enumerate((lines or {}).items()):
        ax.axhline(value, color="gray", ls=":" if k == 0 else "--", label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xticks(range(len(names)), [n.replace(" (", "\n(").replace(", ", ",\n", 1)
                                      for n in names], fontsize="small")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize="medium")
    if lines:
        ax.legend(fontsize="small", loc="lower left")
    return ax


def plot_gates(gates: Mapping[str, np.ndarray], axs: Sequence[Axes] | None = None,
               marks: Sequence[int] = (), mark_label: str = "markers"):
    """Heatmaps of gate activations in [0, 1]: gates[title] = (T, H) one row per step;
    red vertical lines at the steps `marks`. Returns the axes (one per gate)."""
    if axs is None:
        _, axs = plt.subplots(1, len(gates), figsize=(5 * len(gates), 3.6), sharey=True,
                                squeeze=False)
        axs = list(axs[0])
    if len(axs) != len(gates):
        raise ValueError(f"plot_gates: {len(gates)} gates but {len(axs)} axes.")
    shp = Shapes("plot_gates")
    for ax, (title, g) in zip(axs, gates.items(), strict=True):
        g = shp.check(title, np.asarray(g), "T H")
        im = ax.imshow(g.T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
        for m in marks:
            ax.axvline(m, color="red", lw=1)
        ax.set_title(f"{title} (red: {mark_label})" if len(marks) else title, fontsize="medium")
        ax.set_xlabel("step t")
    axs[0].set_ylabel("unit")
    axs[0].figure.colorbar(im, ax=list(axs), shrink=0.8)
    return axs
