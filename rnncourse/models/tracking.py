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

forward(x, targets=None) -> (logits (B, T, C), loss): the mean cross-entropy over the steps
whose target is not `ignore` (-100).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnncourse.models.linear_rnn import DiagonalSSM, GatedLinearRNN, MinGRU

LAYERS = ("rnn", "lstm", "gru", "mingru", "linear-positive", "linear-signed", "ssm-lti",
          "ssm-selective")
IGNORE = -100


class StepTagger(nn.Module):
    def __init__(self, kind: str, V: int, C: int, E: int = 16, H: int = 32, M: int = 32,
                 N: int = 8) -> None:
        super().__init__()
        if kind not in LAYERS:
            raise ValueError(f"StepTagger: `kind` must be one of {LAYERS}, got {kind!r}.")
        self.kind, self.V = kind, V
        self.embed = nn.Embedding(V, H if kind.startswith("ssm") else E)
        if kind.startswith("ssm"):
            self.layer = DiagonalSSM(H, N, selective=kind == "ssm-selective")
        elif kind in ("rnn", "lstm", "gru"):
            self.layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](
                E, H, batch_first=True)
        elif kind == "mingru":
            self.layer = MinGRU(E, H)
        else:
            self.layer = GatedLinearRNN(E, H, kind.removeprefix("linear-"))
        self.norm = nn.RMSNorm(H, elementwise_affine=False)
        self.read = nn.Sequential(nn.Linear(H, M), nn.ReLU(), nn.Linear(M, C))

    def forward(self, x: Tensor, targets: Tensor | None = None
                ) -> tuple[Tensor, Tensor | None]:
        x = torch.as_tensor(x)
        if x.dim() != 2 or x.dtype != torch.int64:
            raise ValueError(f"StepTagger: `x` must be int64 token ids of shape (B, T), got "
                             f"{x.dtype} {tuple(x.shape)}.")
        if x.numel() and (x.min() < 0 or x.max() >= self.V):
            raise ValueError(f"StepTagger: `x` holds ids outside 0..V-1={self.V - 1}.")
        h = self.layer(self.embed(x))[0]                                # (B, T, H)
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
