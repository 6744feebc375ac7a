"""Figures for the chapters: series, forecasts, HMM posteriors, windows, task diagrams.

Every function draws on `ax` (a new figure is made only when `ax` is None), returns the
axes, never calls `plt.show()` and never changes the global `rcParams`. Arrays follow
`book/notation`: a single series is (T,), HMM posteriors are (T, K).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.ticker import MaxNLocator

from rnncourse.viz.style import HIDDEN_COLOR, INPUT_COLOR, OUTPUT_COLOR, axes


def plot_series(x: np.ndarray, ax: Axes | None = None, t: np.ndarray | None = None,
                label: str | None = None, **line_kw) -> Axes:
    """Line plot of one series.

    x: (T,) values; t: (T,) time stamps (default 0..T-1). Extra keywords go to `ax.plot`.
    """
    ax = axes(ax)
    x = np.asarray(x)
    t = np.arange(len(x)) if t is None else np.asarray(t)
    ax.plot(t, x, label=label, **{"lw": 1.0, **line_kw})
    ax.set_xlabel("t")
    if label is not None:
        ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_forecast(history: np.ndarray, forecast: np.ndarray, truth: np.ndarray | None = None,
                  band: np.ndarray | None = None, ax: Axes | None = None) -> Axes:
    """The end of a series, a forecast that continues it, and optionally what happened.

    history: (T,) observed values, drawn at t = 0..T-1.
    forecast: (S,) predictions for t = T..T+S-1 (S = number of steps ahead).
    truth: (S,) the values that were actually observed there.
    band: (S,) half-width of a shaded band around the forecast (e.g. 2 standard errors).
    """
    ax = axes(ax)
    history, forecast = np.asarray(history), np.asarray(forecast)
    T, S = len(history), len(forecast)
    th, tf = np.arange(T), np.arange(T, T + S)
    ax.plot(th, history, color="k", lw=1.0, label="history")
    if truth is not None:
        ax.plot(tf, np.asarray(truth), color="0.55", lw=1.0, label="what happened")
    # Join the forecast to the last observed value so the two lines meet.
    ax.plot(np.r_[T - 1, tf], np.r_[history[-1], forecast], color="C3", lw=1.6,
            label="forecast")
    if band is not None:
        band = np.asarray(band)
        ax.fill_between(tf, forecast - band, forecast + band, color="C3", alpha=0.2,
                        lw=0, label="±band")
    ax.axvline(T - 0.5, color="0.7", ls=":", lw=1.0)
    ax.set_xlabel("t")
    ax.legend(loc="upper left", fontsize="small", ncol=4)
    return ax


def plot_acf(acf: np.ndarray, ax: Axes | None = None, reference: np.ndarray | None = None,
             bound: float | None = None) -> Axes:
    """Stem plot of an autocorrelation (or autocovariance) function.

    acf: (L+1,) values at lags 0..L. reference: (L+1,) a second curve (e.g. the true
    one) drawn as a line with markers. bound: draw ±bound as dashed lines (e.g. the
    2/sqrt(T) band within which a white-noise ACF stays).
    """
    ax = axes(ax, (5.0, 2.8))
    acf = np.asarray(acf)
    lags = np.arange(len(acf))
    ax.vlines(lags, 0.0, acf, color="C0", lw=2.0, label="estimated")
    ax.axhline(0.0, color="k", lw=0.8)
    if reference is not None:
        ax.plot(lags, np.asarray(reference), "o--", color="C1", ms=4, lw=1.0,
                label="true")
    if bound is not None:
        for s in (-1, 1):
            ax.axhline(s * bound, color="0.5", ls="--", lw=0.8)
    ax.set_xlabel("lag $\\ell$")
    if reference is not None:
        ax.legend(loc="upper right", fontsize="small")
    return ax


def _stretches(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in mask: (T,)."""
    padded = np.r_[False, np.asarray(mask, dtype=bool), False]
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def plot_state_posterior(posterior: np.ndarray, states: np.ndarray | None = None,
                         state: int = 1, ax: Axes | None = None,
                         label: str = "P(loaded | all rolls)",
                         true_label: str = "truly loaded") -> Axes:
    """Posterior probability of one hidden state over time, true stretches shaded.

    posterior: (T, K) with rows P(z_t = k | x_1:T), or (T,) the column already chosen.
    states: (T,) true hidden states; every run where states == `state` is shaded.
    label, true_label: legend entries of the curve and of the shaded stretches.
    """
    ax = axes(ax, (9.0, 2.6))
    post = np.asarray(posterior)
    prob = post[:, state] if post.ndim == 2 else post
    if states is not None:
        for i, (a, b) in enumerate(_stretches(np.asarray(states) == state)):
            ax.axvspan(a - 0.5, b - 0.5, color="0.85", lw=0,
                       label=true_label if i == 0 else None)
    ax.plot(np.arange(len(prob)), prob, color="C3", lw=1.2, label=label)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(-0.5, len(prob) - 0.5)
    ax.set_xlabel("t")
    ax.legend(loc="upper right", fontsize="small", ncol=2, framealpha=0.9)
    return ax


