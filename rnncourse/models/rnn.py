"""The tanh RNN as a torch module: the same math as `scratch.rnn`, autograd for the backward.

    h_t = tanh(x_t Wx + h_{t-1} Wh + b),   Wx: (D, H), Wh: (H, H), b: (H,)

`nn.RNN(nonlinearity="tanh", batch_first=True)` with weight_ih = Wx.T, weight_hh = Wh.T,
bias_ih + bias_hh = b; conversions in `models.recurrent`.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnncourse.models.recurrent import Recurrent


class RNN(Recurrent):
    """Single-layer batch-first tanh RNN. Parameters: Wx (D, H), Wh (H, H), b (H,)."""

    gates = 1
    bias_names = ("b",)
    state_names = ("h0",)
    torch_layer, torch_cell = nn.RNN, nn.RNNCell

    def step(self, x: Tensor, h_prev: Tensor) -> Tensor:
        """One step; x: (B, D), h_prev: (B, H) -> h_next (B, H)."""
        return torch.tanh(x @ self.Wx + h_prev @ self.Wh + self.b)
