"""The course's figure style: one place for colours and for making axes.

Colours of the task diagrams and computation graphs (input, hidden state, output, loss,
target; the first three as in Karpathy's figure), the colours of the cell kinds that
every comparison figure uses (RNN, LSTM, GRU), and `axes`, which every drawing function
of `rnncourse.viz` calls so that it draws on the caller's axes or on a new figure, never
on global state (no `plt.show()`, no `rcParams` changes).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

INPUT_COLOR = "#e8a0a0"
HIDDEN_COLOR = "#a8d5a2"
OUTPUT_COLOR = "#9ec3e6"
LOSS_COLOR = "#f3d98b"
TARGET_COLOR = "#dedede"

CELL_COLORS = {"rnn": "C0", "lstm": "C1", "gru": "C2"}  # one colour per cell kind


def axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 2.8)) -> Axes:
    """Return `ax`, or the axes of a new figure of size `figsize`."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax
