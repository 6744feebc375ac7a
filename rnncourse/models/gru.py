"""The GRU as a torch module: the same math as `scratch.gru`, autograd for the backward.

Gates r, z, n along the 3H axis, torch's convention (z keeps the old state)::

    n = tanh(x_t Wx_n + bx_n + r * (h_{t-1} Wh_n + bh_n)),   h_t = (1 - z) * n + z * h_{t-1}

`nn.GRU(batch_first=True)` with weight_ih = Wx.T, weight_hh = Wh.T, bias_ih = bx,
bias_hh = bh; conversions in `models.recurrent`.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnncourse.models.recurrent import Recurrent


class GRU(Recurrent):
    """Single-layer batch-first GRU. Parameters: Wx (D, 3H), Wh (H, 3H), bx, bh (3H,)."""

    gates = 3
    bias_names = ("bx", "bh")
    state_names = ("h0",)
    torch_layer, torch_cell = nn.GRU, nn.GRUCell

    def step(self, x: Tensor, h_prev: Tensor) -> Tensor:
        """One step; x: (B, D), h_prev: (B, H) -> h_next (B, H)."""
        H = self.hidden_size
        ax = x @ self.Wx + self.bx       # (B, 3H)
        ah = h_prev @ self.Wh + self.bh  # (B, 3H)
        r = torch.sigmoid(ax[:, :H] + ah[:, :H])
        z = torch.sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
        n = torch.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
        return (1 - z) * n + z * h_prev
