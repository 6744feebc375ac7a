"""Attention modules in torch: additive (Bahdanau et al. 2015), dot and general (Luong
et al. 2015), the same equations as `scratch.attention` (tested against it).

Every module is called as

    context, weights = attn(query, keys, mask, prepared=None)

query (B, Hq), keys (B, S, Hk), mask (B, S) bool (True on real source positions) ->
context (B, Hk), weights (B, S) summing to 1 over the real positions and exactly 0 on
padding. Terms that depend only on the keys (U k_j, W_g k_j) are the same at every
decoder step: `prepare(keys)` computes them once per source, and passing the result as
`prepared` skips recomputing them.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def _check(func: str, query: Tensor, keys: Tensor, mask: Tensor) -> None:
    if keys.dim() != 3 or query.dim() != 2 or query.shape[0] != keys.shape[0]:
        raise ValueError(f"{func}: `query` must be (B, Hq) and `keys` (B, S, Hk) with the same "
                         f"B; got {tuple(query.shape)} and {tuple(keys.shape)}.")
    if mask.shape != keys.shape[:2] or mask.dtype != torch.bool:
        raise ValueError(f"{func}: `mask` must be a bool tensor of shape (B, S) = "
                         f"{tuple(keys.shape[:2])}, got {tuple(mask.shape)} {mask.dtype}.")


def masked_softmax(scores: Tensor, mask: Tensor) -> Tensor:
    """(B, S) scores -> (B, S) weights: softmax over the positions where mask is True,
    exactly 0 elsewhere. Every row needs a real position."""
    if scores.shape != mask.shape or mask.dtype != torch.bool:
        raise ValueError(f"masked_softmax: `mask` must be bool with the shape of `scores` "
                         f"{tuple(scores.shape)}, got {tuple(mask.shape)} {mask.dtype}.")
    if not bool(mask.any(dim=-1).all()):
        raise ValueError("masked_softmax: a row of `mask` has no real position.")
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)


class Additive(nn.Module):
    """e_j = tanh(q W_q + k_j W_k) . v, with W_q = `W.weight.T` (Hq, A), W_k = `U.weight.T`
    (Hk, A), v: (A,)."""

    def __init__(self, Hq: int, Hk: int, A: int) -> None:
        super().__init__()
        self.W = nn.Linear(Hq, A, bias=False)
        self.U = nn.Linear(Hk, A, bias=False)
        self.v = nn.Parameter(torch.empty(A).uniform_(-A ** -0.5, A ** -0.5))

    def prepare(self, keys: Tensor) -> Tensor:
        return self.U(keys)                                         # (B, S, A)

    def scores(self, query: Tensor, keys: Tensor, prepared: Tensor | None = None) -> Tensor:
        Uk = self.prepare(keys) if prepared is None else prepared
        return torch.tanh(self.W(query)[:, None, :] + Uk) @ self.v   # (B, S)

    def forward(self, query, keys, mask, prepared=None):
        _check("Additive", query, keys, mask)
        w = masked_softmax(self.scores(query, keys, prepared), mask)
        return (w[..., None] * keys).sum(1), w


class Dot(nn.Module):
    """e_j = q . k_j (needs Hq = Hk); no parameters."""

    def prepare(self, keys: Tensor) -> Tensor:
        return keys

    def scores(self, query: Tensor, keys: Tensor, prepared: Tensor | None = None) -> Tensor:
        if query.shape[-1] != keys.shape[-1]:
            raise ValueError(f"Dot: query size {query.shape[-1]} must equal key size "
                             f"{keys.shape[-1]}; use General for different sizes.")
        return torch.einsum("bh,bsh->bs", query, keys)

    def forward(self, query, keys, mask, prepared=None):
        _check("Dot", query, keys, mask)
        w = masked_softmax(self.scores(query, keys), mask)
        return (w[..., None] * keys).sum(1), w


class General(nn.Module):
    """e_j = q . (k_j W_g), with W_g = `Wg.weight.T` (Hk, Hq)."""

    def __init__(self, Hq: int, Hk: int) -> None:
        super().__init__()
        self.Wg = nn.Linear(Hk, Hq, bias=False)

    def prepare(self, keys: Tensor) -> Tensor:
        return self.Wg(keys)                                        # (B, S, Hq)

    def scores(self, query: Tensor, keys: Tensor, prepared: Tensor | None = None) -> Tensor:
        Wk = self.prepare(keys) if prepared is None else prepared
        return torch.einsum("bh,bsh->bs", query, Wk)

    def forward(self, query, keys, mask, prepared=None):
        _check("General", query, keys, mask)
        w = masked_softmax(self.scores(query, keys, prepared), mask)
        return (w[..., None] * keys).sum(1), w


KINDS = ("additive", "dot", "general")


def make(kind: str, Hq: int, Hk: int, A: int | None = None) -> nn.Module:
    """An attention module by name: "additive" (A = Hq by default), "dot", "general"."""
    if kind == "additive":
        return Additive(Hq, Hk, A or Hq)
    if kind == "dot":
        if Hq != Hk:
            raise ValueError(f"make: dot attention needs Hq = Hk, got {Hq} and {Hk}.")
        return Dot()
    if kind == "general":
        return General(Hq, Hk)
    raise ValueError(f"make: unknown attention {kind!r}; choose from {KINDS}.")
