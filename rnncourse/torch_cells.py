"""LSTM and GRU as torch modules: the same math as `rnncourse.lstm` / `rnncourse.gru`,
written as an explicit loop over time steps; autograd does the backward now.

Parameters have the NumPy layout (`x @ Wx`, batch-first) and load from and into the state
dicts of `torch.nn.LSTM` / `nn.GRU` (single layer, unidirectional) and `nn.LSTMCell` /
`nn.GRUCell`::

    ours = torch_cells.LSTM.from_torch(nn.LSTM(5, 6, batch_first=True))
    ref = ours.to_torch()                  # an nn.LSTM computing the same function
    Wx, Wh, b = ours.to_numpy()            # arguments of lstm.lstm_forward

The LSTM keeps one bias `b = bias_ih + bias_hh` (the two only ever appear summed), so
export writes `bias_ih = b`, `bias_hh = 0`: same function, different split. The GRU
keeps both biases (they are not interchangeable: r multiplies bh_n), so its round trip
is exact.

Shapes: B batch, T time steps, D input features, H hidden size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import torch
from torch import Tensor, nn

from rnncourse.shapes import Shapes


def _check(shp: Shapes, name: str, t: Tensor, spec: str) -> None:
    # Shapes checks NumPy arrays; a zero-stride view carries the shape without copying.
    shp.check(name, np.broadcast_to(np.float64(0.0), tuple(t.shape)), spec)


def _read_state(func: str, state: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """weight_ih, weight_hh, bias_ih, bias_hh from an nn.LSTM/GRU or a cell state dict."""
    out, used = {}, set()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        key = next((k for k in (f"{name}_l0", name) if k in state), None)
        if key is None:
            raise ValueError(f"{func}: the state dict has neither `{name}_l0` (nn.LSTM/GRU) "
                             f"nor `{name}` (a cell); it has {sorted(state)}. Modules "
                             "created with bias=False are not supported.")
        out[name] = state[key].detach()
        used.add(key)
    extra = sorted(set(state) - used)
    if extra:
        raise ValueError(f"{func}: unsupported keys {extra}; only single-layer, "
                         "unidirectional modules without projections can be loaded.")
    return out


def _uniform(shape: tuple[int, ...], bound: float, generator, dtype) -> Tensor:
    u = torch.rand(shape, generator=generator, dtype=dtype)
    return (2 * u - 1) * bound


class LSTM(nn.Module):
    """Single-layer batch-first LSTM, gates i, f, g, o (torch's order).

    Parameters: Wx (D, 4H), Wh (H, 4H), b (4H,). Initialised like torch.nn.LSTM,
    uniform in [-1/sqrt(H), 1/sqrt(H)], from `generator` if given.
    """

    def __init__(self, input_size: int, hidden_size: int, *,
                 generator: torch.Generator | None = None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        D, H = input_size, hidden_size
        k = 1 / math.sqrt(H)
        self.Wx = nn.Parameter(_uniform((D, 4 * H), k, generator, dtype))
        self.Wh = nn.Parameter(_uniform((H, 4 * H), k, generator, dtype))
        self.b = nn.Parameter(_uniform((4 * H,), k, generator, dtype))

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]

    def step(self, x: Tensor, h_prev: Tensor, c_prev: Tensor) -> tuple[Tensor, Tensor]:
        """One step; x: (B, D), h_prev, c_prev: (B, H) -> (h_next, c_next), each (B, H)."""
        H = self.hidden_size
        a = x @ self.Wx + h_prev @ self.Wh + self.b  # (B, 4H)
        i, f = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2 * H])
        g, o = torch.tanh(a[:, 2 * H:3 * H]), torch.sigmoid(a[:, 3 * H:])
        c_next = f * c_prev + i * g
        return o * torch.tanh(c_next), c_next

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """x: (B, T, D); state: (h0, c0), each (B, H), zeros if None.

        Returns (h, (h_last, c_last)): h (B, T, H), h_last and c_last (B, H). (torch's
        nn.LSTM returns h_n, c_n with an extra leading layer axis: (1, B, H).)
        """
        shp = Shapes("LSTM.forward")
        shp.bind("D", self.Wx.shape[0], "`Wx`")
        shp.bind("H", self.hidden_size, "`Wh`")
        _check(shp, "x", x, "B T D")
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_size)
            state = (zeros, zeros)
        h_t, c_t = state
        _check(shp, "h0", h_t, "B H")
        _check(shp, "c0", c_t, "B H")
        hs = []
        for t in range(x.shape[1]):
            h_t, c_t = self.step(x[:, t], h_t, c_t)
            hs.append(h_t)
        return torch.stack(hs, dim=1), (h_t, c_t)  # (B, T, H)

    @classmethod
    def from_torch(cls, module: nn.LSTM | nn.LSTMCell) -> LSTM:
        """A new LSTM computing the same function as `module` (same dtype)."""
        ours = cls(module.input_size, module.hidden_size, dtype=module.weight_ih_l0.dtype
                   if isinstance(module, nn.LSTM) else module.weight_ih.dtype)
        ours.load_torch_state_dict(module.state_dict())
        return ours

    def load_torch_state_dict(self, state: Mapping[str, Tensor]) -> None:
        """Copy parameters from an nn.LSTM (keys `*_l0`) or nn.LSTMCell state dict."""
        p = _read_state("LSTM.load_torch_state_dict", state)
        shp = Shapes("LSTM.load_torch_state_dict")
        shp.bind("4H", self.Wh.shape[1], "this module's `Wh`")
        shp.bind("H", self.hidden_size, "this module's `Wh`")
        shp.bind("D", self.Wx.shape[0], "this module's `Wx`")
        _check(shp, "weight_ih", p["weight_ih"], "4H D")
        _check(shp, "weight_hh", p["weight_hh"], "4H H")
        _check(shp, "bias_ih", p["bias_ih"], "4H")
        _check(shp, "bias_hh", p["bias_hh"], "4H")
        with torch.no_grad():
            self.Wx.copy_(p["weight_ih"].T)
            self.Wh.copy_(p["weight_hh"].T)
            self.b.copy_(p["bias_ih"] + p["bias_hh"])

    def to_torch_state_dict(self, cell: bool = False) -> dict[str, Tensor]:
        """State dict for nn.LSTM (keys `*_l0`), or for nn.LSTMCell if `cell`."""
        sfx = "" if cell else "_l0"
        with torch.no_grad():
            return {f"weight_ih{sfx}": self.Wx.T.clone(), f"weight_hh{sfx}": self.Wh.T.clone(),
                    f"bias_ih{sfx}": self.b.clone(), f"bias_hh{sfx}": torch.zeros_like(self.b)}

    def to_torch(self) -> nn.LSTM:
        """An nn.LSTM(batch_first=True) computing the same function."""
        ref = nn.LSTM(self.Wx.shape[0], self.hidden_size, batch_first=True, dtype=self.Wx.dtype)
        ref.load_state_dict(self.to_torch_state_dict())
        return ref

    @classmethod
    def from_numpy(cls, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> LSTM:
        """A new LSTM with the parameters of `lstm.lstm_forward` (dtype kept)."""
        shp = Shapes("LSTM.from_numpy")
        shp.check("Wh", Wh, "H *")
        shp.bind("4H", 4 * shp["H"], "4 x H with H from `Wh`")
        shp.check("Wh", Wh, "H 4H")
        shp.check("Wx", Wx, "D 4H")
        shp.check("b", b, "4H")
        ours = cls(Wx.shape[0], Wh.shape[0], dtype=torch.from_numpy(np.asarray(Wx)).dtype)
        with torch.no_grad():
            for param, arr in zip((ours.Wx, ours.Wh, ours.b), (Wx, Wh, b), strict=True):
                param.copy_(torch.as_tensor(arr))
        return ours

    def to_numpy(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Wx, Wh, b) as NumPy arrays, ready for `lstm.lstm_forward`."""
        return tuple(p.detach().cpu().numpy().copy() for p in (self.Wx, self.Wh, self.b))


class GRU(nn.Module):
    """Single-layer batch-first GRU, gates r, z, n, h' = (1 - z) * n + z * h (torch's form).

    Parameters: Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,). Initialised like torch.nn.GRU.
    """

    def __init__(self, input_size: int, hidden_size: int, *,
                 generator: torch.Generator | None = None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        D, H = input_size, hidden_size
        k = 1 / math.sqrt(H)
        self.Wx = nn.Parameter(_uniform((D, 3 * H), k, generator, dtype))
        self.Wh = nn.Parameter(_uniform((H, 3 * H), k, generator, dtype))
        self.bx = nn.Parameter(_uniform((3 * H,), k, generator, dtype))
        self.bh = nn.Parameter(_uniform((3 * H,), k, generator, dtype))

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]

    def step(self, x: Tensor, h_prev: Tensor) -> Tensor:
        """One step; x: (B, D), h_prev: (B, H) -> h_next (B, H)."""
        H = self.hidden_size
        ax = x @ self.Wx + self.bx       # (B, 3H)
        ah = h_prev @ self.Wh + self.bh  # (B, 3H)
        r = torch.sigmoid(ax[:, :H] + ah[:, :H])
        z = torch.sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
        n = torch.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
        return (1 - z) * n + z * h_prev

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """x: (B, T, D); h0: (B, H), zeros if None. Returns (h (B, T, H), h_last (B, H))."""
        shp = Shapes("GRU.forward")
        shp.bind("D", self.Wx.shape[0], "`Wx`")
        shp.bind("H", self.hidden_size, "`Wh`")
        _check(shp, "x", x, "B T D")
        h_t = x.new_zeros(x.shape[0], self.hidden_size) if h0 is None else h0
        _check(shp, "h0", h_t, "B H")
        hs = []
        for t in range(x.shape[1]):
            h_t = self.step(x[:, t], h_t)
            hs.append(h_t)
        return torch.stack(hs, dim=1), h_t  # (B, T, H)

    @classmethod
    def from_torch(cls, module: nn.GRU | nn.GRUCell) -> GRU:
        """A new GRU computing the same function as `module` (same dtype)."""
        w = module.weight_ih_l0 if isinstance(module, nn.GRU) else module.weight_ih
        ours = cls(module.input_size, module.hidden_size, dtype=w.dtype)
        ours.load_torch_state_dict(module.state_dict())
        return ours

    def load_torch_state_dict(self, state: Mapping[str, Tensor]) -> None:
        """Copy parameters from an nn.GRU (keys `*_l0`) or nn.GRUCell state dict."""
        p = _read_state("GRU.load_torch_state_dict", state)
        shp = Shapes("GRU.load_torch_state_dict")
        shp.bind("3H", self.Wh.shape[1], "this module's `Wh`")
        shp.bind("H", self.hidden_size, "this module's `Wh`")
        shp.bind("D", self.Wx.shape[0], "this module's `Wx`")
        _check(shp, "weight_ih", p["weight_ih"], "3H D")
        _check(shp, "weight_hh", p["weight_hh"], "3H H")
        _check(shp, "bias_ih", p["bias_ih"], "3H")
        _check(shp, "bias_hh", p["bias_hh"], "3H")
        with torch.no_grad():
            self.Wx.copy_(p["weight_ih"].T)
            self.Wh.copy_(p["weight_hh"].T)
            self.bx.copy_(p["bias_ih"])
            self.bh.copy_(p["bias_hh"])

    def to_torch_state_dict(self, cell: bool = False) -> dict[str, Tensor]:
        """State dict for nn.GRU (keys `*_l0`), or for nn.GRUCell if `cell`."""
        sfx = "" if cell else "_l0"
        with torch.no_grad():
            return {f"weight_ih{sfx}": self.Wx.T.clone(), f"weight_hh{sfx}": self.Wh.T.clone(),
                    f"bias_ih{sfx}": self.bx.clone(), f"bias_hh{sfx}": self.bh.clone()}

    def to_torch(self) -> nn.GRU:
        """An nn.GRU(batch_first=True) computing the same function."""
        ref = nn.GRU(self.Wx.shape[0], self.hidden_size, batch_first=True, dtype=self.Wx.dtype)
        ref.load_state_dict(self.to_torch_state_dict())
        return ref

    @classmethod
    def from_numpy(cls, Wx: np.ndarray, Wh: np.ndarray, bx: np.ndarray, bh: np.ndarray
                   ) -> GRU:
        """A new GRU with the parameters of `gru.gru_forward` (dtype kept)."""
        shp = Shapes("GRU.from_numpy")
        shp.check("Wh", Wh, "H *")
        shp.bind("3H", 3 * shp["H"], "3 x H with H from `Wh`")
        shp.check("Wh", Wh, "H 3H")
        shp.check("Wx", Wx, "D 3H")
        shp.check("bx", bx, "3H")
        shp.check("bh", bh, "3H")
        ours = cls(Wx.shape[0], Wh.shape[0], dtype=torch.from_numpy(np.asarray(Wx)).dtype)
        with torch.no_grad():
            for param, arr in zip((ours.Wx, ours.Wh, ours.bx, ours.bh), (Wx, Wh, bx, bh),
                                  strict=True):
                param.copy_(torch.as_tensor(arr))
        return ours

    def to_numpy(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(Wx, Wh, bx, bh) as NumPy arrays, ready for `gru.gru_forward`."""
        return tuple(p.detach().cpu().numpy().copy()
                     for p in (self.Wx, self.Wh, self.bx, self.bh))
