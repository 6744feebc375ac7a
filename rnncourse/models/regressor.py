"""A recurrent layer and a linear read-out of its last state, for the regression tasks
(the adding problem of Chapters 5 and 10).

    Regressor:  torch.nn.RNN / LSTM / GRU (batch_first) -> h[:, -1] -> nn.Linear(H, 1)
    LRUStack:   nn.Linear(2, D) -> `layers` blocks of [LayerNorm -> LRU -> GELU -> Linear,
                plus the block's input] -> last step -> nn.Linear(D, 1) (Chapter 10)
    make_regressor(cell, ...) builds either: "rnn", "lstm", "gru", or "lru-L" for L blocks

The weights are drawn from a `torch.Generator` with PyTorch's default distributions
(U(-1/sqrt(H), 1/sqrt(H)) for the recurrent layer, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
the read-out), so a seed fixes them without touching torch's global generator.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from torch import Tensor, nn

from rnncourse.models.linear_rnn import LRU
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


class LRUStack(nn.Module):
    """`layers` LRU blocks (Orvieto et al. 2023's layout: norm, recurrence, nonlinear
    projection, skip) on x (B, T, input_size), and a linear read-out of the last step;
    forward(x, targets=None) -> (y_hat (B,), mean squared error or None), like Regressor.

    One block is linear in its input up to the read-out: its last state is a weighted sum
    of the inputs. The GELU after each recurrence is what lets a second block add up
    products of inputs (a value times its marker, for the adding problem). The eigenvalues
    start on the ring r_min <= |lambda| <= r_max with phases in [0, max_phase]; H complex
    states per block, D channels between blocks. `method`: how each LRU runs its scan
    ("loop" is the faster on a CPU; see the chapter's timing table).
    """

    method = "loop"

    def __init__(self, H: int, layers: int = 2, D: int | None = None, r_min: float = 0.99,
                 r_max: float = 0.9999, max_phase: float = math.pi / 10, input_size: int = 2,
                 seed: int = 0):
        super().__init__()
        if not isinstance(layers, int) or layers < 1:
            raise ValueError(f"LRUStack: `layers` must be a positive integer, got {layers!r}.")
        D = D or H
        with seeded(seed):
            self.encode = nn.Linear(input_size, D)
            self.norms = nn.ModuleList(nn.LayerNorm(D) for _ in range(layers))
            self.lrus = nn.ModuleList(LRU(D, H, r_min, r_max, max_phase)
                                      for _ in range(layers))
            self.mixes = nn.ModuleList(nn.Linear(D, D) for _ in range(layers))
            self.out = nn.Linear(D, 1)

    def forward(self, x: Tensor, targets: Tensor | None = None
                ) -> tuple[Tensor, Tensor | None]:
        u = self.encode(x)                                        # (B, T, D)
        for norm, lru, mix in zip(self.norms, self.lrus, self.mixes, strict=True):
            u = u + mix(torch.nn.functional.gelu(lru(norm(u), method=self.method)[0]))
        y_hat = self.out(u[:, -1]).squeeze(-1)                    # (B,)
        if targets is None:
            return y_hat, None
        return y_hat, ((y_hat - targets) ** 2).mean()


def make_regressor(cell: str, H: int, forget_bias: float | None = None,
                   generator: torch.Generator | None = None) -> nn.Module:
    """Regressor(cell, ...) for "rnn", "lstm", "gru"; LRUStack(H, layers=L) for "lru-L",
    its seed drawn from `generator` (or 0)."""
    if cell.startswith("lru-") and cell[4:].isdigit():
        seed = 0 if generator is None else int(torch.randint(2**31 - 1, (1,),
                                                             generator=generator))
        return LRUStack(H, layers=int(cell[4:]), seed=seed)
    if cell not in CELLS:
        raise ValueError(f"make_regressor: `cell` must be one of {sorted(CELLS)} or "
                         f"'lru-L' (L blocks), got {cell!r}.")
    return Regressor(cell, H, forget_bias, generator)
