"""What the torch recurrent layers of the course share (`models.rnn`, `models.lstm`,
`models.gru`): the NumPy parameter layout, initialisation, the loop over time, and the
conversions from and to `torch.nn` modules and NumPy arrays.

Every layer keeps its parameters as the NumPy wing does (`x @ Wx`, batch-first, gate
blocks side by side along the last axis) and loads from and into the state dicts of the
matching single-layer, unidirectional `torch.nn` module and its cell::

    ours = LSTM.from_torch(nn.LSTM(5, 6, batch_first=True))
    ref = ours.to_torch()                  # an nn.LSTM computing the same function
    Wx, Wh, b = ours.to_numpy()            # arguments of scratch.lstm.lstm_forward

A layer with one bias `b` (RNN, LSTM: the two torch biases only ever appear summed)
exports `bias_ih = b`, `bias_hh = 0`: the same function, another split. The GRU keeps
both (r multiplies bh_n, so they are not interchangeable) and its round trip is exact.

Layers follow `nn.LSTM`'s interface: forward(x, state=None) -> (h, state), with h: (B, T,
H) and the final state without torch's leading layer axis. Models built from them (the
remedies, the regressor, later language models) follow forward(x, targets=None) -> (out,
loss) instead; see `models.train`.

Shapes: B batch, T time steps, D input features, H hidden size, G gate blocks (1, 3, 4).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import torch
from torch import Tensor, nn

from rnncourse.shapes import Shapes


def uniform(shape: tuple[int, ...], bound: float, generator: torch.Generator | None,
            dtype: torch.dtype) -> Tensor:
    """U(-bound, bound) drawn from `generator` (torch's default init for recurrent layers)."""
    return (2 * torch.rand(shape, generator=generator, dtype=dtype) - 1) * bound


def uniform_(params, bound: float, generator: torch.Generator) -> None:
    """Fill every tensor in `params` in place with U(-bound, bound) from `generator`."""
    with torch.no_grad():
        for p in params:
            p.copy_(uniform(tuple(p.shape), bound, generator, p.dtype))


class Recurrent(nn.Module):
    """Base of the single-layer batch-first recurrent layers; subclasses set the class
    attributes and write `step`."""

    gates: int = 1                           # G: gate blocks along the last axis
    bias_names: tuple[str, ...] = ("b",)     # ("b",): summed torch biases; ("bx", "bh")
    state_names: tuple[str, ...] = ("h0",)   # names of the initial state's parts
    torch_layer: type[nn.Module] = nn.RNN
    torch_cell: type[nn.Module] = nn.RNNCell

    def __init__(self, input_size: int, hidden_size: int, *,
                 generator: torch.Generator | None = None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        D, H, G = input_size, hidden_size, self.gates
        k = 1 / math.sqrt(H)
        self.Wx = nn.Parameter(uniform((D, G * H), k, generator, dtype))
        self.Wh = nn.Parameter(uniform((H, G * H), k, generator, dtype))
        for name in self.bias_names:
            setattr(self, name, nn.Parameter(uniform((G * H,), k, generator, dtype)))

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]

    @property
    def input_size(self) -> int:
        return self.Wx.shape[0]

    def numpy_params(self) -> tuple[Tensor, ...]:
        """The parameters in the order the NumPy functions take them."""
        return (self.Wx, self.Wh) + tuple(getattr(self, n) for n in self.bias_names)

    def step(self, x: Tensor, *state: Tensor):
        """One step: x (B, D), state parts (B, H) -> the next state (a tensor or tuple)."""
        raise NotImplementedError

    def forward(self, x: Tensor, state=None):
        """x: (B, T, D); state: the initial state ((h0, c0) for the LSTM, h0 otherwise),
        zeros if None. Returns (h, state_last): h (B, T, H), the final state like `state`.
        (torch's modules return it with an extra leading layer axis: (1, B, H).)"""
        name = type(self).__name__
        shp = Shapes(f"{name}.forward")
        shp.bind("D", self.input_size, "`Wx`")
        shp.bind("H", self.hidden_size, "`Wh`")
        shp.check("x", x, "B T D")
        if state is None:
            state = tuple(x.new_zeros(x.shape[0], self.hidden_size) for _ in self.state_names)
        parts = state if isinstance(state, tuple | list) else (state,)
        if len(parts) != len(self.state_names):
            raise ValueError(f"{name}.forward: `state` must have {len(self.state_names)} "
                             f"parts {self.state_names}, got {len(parts)}.")
        for part_name, part in zip(self.state_names, parts, strict=True):
            shp.check(part_name, part, "B H")
        parts, hs = tuple(parts), []
        for t in range(x.shape[1]):
            out = self.step(x[:, t], *parts)
            parts = out if isinstance(out, tuple) else (out,)
            hs.append(parts[0])
        return torch.stack(hs, dim=1), (parts if len(parts) > 1 else parts[0])

    @classmethod
    def from_torch(cls, module: nn.Module) -> Recurrent:
        """A new layer computing the same function as `module` (same dtype)."""
        if not isinstance(module, cls.torch_layer | cls.torch_cell):
            raise TypeError(f"{cls.__name__}.from_torch: `module` must be an "
                            f"{cls.torch_layer.__name__} or {cls.torch_cell.__name__}, got "
                            f"{type(module).__name__}.")
        if getattr(module, "nonlinearity", "tanh") != "tanh":
            raise ValueError(f"{cls.__name__}.from_torch: only the tanh RNN is supported, got "
                             f"nonlinearity={module.nonlinearity!r}.")
        w = next(module.parameters())
        ours = cls(module.input_size, module.hidden_size, dtype=w.dtype)
        ours.load_torch_state_dict(module.state_dict())
        return ours

    def load_torch_state_dict(self, state: Mapping[str, Tensor]) -> None:
        """Copy parameters from a torch layer (keys `*_l0`) or cell state dict."""
        func = f"{type(self).__name__}.load_torch_state_dict"
        p = _read_state(func, state)
        G = f"{self.gates}H" if self.gates > 1 else "H"
        shp = Shapes(func)
        shp.bind("H", self.hidden_size, "this module's `Wh`")
        shp.bind(G, self.Wh.shape[1], "this module's `Wh`")
        shp.bind("D", self.input_size, "this module's `Wx`")
        shp.check("weight_ih", p["weight_ih"], f"{G} D")
        shp.check("weight_hh", p["weight_hh"], f"{G} H")
        shp.check("bias_ih", p["bias_ih"], G)
        shp.check("bias_hh", p["bias_hh"], G)
        with torch.no_grad():
            self.Wx.copy_(p["weight_ih"].T)
            self.Wh.copy_(p["weight_hh"].T)
            if self.bias_names == ("b",):
                self.b.copy_(p["bias_ih"] + p["bias_hh"])
            else:
                self.bx.copy_(p["bias_ih"])
                self.bh.copy_(p["bias_hh"])

    def to_torch_state_dict(self, cell: bool = False) -> dict[str, Tensor]:
        """State dict for the torch layer (keys `*_l0`), or for its cell if `cell`."""
        sfx = "" if cell else "_l0"
        with torch.no_grad():
            if self.bias_names == ("b",):
                biases = (self.b.clone(), torch.zeros_like(self.b))
            else:
                biases = (self.bx.clone(), self.bh.clone())
            return {f"weight_ih{sfx}": self.Wx.T.clone(), f"weight_hh{sfx}": self.Wh.T.clone(),
                    f"bias_ih{sfx}": biases[0], f"bias_hh{sfx}": biases[1]}

    def to_torch(self) -> nn.Module:
        """The torch layer (batch_first=True) computing the same function."""
        ref = self.torch_layer(self.input_size, self.hidden_size, batch_first=True,
                               dtype=self.Wx.dtype)
        ref.load_state_dict(self.to_torch_state_dict())
        return ref

    @classmethod
    def from_numpy(cls, Wx: np.ndarray, Wh: np.ndarray, *biases: np.ndarray) -> Recurrent:
        """A new layer with the parameters of the NumPy wing's forward (dtype kept)."""
        func = f"{cls.__name__}.from_numpy"
        if len(biases) != len(cls.bias_names):
            raise TypeError(f"{func}: takes Wx, Wh and {', '.join(cls.bias_names)}; got "
                            f"{len(biases)} bias arrays.")
        G = f"{cls.gates}H" if cls.gates > 1 else "H"
        shp = Shapes(func)
        shp.check("Wh", Wh, "H *")
        if cls.gates > 1:
            shp.bind(G, cls.gates * shp["H"], f"{cls.gates} x H with H from `Wh`")
        shp.check("Wh", Wh, f"H {G}")
        shp.check("Wx", Wx, f"D {G}")
        for name, b in zip(cls.bias_names, biases, strict=True):
            shp.check(name, b, G)
        ours = cls(np.shape(Wx)[0], np.shape(Wh)[0],
                   dtype=torch.from_numpy(np.asarray(Wx)).dtype)
        with torch.no_grad():
            for param, arr in zip(ours.numpy_params(), (Wx, Wh, *biases), strict=True):
                param.copy_(torch.as_tensor(arr))
        return ours

    def to_numpy(self) -> tuple[np.ndarray, ...]:
        """The parameters as NumPy arrays, ready for the NumPy wing's forward."""
        return tuple(p.detach().cpu().numpy().copy() for p in self.numpy_params())


def _read_state(func: str, state: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """weight_ih, weight_hh, bias_ih, bias_hh from a torch layer or cell state dict."""
    out, used = {}, set()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        key = next((k for k in (f"{name}_l0", name) if k in state), None)
        if key is None:
            raise ValueError(f"{func}: the state dict has neither `{name}_l0` (a layer) "
                             f"nor `{name}` (a cell); it has {sorted(state)}. Modules "
                             "created with bias=False are not supported.")
        out[name] = state[key].detach()
        used.add(key)
    extra = sorted(set(state) - used)
    if extra:
        raise ValueError(f"{func}: unsupported keys {extra}; only single-layer, "
                         "unidirectional modules without projections can be loaded.")
    return out
