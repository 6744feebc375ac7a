"""Computation graphs of recurrent networks, drawn with matplotlib boxes and arrows.

Every node is a `Rectangle` with its symbol inside and every edge a `FancyArrowPatch`,
so a test can count them. Rows, from the bottom: inputs x_t (red), states h_t (green),
outputs o_t or y_t (blue), and in Goodfellow's patterns the loss L_t (yellow) with its
target y_t (grey) above it. An arrow labelled with a weight ($W_x$, $W_h$, $W_y$) means
"multiply by this matrix"; the same label at every step is the same matrix.

Every function draws on `ax` (a new figure is made only when `ax` is None), returns the
axes, never calls `plt.show()` and never changes the global `rcParams`. The number of
boxes and arrows each function draws for a given T is in its docstring.
Chapter 2 (`book/02-vanilla-rnn`).
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.path import Path

from rnncourse.viz.style import (
    HIDDEN_COLOR,
    INPUT_COLOR,
    LOSS_COLOR,
    OUTPUT_COLOR,
    TARGET_COLOR,
    axes,
)

BOX = 0.72   # side of a node
DX = 1.6     # horizontal distance between time steps

PATTERNS = ("hidden-to-hidden", "output-to-hidden", "single-output")
IO_KINDS = ("many-to-one", "one-to-many", "many-to-many", "encoder-decoder")


def _step_column(ax: Axes, t: int) -> float:
    """Boxes x_t and h_t of step t with the arrow W_x between them; returns their x."""
    c = DX * t
    _node(ax, c, 0, f"$x_{{{t}}}$", INPUT_COLOR)
    _node(ax, c, 1.5, f"$h_{{{t}}}$", HIDDEN_COLOR)
    _edge(ax, (c, 0), (c, 1.5), "$W_x$")
    return c


def _check_T(func: str, name: str, T: int) -> None:
    if not isinstance(T, int) or T < 1:
        raise ValueError(f"{func}: `{name}` must be a positive integer number of steps, "
                         f"got {T!r}.")


def _node(ax: Axes, x: float, y: float, label: str, color: str) -> None:
    ax.add_patch(Rectangle((x - BOX / 2, y - BOX / 2), BOX, BOX, facecolor=color,
                           edgecolor="k", lw=0.9))
    ax.text(x, y, label, ha="center", va="center", fontsize="medium")


def _edge(ax: Axes, p0: tuple[float, float], p1: tuple[float, float], label: str = "",
          dashed: bool = False, label_side: str = "left", label_at: float = 0.5) -> None:
    """Arrow from the border of the box centred at p0 to the border of the one at p1.

    The label sits beside the point `label_at` of the way from p0 to p1: above a
    horizontal arrow ("below" puts it underneath), else to the `label_side`.
    """
    (x0, y0), (x1, y1) = p0, p1
    step = (BOX / 2) / max(abs(x1 - x0), abs(y1 - y0))   # fraction of the way to a border
    start = (x0 + step * (x1 - x0), y0 + step * (y1 - y0))
    end = (x1 - step * (x1 - x0), y1 - step * (y1 - y0))
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, lw=0.9,
                                 color="k", shrinkA=0, shrinkB=0,
                                 linestyle="--" if dashed else "-"))
    if label:
        mx, my = x0 + label_at * (x1 - x0), y0 + label_at * (y1 - y0)
        if y0 == y1:                             # horizontal: label above or below
            below = label_side == "below"
            ax.text(mx, my - 0.08 if below else my + 0.08, label, ha="center",
                    va="top" if below else "bottom", fontsize="small", color="0.25")
        else:                                    # vertical or diagonal: label beside
            dx = -0.08 if label_side == "left" else 0.08
            ax.text(mx + dx, my, label, ha="right" if label_side == "left" else "left",
                    va="center", fontsize="small", color="0.25")


def _finish(ax: Axes, xmin: float, xmax: float, ymin: float, ymax: float) -> Axes:
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_folded(ax: Axes | None = None) -> Axes:
    """The folded RNN: x_t -> h_t -> y_t with a self-loop on h labelled $W_h$.

    Draws 3 boxes and 3 arrows (input, self-loop, output).
    """
    ax = axes(ax, (2.2, 3.2))
    _node(ax, 0, 0, "$x_t$", INPUT_COLOR)
    _node(ax, 0, 1.5, "$h_t$", HIDDEN_COLOR)
    _node(ax, 0, 3, "$y_t$", OUTPUT_COLOR)
    _edge(ax, (0, 0), (0, 1.5), "$W_x$")
    _edge(ax, (0, 1.5), (0, 3), "$W_y$")
    # Self-loop: out of the right side of h, round, and back in lower down.
    r, top, bot = BOX / 2, 1.5 + BOX / 4, 1.5 - BOX / 4
    loop = Path([(r, top), (r + 0.55, top + 0.15), (r + 0.55, bot - 0.15), (r, bot)],
                [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
    ax.add_patch(FancyArrowPatch(path=loop, arrowstyle="-|>", mutation_scale=10, lw=0.9,
                                 color="k"))
    ax.text(r + 0.5, 1.5, "$W_h$", ha="left", va="center", fontsize="small", color="0.25")
    return _finish(ax, -0.9, 1.5, -0.6, 3.6)


def draw_unrolled(T: int = 4, ax: Axes | None = None, outputs: bool = True) -> Axes:
    """The RNN unrolled over T steps, from h_0, with the shared weights on every arrow.

    Draws 1 + 2T boxes (h_0, x_t, h_t) plus T output boxes y_t if `outputs`, and 2T
    arrows (x_t -> h_t, h_{t-1} -> h_t) plus T arrows h_t -> y_t if `outputs`.
    """
    _check_T("draw_unrolled", "T", T)
    ax = axes(ax, (1.6 * T + 1.6, 3.2))
    _node(ax, 0, 1.5, "$h_0$", HIDDEN_COLOR)
    for t in range(1, T + 1):
        c = _step_column(ax, t)
        _edge(ax, (c - DX, 1.5), (c, 1.5), "$W_h$")
        if outputs:
            _node(ax, c, 3, f"$y_{{{t}}}$", OUTPUT_COLOR)
            _edge(ax, (c, 1.5), (c, 3), "$W_y$")
    return _finish(ax, -0.7, DX * T + 0.7, -0.6, 3.6 if outputs else 2.1)


def draw_pattern(pattern: str, T: int = 3, ax: Axes | None = None) -> Axes:
    """One of the three classic RNN patterns of Goodfellow et al. (2016, ch. 10).

    pattern:
      "hidden-to-hidden": an output o_t at every step, recurrence h_{t-1} -> h_t.
          1 + 5T boxes (h_0; x, h, o, L, y per step), 5T arrows.
      "output-to-hidden": an output at every step, recurrence only o_{t-1} -> h_t
          (Jordan-style). 1 + 5T boxes (o_0; x, h, o, L, y per step), 5T arrows.
      "single-output": recurrence h_{t-1} -> h_t, one output after reading the whole
          sequence. 1 + 2T + 3 boxes (h_0; x, h per step; o_T, L, y), 2T + 3 arrows.
    Loss nodes L_t compare o_t with the target y_t.
    """
    if pattern not in PATTERNS:
        raise ValueError(f"draw_pattern: `pattern` must be one of {PATTERNS}, got {pattern!r}.")
    _check_T("draw_pattern", "T", T)
    ax = axes(ax, (1.6 * T + 1.6, 5.0))
    jordan = pattern == "output-to-hidden"
    last_only = pattern == "single-output"
    if jordan:
        _node(ax, 0, 3, "$o_0$", OUTPUT_COLOR)
    else:
        _node(ax, 0, 1.5, "$h_0$", HIDDEN_COLOR)
    for t in range(1, T + 1):
        c = _step_column(ax, t)
        if jordan:
            _edge(ax, (c - DX, 3), (c, 1.5), "$W_o$", label_side="right", label_at=0.3)
        else:
            _edge(ax, (c - DX, 1.5), (c, 1.5), "$W_h$")
        if last_only and t < T:
            continue
        _node(ax, c, 3, f"$o_{{{t}}}$", OUTPUT_COLOR)
        _node(ax, c, 4.5, f"$L_{{{t}}}$", LOSS_COLOR)
        _node(ax, c, 6, f"$y_{{{t}}}$", TARGET_COLOR)
        _edge(ax, (c, 1.5), (c, 3), "$W_y$")
        _edge(ax, (c, 3), (c, 4.5))
        _edge(ax, (c, 6), (c, 4.5))
    return _finish(ax, -0.7, DX * T + 0.7, -0.6, 6.6)


def draw_io_graph(kind: str, T: int = 3, ax: Axes | None = None,
                  T_out: int | None = None) -> Axes:
    """The computation graph of one input/output shape, unrolled.

    kind:
      "many-to-one": T inputs, one output from h_T. 2 + 2T boxes, 2T + 1 arrows.
      "one-to-many": one input at step 1, an output at every step. 2 + 2T boxes,
          2T + 1 arrows.
      "many-to-many": aligned, an output per input. 1 + 3T boxes, 3T arrows.
      "encoder-decoder": an encoder reads x_1..x_T into h_T, which starts a decoder with
          its own weights; the decoder states s_1..s_{T_out} emit y_1..y_{T_out}, and each
          output is fed back as the next decoder input (dashed). T_out defaults to T.
          1 + 2T + 2 T_out boxes, 2T + 3 T_out - 1 arrows.
    """
    if kind not in IO_KINDS:
        raise ValueError(f"draw_io_graph: `kind` must be one of {IO_KINDS}, got {kind!r}.")
    _check_T("draw_io_graph", "T", T)
    T_out = T if T_out is None else T_out
    _check_T("draw_io_graph", "T_out", T_out)
    n_cols = T + (T_out if kind == "encoder-decoder" else 0)
    ax = axes(ax, (1.3 * n_cols + 1.6, 3.2))
    _node(ax, 0, 1.5, "$h_0$", HIDDEN_COLOR)
    for t in range(1, T + 1):
        c = DX * t
        _node(ax, c, 1.5, f"$h_{{{t}}}$", HIDDEN_COLOR)
        _edge(ax, (c - DX, 1.5), (c, 1.5), "$W_h$")
        if kind != "one-to-many" or t == 1:
            _node(ax, c, 0, f"$x_{{{t}}}$", INPUT_COLOR)
            _edge(ax, (c, 0), (c, 1.5), "$W_x$")
        has_out = {"many-to-one": t == T, "one-to-many": True, "many-to-many": True,
                   "encoder-decoder": False}[kind]
        if has_out:
            label = "$y$" if kind == "many-to-one" else f"$y_{{{t}}}$"
            _node(ax, c, 3, label, OUTPUT_COLOR)
            _edge(ax, (c, 1.5), (c, 3), "$W_y$")
    if kind == "encoder-decoder":
        for u in range(1, T_out + 1):
            c = DX * (T + u) + 0.4
            prev = c - DX if u > 1 else DX * T
            _node(ax, c, 1.5, f"$s_{{{u}}}$", HIDDEN_COLOR)
            _edge(ax, (prev, 1.5), (c, 1.5), "$W_h^{dec}$" if u > 1 else "",
                  label_side="below")
            _node(ax, c, 3, f"$y_{{{u}}}$", OUTPUT_COLOR)
            _edge(ax, (c, 1.5), (c, 3), "$W_y$")
            if u > 1:
                _edge(ax, (c - DX, 3), (c, 1.5), dashed=True)
        mid = DX * (T + 0.5) + 0.2
        ax.plot([mid, mid], [-0.4, 3.4], color="0.6", lw=0.8, ls=":")
        ax.text(mid - 0.1, -0.4, "encoder", ha="right", va="center", fontsize="small",
                color="0.35")
        ax.text(mid + 0.1, -0.4, "decoder", ha="left", va="center", fontsize="small",
                color="0.35")
    right = DX * n_cols + (0.4 if kind == "encoder-decoder" else 0) + 0.7
    return _finish(ax, -0.7, right, -0.6, 3.6)
