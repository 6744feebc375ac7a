"""Visual question answering (Chapter 8): the captioner's machinery with a question.

The image comes in as a feature grid a_1..a_L (B, L, D), the output of a trained
captioner's encoder (`vision.GridEncoder`), computed once and kept fixed, as VQA models of
the time used the features of a CNN trained for another task. An LSTM reads the question's
words; its final state q (B, H) queries additive attention over the grid, z = sum_l
alpha_l a_l, and an MLP scores the answers from q * tanh(z W_f + b_f) (question and image
fused by an elementwise product). Two baselines share the code:

    mode="attention"  alpha = softmax_l(tanh(q W_q + a_l W_k) . v)
    mode="mean"       z = mean_l a_l (the image as one vector, no attention)
    mode="blind"      no image at all: the MLP sees q only (a question-only baseline, as
                      Antol et al. 2015 and Jabri et al. 2016 report: what the answers'
                      statistics give away)

forward(x, targets) -> (logits (B, n_answers), mean cross-entropy), with
x = (grid (N, L, D), questions (B, T) word ids, lengths (B,), which (B,)): question b is
about image which[b], so one grid serves several questions.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnncourse.data import questions as Q
from rnncourse.data.specials import PAD
from rnncourse.data.tasks import _rng
from rnncourse.models import attention as attn_mod
from rnncourse.models import search, sequence

MODES = ("attention", "mean", "blind")


class VQA(nn.Module):
    def __init__(self, V: int, n_answers: int, D: int = 32, E: int = 32, H: int = 64,
                 mode: str = "attention") -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"VQA: `mode` must be one of {MODES}, got {mode!r}.")
        self.mode = mode
        self.emb = nn.Embedding(V, E, padding_idx=PAD)
        self.rnn = nn.LSTM(E, H, batch_first=True)
        self.attn = attn_mod.Additive(H, D, H) if mode == "attention" else None
        self.fuse = None if mode == "blind" else nn.Linear(D, H)
        self.classify = nn.Sequential(nn.Linear(H, H), nn.ReLU(), nn.Linear(H, n_answers))

    def question(self, questions: Tensor, lengths) -> Tensor:
        """(B, T) ids, (B,) lengths -> q (B, H), the LSTM's state after the last real word."""
        _, (h_n, _) = sequence.pack(self.rnn, self.emb(questions), lengths)
        return h_n[-1]

    def answer(self, x) -> tuple[Tensor, Tensor | None]:
        """x = (grid, questions, lengths, which) -> (logits (B, n_answers), attention
        weights (B, L), None without attention)."""
        grid, questions, lengths, which = x
        q = self.question(torch.as_tensor(questions), lengths)               # (B, H)
        if self.mode == "blind":
            return self.classify(q), None
        grid = torch.as_tensor(grid)[torch.as_tensor(which)]                # (B, L, D)
        if self.attn is None:
            z, w = grid.mean(1), None
        else:
            every = torch.ones(grid.shape[:2], dtype=torch.bool, device=grid.device)
            z, w = self.attn(q, grid, every)                                 # (B, D), (B, L)
        return self.classify(q * torch.tanh(self.fuse(z))), w

    def forward(self, x, targets=None):
        logits, _ = self.answer(x)
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits, torch.as_tensor(targets))


def batch(grid: Tensor, items, q_vocab, answers) -> tuple[tuple, Tensor]:
    """((grid, questions, lengths, which), answer ids) for items (scene index, type,
    question, answer), `data.questions.Item`, whose scene indices point into `grid`."""
    ids, lengths = q_vocab.batch([q for _, _, q, _ in items])
    which = torch.tensor([k for k, _, _, _ in items])
    y = torch.tensor([answers.index(a) for _, _, _, a in items])
    return (grid, torch.from_numpy(ids), torch.from_numpy(lengths), which), y


def training_batches(grid: Tensor, scenes_list, q_vocab, B: int, rng):
    """batch(i) -> (x, answer ids) for `train.fit`: B questions about random scenes of
    `scenes_list` (whose features are `grid`), types drawn as `questions.sample_items`."""
    g = _rng("vqa.training_batches", rng)

    def draw(_i: int):
        picks = g.integers(len(scenes_list), size=B)
        items = [(int(k), *it[1:]) for k in picks
                 for it in Q.sample_items([scenes_list[k]], 1, g)]
        return batch(grid, items, q_vocab, Q.ANSWERS)

    return draw


def predict(model: VQA, grid: Tensor, items, q_vocab, answers, B: int = 1000
            ) -> tuple[np.ndarray, np.ndarray | None]:
    """(right (N,) bool, attention weights (N, L) or None) for every item, in eval mode
    (the model's mode restored; `search.run`)."""

    def part(chunk):
        x, y = batch(grid, chunk, q_vocab, answers)
        logits, w = model.answer(x)
        return (logits.argmax(-1) == y).numpy(), (None if w is None else w.numpy())

    chunks = search.run(model, items, B, part)
    weights = [w for _, w in chunks]
    return (np.concatenate([r for r, _ in chunks]),
            None if weights[0] is None else np.concatenate(weights))
