"""The LSTM as a torch module: the same math as `scratch.lstm`, autograd for the backward.

Gates i, f, g, o along the 4H axis (torch's order)::

    a = x_t Wx + h_{t-1} Wh + b,  c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t)

`nn.LSTM(batch_first=True)` with weight_ih = Wx.T, weight_hh = Wh.T, bias_ih + bias_hh = b;
conversions in `models.recurrent`.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnncourse.models.recurrent import Recurrent


class LSTM(Recurrent):
    """Single-layer batch-first LSTM. Parameters: Wx (D, 4H), Wh (H, 4H), b (4H,);
    initialised like nn.LSTM, uniform in [-1/sqrt(H), 1/sqrt(H)], from `generator`."""

    gates = 4
    bias_names = ("b",)
    state_names = ("h0", "c0")
    torch_layer, torch_cell = nn.LSTM, nn.LSTMCell

    def step(self, x: Tensor, h_prev: Tensor, c_prev: Tensor) -> tuple[Tensor, Tensor]:
        """One step; x: (B, D), h_prev, c_prev: (B, H) -> (h_next, c_next), each (B, H)."""
        H = self.hidden_size
        a = x @ self.Wx + h_prev @ self.Wh + self.b  # (B, 4H)
        i, f = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2 * H])
        g, o = torch.tanh(a[:, 2 * H:3 * H]), torch.sigmoid(a[:, 3 * H:])
        c_next = f * c_prev + i * g
        return o * torch.tanh(c_next), c_next


def set_forget_bias(lstm: nn.LSTM | LSTM, value: float) -> None:
    """Set the forget-gate bias of `lstm` (every layer of an nn.LSTM, or ours) so that the
    summed bias of the forget gate equals `value`. The gate order is i, f, g, o, so the
    forget gate is the block H:2H."""
    H = lstm.hidden_size
    with torch.no_grad():
        if isinstance(lstm, LSTM):
            lstm.b[H:2 * H] = value
            return
        for name, p in lstm.named_parameters():
            if name.startswith("bias_ih"):
                p[H:2 * H] = value
            elif name.startswith("bias_hh"):
                p[H:2 * H] = 0.0
