"""Float64 torch oracles that the tests of the NumPy and torch cells share.

`torch_layer` builds a torch.nn recurrent layer or cell (nn.RNN / nn.LSTM / nn.GRU or
their Cell) in float64 with the course's NumPy weights: Wx (D, kH) and Wh (H, kH) are
torch's weight_ih / weight_hh transposed, and torch's two biases are given separately (the
course's single b is their sum). `close` compares to an absolute tolerance, NumPy or torch
on either side; `leaf` makes a float64 tensor that autograd will fill.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def as_numpy(a) -> np.ndarray:
    return a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


def close(ours, ref, atol: float = 1e-10) -> None:
    """ours equals ref to within atol, entry by entry (rtol 0)."""
    np.testing.assert_allclose(as_numpy(ours), as_numpy(ref), rtol=0, atol=atol)


def leaf(a) -> torch.Tensor:
    return torch.tensor(a, requires_grad=True)


def load(module: nn.Module, Wx, Wh, bias_ih, bias_hh) -> dict[str, torch.Tensor]:
    """Copy NumPy weights into a one-layer torch recurrent layer or cell; its parameters."""
    sfx = "_l0" if isinstance(module, nn.RNNBase) else ""
    module.load_state_dict({f"weight_ih{sfx}": torch.tensor(np.asarray(Wx).T),
                            f"weight_hh{sfx}": torch.tensor(np.asarray(Wh).T),
                            f"bias_ih{sfx}": torch.tensor(np.asarray(bias_ih)),
                            f"bias_hh{sfx}": torch.tensor(np.asarray(bias_hh))})
    return dict(module.named_parameters())


def torch_layer(cls, Wx, Wh, bias_ih, bias_hh, **kwargs) -> nn.Module:
    """cls(D, H, float64, batch_first for layers, **kwargs) holding the given weights."""
    D, H = np.shape(Wx)[0], np.shape(Wh)[0]
    if issubclass(cls, nn.RNNBase):
        kwargs.setdefault("batch_first", True)
    module = cls(D, H, dtype=torch.float64, **kwargs)
    load(module, Wx, Wh, bias_ih, bias_hh)
    return module
