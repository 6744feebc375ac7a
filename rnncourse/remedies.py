"""Remedies for vanishing and exploding gradients, and the tasks that test them (Chapter 4).

- Matrices: `orthogonal`, `scale_to_spectral_radius`, `non_normal_matrix` (spectral
  radius below 1, largest singular value above 1).
- Echo-state network: a fixed random reservoir (`esn_reservoir`; it runs with
  `rnn.rnn_forward`); its read-out is `rnncourse.ridge.ridge_readout`.
- Leaky units: `leaky_step_forward`, h_t = alpha h_{t-1} + (1 - alpha) tanh(a_t).
- `RemedyRNN`: one torch module for the trainable variants (tanh or ReLU, uniform,
  orthogonal or identity init, leaky units, skip connections through time), holding S
  independently initialised members that train side by side (several seeds at once).
- `recall_first`: the task all remedies are compared on; `cliff_loss`: the one-unit RNN
  whose loss surface has a cliff; `train_regressor`: Adam with clipping per member.

Shapes: S members (independent copies), B batch, T time steps, D input features, H hidden
size. Batch-first throughout (after the member axis).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from rnncourse.shapes import Shapes


def orthogonal(H: int, rng: np.random.Generator) -> np.ndarray:
    """A random orthogonal (H, H) matrix, uniform (Haar) over the orthogonal group.

    QR of a Gaussian matrix, with the signs of R's diagonal moved into Q so that the
    distribution does not depend on the QR routine's sign convention.
    """
    Q, R = np.linalg.qr(rng.standard_normal((H, H)))
    return Q * np.sign(np.diag(R))  # flip column j when R[j, j] < 0


def spectral_radius(W: np.ndarray) -> float:
    """max |eigenvalue| of the square matrix W."""
    return float(np.abs(np.linalg.eigvals(W)).max())


def scale_to_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """W rescaled so that its spectral radius is exactly `rho` (a new array)."""
    W = Shapes("scale_to_spectral_radius").check("W", W, "H H")
    current = spectral_radius(W)
    if current == 0:
        raise ValueError("scale_to_spectral_radius: `W` is nilpotent (all eigenvalues 0); "
                         "no rescaling can give it a positive spectral radius.")
    return W * (rho / current)


def non_normal_matrix(H: int, rho: float, coupling: float,
                      rng: np.random.Generator | None = None) -> np.ndarray:
    """W = Q (rho I + coupling S) Q^T with S the shift (ones on the superdiagonal).

    Every eigenvalue is rho (the matrix in brackets is triangular), so the spectral
    radius is |rho|, while the largest singular value is about |rho| + |coupling|: a
    non-normal matrix whose powers W^L grow before they decay when rho < 1 < rho +
    coupling. Q is a random orthogonal matrix if `rng` is given (same eigenvalues and
    singular values, less visible structure), the identity otherwise.
    """
    W = rho * np.eye(H) + coupling * np.eye(H, k=1)
    if rng is None:
        return W
    Q = orthogonal(H, rng)
    return Q @ W @ Q.T


def esn_reservoir(D: int, H: int, rho: float, rng: np.random.Generator,
                  input_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Fixed weights (W_in, W) of an echo-state network (Jaeger & Haas, 2004).

    W_in: (D, H) uniform in [-input_scale, input_scale]; W: (H, H) Gaussian rescaled to
    spectral radius `rho`. The reservoir is the tanh RNN h_t = tanh(x_t W_in + h_{t-1} W),
    so `rnn.rnn_forward(x, h0, W_in, W, np.zeros(H))` runs it; only a read-out is trained.
    """
    W_in = rng.uniform(-input_scale, input_scale, size=(D, H))
    W = scale_to_spectral_radius(rng.standard_normal((H, H)), rho)
    return W_in, W


def leaky_step_forward(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                       b: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """One step of a leaky tanh unit: h = alpha h_prev + (1 - alpha) tanh(x Wx + h_prev Wh + b).

    x: (B, D), h_prev: (B, H), Wx: (D, H), Wh: (H, H), b: (H,); alpha: a scalar or (H,)
    per-unit leak rates in [0, 1]. alpha = 0 is the plain tanh RNN; alpha near 1 is a
    slow moving average of what the unit would otherwise compute. Returns h: (B, H).
    """
    shp = Shapes("leaky_step_forward")
    shp.check("x", x, "B D")
    shp.check("h_prev", h_prev, "B H")
    shp.check("Wx", Wx, "D H")
    shp.check("Wh", Wh, "H H")
    shp.check("b", b, "H")
    alpha = np.asarray(alpha, dtype=float)
    if np.any(alpha < 0) or np.any(alpha > 1):
        raise ValueError("leaky_step_forward: `alpha` must lie in [0, 1].")
    return alpha * h_prev + (1 - alpha) * np.tanh(x @ Wx + h_prev @ Wh + b)


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

    def forward(self, x: Tensor) -> Tensor:
        """Predictions y_hat: (S, B) from the last states, for x: (B, T, D) or (S, B, T, D)."""
        return torch.baddbmm(self.by[:, None, :], self.states(x)[:, :, -1], self.Wy)[..., 0]


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


def recall_first(B: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The "remember the first value" task: x (B, T, 2), y (B,).

    x[..., 0] holds values uniform in [-1, 1] at every step (distractors after the
    first); x[..., 1] is a marker, 1 at the first step and 0 elsewhere. The target is
    the first value, y = x[:, 0, 0], read after T steps. Predicting 0 scores
    MSE = Var(y) = 1/3.
    """
    if T < 1:
        raise ValueError(f"recall_first: `T` must be at least 1, got T={T}.")
    values = rng.uniform(-1.0, 1.0, size=(B, T))
    marker = np.zeros((B, T))
    marker[:, 0] = 1.0
    return np.stack([values, marker], axis=-1), values[:, 0].copy()


RECALL_BASELINE_MSE = 1.0 / 3.0  # MSE of predicting 0 for a value uniform in [-1, 1]


def train_regressor(model: nn.Module, batch: Callable[[int], tuple[Tensor, Tensor]],
                    steps: int, lr: float, clip: float | None = 1.0,
                    progress: bool = False) -> np.ndarray:
    """Adam on the mean squared error for `steps` updates; returns losses: (steps, S).

    `model(x)` returns predictions (S, B) of S independent members (a `RemedyRNN`);
    batch(i) -> (x, y) gives the i-th training batch, x: (S, B, T, D) with y: (S, B) (each
    member its own data) or x: (B, T, D) with y: (B,) (shared). Each member's loss is
    its own batch mean, and clip is the largest global gradient norm *per member*
    (the rule of torch.nn.utils.clip_grad_norm_ applied to each member's parameters);
    None for no clipping. Adam acts entrywise, so the members train exactly as if apart.
    """
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    losses = []
    for i in tqdm(range(steps), disable=not progress, leave=False):
        x, y = batch(i)
        member_loss = torch.mean((model(x) - y) ** 2, dim=-1)  # (S,)
        opt.zero_grad()
        member_loss.sum().backward()  # members share no parameters: separate gradients
        if clip is not None:
            clip_per_member(params, clip)
        opt.step()
        losses.append(member_loss.detach().numpy().copy())
    return np.array(losses)


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
    once). Returns a tensor of that shape. For w > 1 the unit has two stable states and
    a small change of b can switch which one it ends in: the loss has a cliff.
    """
    h = torch.full_like(w, h0)
    for _ in range(T):
        h = torch.tanh(w * h + b)
    return (h - target) ** 2
