"""A recurrent layer and a linear read-out of its last state, for the regression tasks
(the adding problem of Chapter 5).

    torch.nn.RNN / LSTM / GRU (batch_first) -> h[:, -1] -> nn.Linear(H, 1) -> y_hat (B,)

The weights are drawn from a `torch.Generator` with PyTorch's default distributions
(U(-1/sqrt(H), 1/sqrt(H)) for the recurrent layer, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
the read-out), so a seed fixes them without touching torch's global generator.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch import Tensor, nn

from rnncourse.models.lstm import set_forget_bias
from rnncourse.models.recurrent import uniform_
from rnncourse.models.seeding import seeded

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Regressor(nn.Module):
    """A recurrent layer (`cell` in CELLS) reading x (B, T, D) and a linear read-out of its
    last state; forward(x, targets=None) -> (y_hat (B,), mean squared error or None)."""

    def __init__(self, cell: str, H: int, forget_bias: float | None = None,
                 generator: torch.Generator | None = None, input_size: int = 2):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Regressor: `cell` must be one of {sorted(CELLS)}, got {cell!r}.")
        # torch's constructors initialise from the global generator; with our own
        # generator, they draw inside `seeded` (which gives the global generator its state
        # back) and their draws are replaced below.
        with seeded(0) if generator is not None else contextlib.nullcontext():
            self.rnn = CELLS[cell](input_size=input_size, hidden_size=H, batch_first=True)
            self.out = nn.Linear(H, 1)
        if generator is not None:
            uniform_(self.rnn.parameters(), 1 / np.sqrt(H), generator)
            uniform_(self.out.parameters(), 1 / np.sqrt(H), generator)
        if cell == "lstm" and forget_bias is not None:
            set_forget_bias(self.rnn, forget_bias)

    def forward(self, x: Tensor, targets: Tensor | None = None
                ) -> tuple[Tensor, Tensor | None]:
        h, _ = self.rnn(x)  # (B, T, H)
        y_hat = self.out(h[:, -1]).squeeze(-1)  # (B,)
        if targets is None:
            return y_hat, None
        return y_hat, ((y_hat - targets) ** 2).mean()
