"""A label at every step over any recurrent layer (Chapter 10's state-tracking tasks).

`StepTagger(kind, V, C)` reads token ids (B, T), embeds them, runs one recurrent layer
and labels each step from its state: an RMS normalisation of the state (so a linear
recurrence whose state shrinks or grows over a long sequence is read at its direction),
then a small MLP to C classes. The layers, `LAYERS`:

    rnn, lstm, gru      torch's nonlinear cells (Chapters 2-5)
    mingru              minGRU: decays 1 - z_t in (0, 1) (linear_rnn.MinGRU)
    linear-positive     a diagonal linear RNN, decays sigmoid(.) in (0, 1)
    linear-signed       the same with decays 2 sigmoid(.) - 1 in (-1, 1)
                        (linear_rnn.GatedLinearRNN)
    ssm-lti, ssm-selective   a diagonal state space with N states per channel, its step
                        size, input and read-out the same at every step or computed from
                        the token (linear_rnn.DiagonalSSM; H channels, so tokens are
                        embedded in H dimensions)
    linear-attention, deltanet, softmax-attention   one head of size H over the sequence
                        (models.linear_attention), a d x d matrix state or, for softmax
                        attention, the cache of every key and value

`shift=True` adds to each token's embedding a learned map of the previous token's (a
one-step causal shift), so that one layer can bind a key to the value that follows it.

With `depth` > 1, more layers of the same kind follow the first, each adding its output
to its input (read through an RMS normalisation), as in Mamba's and the LRU's stacks.
forward(x, targets=None) -> (logits (B, T, C), loss): the mean cross-entropy over the steps
whose target is not `ignore` (-100).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnncourse.models.linear_attention import DeltaNet, LinearAttention, SoftmaxAttention
from rnncourse.models.linear_rnn import DiagonalSSM, GatedLinearRNN, MinGRU

LAYERS = ("rnn", "lstm", "gru", "mingru", "linear-positive", "linear-signed", "ssm-lti",
          "ssm-selective", "linear-attention", "deltanet", "softmax-attention")
IGNORE = -100


def _layer(kind: str, D: int, H: int, N: int) -> nn.Module:
    """One recurrent layer of `kind`, D inputs, H outputs (state spaces: D = H channels)."""
    if kind.startswith("ssm"):
        return DiagonalSSM(H, N, selective=kind == "ssm-selective")
    if kind in ("rnn", "lstm", "gru"):
        return {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](D, H, batch_first=True)
    if kind == "mingru":
        return MinGRU(D, H)
    if kind.endswith(("attention", "deltanet")):
        return {"linear-attention": LinearAttention, "deltanet": DeltaNet,
                "softmax-attention": SoftmaxAttention}[kind](D, H)
    return GatedLinearRNN(D, H, kind.removeprefix("linear-"))


def _out(result) -> Tensor:
    """Every step's output of a layer: recurrent layers return (outputs, state)."""
    return result[0] if isinstance(result, tuple) else result


class StepTagger(nn.Module):
    def __init__(self, kind: str, V: int, C: int, E: int = 16, H: int = 32, M: int = 32,
                 N: int = 8, depth: int = 1, shift: bool = False) -> None:
        super().__init__()
        if kind not in LAYERS:
            raise ValueError(f"StepTagger: `kind` must be one of {LAYERS}, got {kind!r}.")
        if not (isinstance(depth, int) and depth >= 1):
            raise ValueError(f"StepTagger: `depth` must be a positive int, got {depth!r}.")
        self.kind, self.V = kind, V
        self.embed = nn.Embedding(V, H if kind.startswith("ssm") else E)
        self.layer = _layer(kind, H if kind.startswith("ssm") else E, H, N)
        self.norm = nn.RMSNorm(H, elementwise_affine=False)
        self.read = nn.Sequential(nn.Linear(H, M), nn.ReLU(), nn.Linear(M, C))
        # layers 2..depth: h <- h + layer(RMSNorm(h)), H to H
        self.more = nn.ModuleList(_layer(kind, H, H, N) for _ in range(depth - 1))
        self.more_norms = nn.ModuleList(nn.RMSNorm(H, elementwise_affine=False)
                                        for _ in range(depth - 1))
        width = self.embed.embedding_dim
        self.shift = nn.Linear(width, width, bias=False) if shift else None

    def forward(self, x: Tensor, targets: Tensor | None = None
                ) -> tuple[Tensor, Tensor | None]:
        x = torch.as_tensor(x)
        if x.dim() != 2 or x.dtype != torch.int64:
            raise ValueError(f"StepTagger: `x` must be int64 token ids of shape (B, T), got "
                             f"{x.dtype} {tuple(x.shape)}.")
        if x.numel() and (x.min() < 0 or x.max() >= self.V):
            raise ValueError(f"StepTagger: `x` holds ids outside 0..V-1={self.V - 1}.")
        e = self.embed(x)
        if self.shift is not None:                  # e_t + e_{t-1} W_shift (zeros before t=1)
            e = e + self.shift(nn.functional.pad(e, (0, 0, 1, 0))[:, :-1])
        h = _out(self.layer(e))                                        # (B, T, H)
        for layer, norm in zip(self.more, self.more_norms, strict=True):
            h = h + _out(layer(norm(h)))
        logits = self.read(self.norm(h))
        if targets is None:
            return logits, None
        targets = torch.as_tensor(targets)
        if targets.shape != x.shape:
            raise ValueError(f"StepTagger: `targets` must have the shape of x, {tuple(x.shape)}"
                             f", got {tuple(targets.shape)}.")
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                           targets.reshape(-1), ignore_index=IGNORE)
        return logits, loss
