"""Attention read as a recurrence (Chapter 10): linear attention and the delta rule.

Both layers project the input x_t (B, D) to a query q_t, a key k_t and a value v_t
(d each) and keep a matrix state S_t (B, d, d) that maps keys to values: a read is
q_t S_t (row vectors, `book/notation`), a fixed-size memory however long the sequence.

    LinearAttention  Katharopoulos et al. (2020): with the feature map phi(x) = elu(x) + 1
                     in place of the softmax's exp, causal attention is the recurrence
                     S_t = S_{t-1} + phi(k_t)^T v_t, z_t = z_{t-1} + phi(k_t),
                     o_t = phi(q_t) S_t / (phi(q_t) . z_t); in parallel,
                     O = (tril(phi(Q) phi(K)^T) V) / (tril(phi(Q) phi(K)^T) 1).
    DeltaNet         the delta rule (Schlag et al. 2021; Yang et al. 2024's DeltaNet): with
                     unit-norm keys and a write strength beta_t = sigmoid(x_t w_beta),
                     S_t = S_{t-1} + beta_t k_t^T (v_t - k_t S_{t-1}): the value stored
                     under k_t moves a step beta_t towards v_t, overwriting instead of only
                     adding. In parallel: the written vectors u_t = beta_t (v_t - k_t S_{t-1})
                     solve one lower-triangular system, (I + diag(beta) tril(K K^T, -1)) U
                     = diag(beta) V, and O = tril(Q K^T) U.

    SoftmaxAttention the reference: causal scaled dot-product attention, one head, whose
                     "state" is the cache of every key and value so far (2 t d numbers
                     at step t, growing with the sequence, where the two above keep d^2)

`forward(x, method="parallel" | "loop")` gives every output; `step(x_t, state)` one step;
the two are tested against each other.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnncourse.models.linear_rnn import _check_x


def _step_by_step(layer: nn.Module, x: Tensor) -> Tensor:
    """Every output of `layer.step` run over x (B, T, D) from an empty state."""
    state, out = None, []
    for t in range(x.shape[1]):
        o, state = layer.step(x[:, t], state)
        out.append(o)
    return torch.stack(out, 1)


def _check_method(name: str, method: str) -> None:
    if method not in ("parallel", "loop"):
        raise ValueError(f"{name}: `method` must be 'parallel' or 'loop', got {method!r}.")


class LinearAttention(nn.Module):
    """Causal linear attention with phi = elu + 1, one head of size d."""

    def __init__(self, D: int, d: int) -> None:
        super().__init__()
        self.D, self.d = D, d
        self.q, self.k, self.v = (nn.Linear(D, d, bias=False) for _ in range(3))

    def features(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        return F.elu(self.q(x)) + 1, F.elu(self.k(x)) + 1, self.v(x)

    def forward(self, x: Tensor, method: str = "parallel") -> Tensor:
        """x (B, T, D) -> outputs (B, T, d)."""
        x = _check_x("LinearAttention", x, self.D)
        _check_method("LinearAttention", method)
        if method == "loop":
            return _step_by_step(self, x)
        q, k, v = self.features(x)
        scores = torch.tril(q @ k.transpose(1, 2))                    # (B, T, T), causal
        return (scores @ v) / scores.sum(-1, keepdim=True)

    def step(self, x_t: Tensor, state: tuple[Tensor, Tensor] | None = None
             ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """x_t (B, D), state (S (B, d, d), z (B, d)) or None -> (o_t (B, d), new state)."""
        q, k, v = self.features(x_t)
        S = k[:, :, None] * v[:, None, :]
        z = k
        if state is not None:
            S, z = state[0] + S, state[1] + z
        o = (q[:, None, :] @ S)[:, 0] / (q * z).sum(-1, keepdim=True)
        return o, (S, z)


class DeltaNet(nn.Module):
    """One head of the delta rule with unit-norm keys and write strength beta_t."""

    def __init__(self, D: int, d: int) -> None:
        super().__init__()
        self.D, self.d = D, d
        self.q, self.k, self.v = (nn.Linear(D, d, bias=False) for _ in range(3))
        self.beta = nn.Linear(D, 1)

    def features(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        k = F.normalize(self.k(x), dim=-1)
        return self.q(x), k, self.v(x), torch.sigmoid(self.beta(x))

    def forward(self, x: Tensor, method: str = "parallel") -> Tensor:
        """x (B, T, D) -> outputs (B, T, d), o_t = q_t S_t."""
        x = _check_x("DeltaNet", x, self.D)
        _check_method("DeltaNet", method)
        if method == "loop":
            return _step_by_step(self, x)
        q, k, v, beta = self.features(x)
        T = x.shape[1]
        eye = torch.eye(T, dtype=x.dtype, device=x.device)
        system = eye + beta * torch.tril(k @ k.transpose(1, 2), diagonal=-1)
        u = torch.linalg.solve_triangular(system, beta * v, upper=False)  # (B, T, d)
        return torch.tril(q @ k.transpose(1, 2)) @ u

    def step(self, x_t: Tensor, S: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """x_t (B, D), S (B, d, d) or None (zeros) -> (o_t (B, d), new S)."""
        q, k, v, beta = self.features(x_t)
        if S is None:
            S = torch.zeros(x_t.shape[0], self.d, self.d, dtype=x_t.dtype, device=x_t.device)
        read = (k[:, None, :] @ S)[:, 0]                               # k_t S_{t-1}
        S = S + beta[:, :, None] * k[:, :, None] * (v - read)[:, None, :]
        return (q[:, None, :] @ S)[:, 0], S


class SoftmaxAttention(nn.Module):
    """Causal softmax attention, one head of size d: o_t = softmax_s<=t(q_t . k_s / sqrt(d))
    weighted mean of v_s (Chapter 9's attention), its cache growing by one key and value a
    step."""

    def __init__(self, D: int, d: int) -> None:
        super().__init__()
        self.D, self.d = D, d
        self.q, self.k, self.v = (nn.Linear(D, d, bias=False) for _ in range(3))

    def forward(self, x: Tensor, method: str = "parallel") -> Tensor:
        """x (B, T, D) -> outputs (B, T, d)."""
        x = _check_x("SoftmaxAttention", x, self.D)
        _check_method("SoftmaxAttention", method)
        if method == "loop":
            return _step_by_step(self, x)
        q, k, v = self.q(x), self.k(x), self.v(x)
        T = x.shape[1]
        future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
        scores = (q @ k.transpose(1, 2) / self.d ** 0.5).masked_fill(future, float("-inf"))
        return torch.softmax(scores, -1) @ v

    def step(self, x_t: Tensor, cache: tuple[Tensor, Tensor] | None = None
             ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """x_t (B, D), cache (K (B, t, d), V (B, t, d)) or None -> (o_t (B, d), new cache)."""
        q, k, v = self.q(x_t), self.k(x_t)[:, None], self.v(x_t)[:, None]
        K, V = (k, v) if cache is None else (torch.cat([cache[0], k], 1),
                                             torch.cat([cache[1], v], 1))
        w = torch.softmax((K @ q[:, :, None])[..., 0] / self.d ** 0.5, -1)   # (B, t)
        return (w[:, None, :] @ V)[:, 0], (K, V)
