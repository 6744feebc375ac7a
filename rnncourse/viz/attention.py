"""Attention drawn as a heatmap: one row per output token, one column per source token
(Chapter 7), with the true alignment outlined where it is known.

    attention_map(weights, source, output, ax=ax, spans=spans)

weights: (U, S), row t the weights the model used to emit output t. Darker is more
weight; each row sums to one. `spans`, if given, outlines for each output the source
positions it really comes from (None: no box), so a reader sees at once whether the
peaks sit inside the boxes.

    attention_over_image(image, weights, ax=ax, box=box, title="red")

draws one word's weights over an image (Chapter 8): weights (G, G) over the encoder's grid,
each cell stretched over the pixels it covers and shown as light over a dimmed image, the
named object's true box outlined.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from rnncourse.shapes import Shapes
from rnncourse.viz.style import axes


def _labels(tokens: Sequence[str] | str) -> list[str]:
    return ["\u2423" if t == " " else t for t in tokens]


def attention_map(weights: np.ndarray, source: Sequence[str] | str,
                  output: Sequence[str] | str, ax: Axes | None = None,
                  spans: Sequence[tuple[int, int] | None] | None = None,
                  cmap: str = "Greys", title: str | None = None) -> Axes:
    """Heatmap of weights (U, S): source tokens along x, output tokens along y (spaces
    drawn as a visible blank), true spans outlined in red. Returns the axes."""
    shp = Shapes("attention_map")
    w = shp.check("weights", weights, "U S")
    if len(source) != w.shape[1] or len(output) != w.shape[0]:
        raise ValueError(f"attention_map: `weights` is {w.shape} = (U, S) but there are "
                         f"{len(output)} output and {len(source)} source tokens.")
    ax = axes(ax, figsize=(0.22 * w.shape[1] + 1.5, 0.22 * w.shape[0] + 1.2))
    ax.imshow(w, cmap=cmap, vmin=0.0, vmax=1.0, aspect="equal", interpolation="nearest")
    ax.set_xticks(range(w.shape[1]), _labels(source), fontsize=8, family="monospace")
    ax.set_yticks(range(w.shape[0]), _labels(output), fontsize=8, family="monospace")
    ax.tick_params(length=0)
    for t, span in enumerate(spans or []):
        if span is not None and t < w.shape[0]:
            start, stop = span
            ax.add_patch(Rectangle((start - 0.5, t - 0.5), stop - start, 1.0, fill=False,
                                   edgecolor="tab:red", linewidth=1.0))
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def attention_over_image(image: np.ndarray, weights: np.ndarray, ax: Axes | None = None,
                         box=None, title: str | None = None) -> Axes:
    """image (3, S, S) in [0, 1]; weights (G, G), S a multiple of G; box (x0, y0, x1, y1)
    in pixels, x1 and y1 exclusive, outlined if given. Brighter is more weight (scaled to
    the map's maximum). Returns the axes."""
    shp = Shapes("attention_over_image")
    img = shp.check("image", image, "3 S S")
    w = shp.check("weights", weights, "G G")
    S, G = img.shape[1], w.shape[0]
    if S % G:
        raise ValueError(f"attention_over_image: the image side S={S} must be a multiple of "
                         f"the grid side G={G}.")
    ax = axes(ax, figsize=(2.2, 2.2))
    light = np.kron(w / max(float(w.max()), 1e-12), np.ones((S // G, S // G)))   # (S, S)
    shown = img.transpose(1, 2, 0) * (0.25 + 0.75 * light[..., None])
    ax.imshow(np.clip(shown, 0, 1), interpolation="nearest")
    if box is not None:
        x0, y0, x1, y1 = box
        ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False,
                               edgecolor="tab:red", linewidth=1.2))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax
