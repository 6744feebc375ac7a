"""The trainable remedies for vanishing and exploding gradients as torch modules (Chapter 4).

- `RemedyRNN`: one module for the trainable variants of the vanilla RNN (tanh or ReLU,
  uniform, orthogonal or identity init, leaky units, skip connections through time),
  holding S independently initialised members that train side by side (several seeds at
  once); forward(x, targets=None) -> (predictions, per-member MSE), so `models.train.fit`
  trains it, with the clipping rule applied per member (`clip_gradients`).
- `cliff_loss`: the one-unit RNN whose loss surface has a cliff.

The NumPy remedies (orthogonal and non-normal matrices, the echo-state reservoir, leaky
steps) are in `rnncourse.scratch.remedies`; the task they are compared on is
`rnncourse.data.tasks.recall_first`.

Shapes: S members (independent copies), B batch, T time steps, D input features, H hidden
size. Batch-first throughout (after the member axis).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn


@dataclass
class RemedyConfig:
    """Which variant of the vanilla RNN `RemedyRNN` builds."""

    nonlinearity: str = "tanh"   # "tanh" or "relu"
    init: str = "uniform"        # Wh init: "uniform" (nn.RNN's), "orthogonal" or "identity"
    alpha: float = 0.0           # leak rate: h = alpha h_prev + (1 - alpha) act(a); 0 = plain
    skip: int = 0                # d > 1 adds h_{t-d} Ws to a_t (skip through time); 0 = none
    input_std: float | None = None  # std of a Gaussian Wx; None: nn.RNN's uniform init


class RemedyRNN(nn.Module):
    """S independent vanilla RNNs with the chapter's remedies as switches (S = members).

        a_t = x_t Wx + h_{t-1} Wh + [h_{t-d} Ws] + b,   h_t = alpha h_{t-1} + (1-alpha) act(a_t)
        y_hat = h_T Wy + by

    Every parameter has a leading member axis, so that S copies with their own
    initialisation train side by side in one batched matrix product per step (several
    seeds for little more than the price of one). Member s is initialised from
    `generators[s]` alone, so its weights do not depend on how many other members there
    are. With the defaults (tanh, alpha = 0, no skip) each member's states equal
    `nn.RNN`'s with weight_ih = Wx[s].T, weight_hh = Wh[s].T, bias_ih + bias_hh = b[s].
    """

    def __init__(self, D: int, H: int, config: RemedyConfig,
                 generators: torch.Generator | Sequence[torch.Generator],
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        if config.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RemedyRNN: `nonlinearity` must be 'tanh' or 'relu', got "
                             f"{config.nonlinearity!r}.")
        if config.init not in ("uniform", "orthogonal", "identity"):
            raise ValueError(f"RemedyRNN: `init` must be 'uniform', 'orthogonal' or "
                             f"'identity', got {config.init!r}.")
        if config.skip == 1 or config.skip < 0:
            raise ValueError(f"RemedyRNN: `skip` must be 0 (none) or a delay d >= 2, got "
                             f"{config.skip}; d = 1 is the ordinary recurrence.")
        if isinstance(generators, torch.Generator):
            generators = [generators]
        if not generators or not all(isinstance(g, torch.Generator) for g in generators):
            raise TypeError("RemedyRNN: `generators` must be a torch.Generator or a "
                            "non-empty sequence of them, one per member.")
        self.config, self.hidden_size, self.members = config, H, len(generators)
        members = [_remedy_init(D, H, config, g, dtype) for g in generators]
        for name in members[0]:
            setattr(self, name, nn.Parameter(torch.stack([m[name] for m in members])))
        if not config.skip:
            self.Ws = None

    def _inputs(self, x: Tensor) -> Tensor:
        S = self.members
        if x.dim() == 3:
            return x.expand(S, *x.shape)  # the same batch for every member
        if x.dim() == 4 and x.shape[0] == S:
            return x
        raise ValueError(f"RemedyRNN: `x` has shape {tuple(x.shape)} but expected (B, T, D) "
                         f"or (S, B, T, D) with S={S} members, D={self.Wx.shape[1]}.")

    def states(self, x: Tensor) -> Tensor:
        """All hidden states h: (S, B, T, H) for inputs x: (B, T, D) or (S, B, T, D)."""
        cfg, x = self.config, self._inputs(x)
        act = torch.tanh if cfg.nonlinearity == "tanh" else torch.relu
        xa = torch.einsum("sbtd,sdh->sbth", x, self.Wx) + self.b[:, None, None, :]
        hs = [x.new_zeros(self.members, x.shape[1], self.hidden_size)]  # hs[t] = h_t
        for t in range(x.shape[2]):
            a = torch.baddbmm(xa[:, :, t], hs[-1], self.Wh)  # (S, B, H)
            if cfg.skip and t + 1 >= cfg.skip:
                a = torch.baddbmm(a, hs[t + 1 - cfg.skip], self.Ws)  # h_{t+1-d}, 1-based
            h = act(a)
            hs.append(cfg.alpha * hs[-1] + (1 - cfg.alpha) * h if cfg.alpha else h)
        return torch.stack(hs[1:], dim=2)  # (S, B, T, H)

    def forward(self, x: Tensor, targets: Tensor | None = None
                ) -> tuple[Tensor, Tensor | None]:
        """(y_hat, loss): predictions y_hat (S, B) from the last states, for x: (B, T, D)
        or (S, B, T, D); with targets y: (S, B) or (B,), loss: (S,) each member's mean
        squared error (None without targets)."""
        y_hat = torch.baddbmm(self.by[:, None, :], self.states(x)[:, :, -1], self.Wy)[..., 0]
        if targets is None:
            return y_hat, None
        return y_hat, torch.mean((y_hat - targets) ** 2, dim=-1)

    def clip_gradients(self, max_norm: float) -> Tensor:
        """`clip_per_member` on this module's gradients; returns the norms (S,)."""
        return clip_per_member(list(self.parameters()), max_norm)


def _remedy_init(D: int, H: int, config: RemedyConfig, generator: torch.Generator,
                 dtype: torch.dtype) -> dict[str, Tensor]:
    """One member's initial weights, drawn from `generator` in a fixed order."""
    k = 1 / np.sqrt(H)

    def uniform(*shape):  # nn.RNN's default: U(-1/sqrt(H), 1/sqrt(H))
        return (2 * torch.rand(shape, generator=generator, dtype=dtype) - 1) * k

    if config.input_std is None:
        Wx = uniform(D, H)
    else:
        Wx = config.input_std * torch.randn(D, H, generator=generator, dtype=dtype)
    if config.init == "identity":
        Wh = torch.eye(H, dtype=dtype)
    elif config.init == "orthogonal":
        Q, R = torch.linalg.qr(torch.randn(H, H, generator=generator, dtype=dtype))
        Wh = Q * torch.sign(torch.diagonal(R))
    else:
        Wh = uniform(H, H)
    out = {"Wx": Wx, "Wh": Wh}
    if config.skip:
        out["Ws"] = uniform(H, H)
    out |= {"b": torch.zeros(H, dtype=dtype), "Wy": uniform(H, 1),
            "by": torch.zeros(1, dtype=dtype)}
    return out


def clip_per_member(params: list[Tensor], max_norm: float) -> Tensor:
    """Rescale the gradients of each member (leading axis S of every parameter) so that
    its global norm is at most max_norm, as clip_grad_norm_ does for one model:
    g <- g * min(1, max_norm / (norm + 1e-6)). Returns the norms before clipping: (S,)."""
    grads = [p.grad for p in params if p.grad is not None]
    S = grads[0].shape[0]
    norms = torch.sqrt(sum((g.reshape(S, -1) ** 2).sum(dim=1) for g in grads))
    coef = torch.clamp(max_norm / (norms + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef.view(S, *([1] * (g.dim() - 1))))
    return norms


def cliff_loss(w: Tensor, b: Tensor, T: int = 50, h0: float = 0.5,
               target: float = 0.7) -> Tensor:
    """Loss (h_T - target)^2 of the one-unit RNN h_t = tanh(w h_{t-1} + b) from h_0 = h0.

    w, b: tensors of the same shape (scalars, or a grid to draw the whole surface at
    once). Returns a tensor of that shape. For w > 1 and |b| below a critical
    bias b_c(w) the unit has two stable states, and a small change of b can switch which
    one it ends in: the loss has a cliff.
    """
    h = torch.full_like(w, h0)
    for _ in range(T):
        h = torch.tanh(w * h + b)
    return (h - target) ** 2