def plot_decoded_path(states: np.ndarray, decoded: np.ndarray, ax: Axes | None = None,
                      names: Sequence[str] = ("fair", "loaded"),
                      row_labels: Sequence[str] = ("true", "decoded")) -> Axes:
    """Two strips, true and decoded states, plus a third marking where they differ.

    states, decoded: (T,) integer states in 0..K-1 (K = len(names)).
    """
    ax = axes(ax, (9.0, 1.8))
    states, decoded = np.asarray(states), np.asarray(decoded)
    K = len(names)
    cmap = plt.get_cmap("Pastel1", K) if K > 2 else None
    colors = ["#dddddd", "#d62728"] if cmap is None else [cmap(k) for k in range(K)]
    rgb = np.array([to_rgb(c) for c in colors])   # (K, 3)
    wrong = np.where((states != decoded)[:, None], [[0.1, 0.1, 0.1]], [[1.0, 1.0, 1.0]])
    img = np.stack([rgb[states], rgb[decoded], wrong])                 # (3, T, 3)
    ax.imshow(img, aspect="auto", interpolation="nearest",
              extent=(-0.5, len(states) - 0.5, 2.5, -0.5))
    ax.set_yticks([0, 1, 2], [*row_labels, "error"])
    ax.set_xlabel("t")
    for k, name in enumerate(names):
        ax.add_patch(Rectangle((0, 0), 0, 0, color=colors[k], label=name))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def plot_loglik(history: np.ndarray, ax: Axes | None = None,
                reference: float | None = None, label: str = "Baum-Welch") -> Axes:
    """Log-likelihood per EM iteration, optionally against a reference level.

    history: (n+1,) log P(x) after 0..n updates. reference: e.g. log P(x) under the
    true model, drawn as a dashed line.
    """
    ax = axes(ax, (5.0, 2.8))
    ax.plot(np.arange(len(history)), history, color="C0", lw=1.5, label=label)
    if reference is not None:
        ax.axhline(reference, color="k", ls="--", lw=1.0, label="true model")
    ax.set_xlabel("EM iteration")
    ax.set_ylabel("log-likelihood")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_window_accuracy(widths: np.ndarray, accuracy: np.ndarray, lag: int,
                         ax: Axes | None = None, chance: float = 0.5) -> Axes:
    """Accuracy of a window model against its width k, with the width that sees the lag.

    widths: (N,) window widths k; accuracy: (N,) test accuracy for each; lag: the delay
    of the task, so k = lag + 1 is the first window that contains the target.
    """
    ax = axes(ax, (5.0, 2.8))
    ax.plot(widths, accuracy, "o-", color="C0", lw=1.5, label="window model")
    ax.axhline(chance, color="0.5", ls="--", lw=1.0, label="chance")
    ax.axvline(lag + 1, color="C3", ls=":", lw=1.2, label=f"k = lag + 1 = {lag + 1}")
    ax.set_xlabel("window width k")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0.4, 1.05)
    ax.legend(loc="center right", fontsize="small")
    return ax


def plot_receptive_field(kernel_sizes: Sequence[int], dilations: Sequence[int] | None = None,
                         ax: Axes | None = None, T: int | None = None) -> Axes:
    """A stack of causal 1D convolutions, with the inputs one output sees highlighted.

    kernel_sizes, dilations: one entry per layer (dilations default to 1). Rows are the
    input (bottom) and each layer's output; the last output's cone of dependence is
    drawn in colour, so the highlighted inputs number exactly the receptive field.
    T: number of time steps drawn (default: the receptive field plus 3).
    """
    ks = list(kernel_sizes)
    ds = [1] * len(ks) if dilations is None else list(dilations)
    rf = 1 + sum((k - 1) * d for k, d in zip(ks, ds, strict=True))
    T = rf + 3 if T is None else T
    ax = axes(ax, (0.35 * T + 1.0, 0.6 * len(ks) + 1.0))
    L = len(ks)
    active = [set() for _ in range(L + 1)]
    active[L] = {T - 1}
    for layer in range(L, 0, -1):          # layer l reads layer l-1 at t - j d, j < k
        k, d = ks[layer - 1], ds[layer - 1]
        for t in active[layer]:
            for j in range(k):
                if t - j * d >= 0:
                    active[layer - 1].add(t - j * d)
                    ax.plot([t - j * d, t], [layer - 1, layer], color="C3", lw=1.0,
                            zorder=1)
    for layer in range(L + 1):
        on = np.array([t in active[layer] for t in range(T)])
        ax.scatter(np.arange(T)[~on], np.full((~on).sum(), layer), s=30, color="0.8",
                   zorder=2)
        ax.scatter(np.arange(T)[on], np.full(on.sum(), layer), s=45, color="C3", zorder=3)
    ax.set_yticks(range(L + 1), ["input"] + [f"layer {i + 1} (k={k}, d={d})"
                                             for i, (k, d) in enumerate(zip(ks, ds,
                                                                            strict=True))])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("t")
    ax.set_title(f"receptive field = {rf}", fontsize="medium")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax


# --- the task taxonomy -------------------------------------------------------------

_TASKS = {
    # name: (time steps with an input, time steps with an output)
    "one-to-one": ([0], [0]),
    "one-to-many": ([0], [0, 1, 2]),
    "many-to-one": ([0, 1, 2], [2]),
    "many-to-many\n(unaligned)": ([0, 1, 2], [3, 4]),
    "many-to-many\n(aligned)": ([0, 1, 2], [0, 1, 2]),
}


def _box(ax: Axes, x: float, y: float, color: str, size: float = 0.6) -> None:
    ax.add_patch(Rectangle((x - size / 2, y - size / 2), size, size, facecolor=color,
                           edgecolor="k", lw=0.8))


def _arrow(ax: Axes, xy0: tuple[float, float], xy1: tuple[float, float]) -> None:
    ax.add_patch(FancyArrowPatch(xy0, xy1, arrowstyle="-|>", mutation_scale=8, lw=0.8,
                                 color="k", shrinkA=0, shrinkB=0))


def plot_task_taxonomy(ax: Axes | None = None,
                       examples: Sequence[str] | None = None) -> Axes:
    """The five shapes of a sequence task as boxes and arrows, one column each.

    Red boxes are inputs (bottom), green boxes a state carried through time (middle),
    blue boxes outputs (top); arrows show what depends on what. `examples`: one caption
    per column, written under it. Draws 5 columns: one-to-one, one-to-many,
    many-to-one, many-to-many unaligned and aligned.
    """
    ax = axes(ax, (11.0, 3.4))
    x0 = 0.0
    for i, (name, (ins, outs)) in enumerate(_TASKS.items()):
        steps = sorted(set(ins) | set(outs))
        for s in steps:
            _box(ax, x0 + s, 1.0, HIDDEN_COLOR)
        for a, b in zip(steps[:-1], steps[1:], strict=True):
            _arrow(ax, (x0 + a + 0.3, 1.0), (x0 + b - 0.3, 1.0))
        for s in ins:
            _box(ax, x0 + s, 0.0, INPUT_COLOR)
            _arrow(ax, (x0 + s, 0.3), (x0 + s, 0.7))
        for s in outs:
            _box(ax, x0 + s, 2.0, OUTPUT_COLOR)
            _arrow(ax, (x0 + s, 1.3), (x0 + s, 1.7))
        centre = x0 + (steps[0] + steps[-1]) / 2
        ax.text(centre, 2.65, name, ha="center", va="bottom", fontsize="medium")
        if examples is not None:
            ax.text(centre, -0.65, examples[i], ha="center", va="top", fontsize="small",
                    style="italic")
        x0 += steps[-1] + 2.0
    ax.set_xlim(-0.8, x0 - 1.2)
    ax.set_ylim(-1.5 if examples is not None else -0.6, 3.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
