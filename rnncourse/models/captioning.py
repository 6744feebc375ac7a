"""Image captioning (Chapter 8): Show and Tell without attention, and Show, Attend and Tell
with soft attention over the CNN's feature grid.

The encoder (`vision.GridEncoder`) turns an image into a_1..a_L (B, L, D). As in Xu et al.
(2015), the LSTM's first state comes from the mean feature: h_0 = tanh(mean_l a_l W_h +
b_h), c_0 likewise. At output step t (y_0 = BOS):

- attention=True (soft attention, Xu et al. 2015): the previous state scores every grid
  position, alpha_t = softmax_l(tanh(h_{t-1} W_q + a_l W_k) . v), z_t = sum_l alpha_tl a_l;
- attention=False (Show and Tell style, one vector for the whole image): z_t = mean_l a_l
  at every step;
- hard=True (stochastic hard attention, Xu et al. 2015): the same alpha_t, but z_t = a_s
  for one position s ~ Categorical(alpha_t) in training (the most probable position in
  eval mode, for captions and maps);

then (h_t, c_t) = LSTM([E y_{t-1}; z_t], (h_{t-1}, c_{t-1})) and the logits are
[h_t; z_t; E y_{t-1}] W_o + b_o. Training is teacher-forced, on the mean cross-entropy of
the real caption tokens plus, with attention, `penalty` times Xu et al.'s doubly
stochastic term sum_l (1 - sum_t alpha_tl)^2 (averaged over the batch, t over real steps),
which asks every position to be looked at about once over the caption.

With hard attention no gradient reaches the scores through the sample. Following Xu et al.,
the loss adds the REINFORCE term (Williams 1992; `scratch.reinforce` for one choice)
-(R_b - baseline) * sum_t log alpha_{t, s_t}, with R_b = log p(caption b | the sampled
positions) = minus the sum of its words' cross-entropies (detached), summed over the batch
and divided by the number of real words as the cross-entropy is, the baseline a moving
average of the mean R (0.9 old, 0.1 new, updated by every training forward), minus
`entropy` times the mean entropy of alpha_t (Xu et al.'s entropy term).

forward(x, targets) -> (logits, loss) with x = images (B, 3, 48, 48) and targets (B, T)
word ids ending in EOS, PAD after (`data.chardata.WordVocab`). Decoding follows
`models.search`'s protocol (`begin`, `step`): `teacher_forced`, `greedy` (batched, each
step fed its own previous word), `beam_search` (one image) and `step_fn` (the
single-hypothesis interface of `scratch.search`'s beam search) are `models.search`'s.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn

from rnncourse.data.specials import BOS as BOS
from rnncourse.data.specials import EOS as EOS
from rnncourse.data.specials import PAD as PAD
from rnncourse.models import attention as attn_mod
from rnncourse.models import search, vision


def doubly_stochastic(weights: Tensor, real: Tensor) -> Tensor:
    """Xu et al.'s penalty sum_l (1 - sum_t alpha_tl)^2, averaged over the batch: weights
    (B, T, L), real (B, T) bool (steps that count) -> scalar."""
    coverage = (weights * real[..., None]).sum(1)                 # (B, L)
    return ((1.0 - coverage) ** 2).sum(1).mean()


class Captioner(nn.Module):
    def __init__(self, V: int, D: int = 32, E: int = 32, H: int = 96,
                 attention: bool = True, penalty: float = 0.0, pooling: str = "mean",
                 hard: bool = False, entropy: float = 0.0) -> None:
        super().__init__()
        if penalty and not attention:
            raise ValueError("Captioner: the doubly stochastic `penalty` needs attention=True.")
        if hard and not attention:
            raise ValueError("Captioner: `hard` attention needs attention=True.")
        if entropy and not hard:
            raise ValueError("Captioner: the `entropy` term belongs to hard attention "
                             "(hard=True).")
        self.hard, self.entropy = hard, entropy
        self.register_buffer("baseline", torch.zeros(()))
        if pooling not in ("mean", "flat"):
            raise ValueError(f"Captioner: `pooling` must be 'mean' or 'flat', got {pooling!r}.")
        self.encoder = vision.GridEncoder(D)
        self.emb = nn.Embedding(V, E, padding_idx=PAD)
        self.init_h, self.init_c = nn.Linear(D, H), nn.Linear(D, H)
        self.attn = attn_mod.Additive(H, D, H) if attention else None
        # without attention, one vector for the image: the mean feature ("mean"), or a
        # learned linear map of the whole flattened grid ("flat"), which keeps positions
        self.summary = None if attention or pooling == "mean" else nn.Linear(
            vision.GRID ** 2 * D, D)
        self.cell = nn.LSTMCell(E + D, H)
        self.out = nn.Linear(H + D + E, V)
        self.V, self.penalty = V, penalty
        self.register_buffer("never", search.never_outputs(V), persistent=False)

    def image_vector(self, grid: Tensor) -> Tensor:
        """(B, L, D) -> (B, D): the mean feature (Xu et al.'s initial state), or the learned
        summary of the whole grid (pooling="flat", without attention)."""
        return grid.mean(1) if self.summary is None else torch.tanh(self.summary(grid.flatten(1)))

    def start(self, grid: Tensor) -> tuple[Tensor, Tensor]:
        f = self.image_vector(grid)                                # (B, D)
        return torch.tanh(self.init_h(f)), torch.tanh(self.init_c(f))

    def begin(self, x) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor | None]]:
        """`models.search`'s protocol: images (B, 3, 48, 48) -> ((h_0, c_0), memory =
        (grid (B, L, D), the attention's key-only terms or None))."""
        grid = self.encoder(torch.as_tensor(x))
        prepared = None if self.attn is None else self.attn.prepare(grid)
        return self.start(grid), (grid, prepared)

    def step(self, y_prev: Tensor, state, grid, prepared: Tensor | None = None):
        """y_prev (B,) ids -> (logits (B, V), new state, weights (B, L) or None). `grid` is
        the memory that `begin` returns (`models.search`'s protocol), or the grid (B, L, D)
        itself with its `prepared` terms."""
        return self._step(y_prev, state, grid, prepared)[:3]

    def _step(self, y_prev: Tensor, state, grid, prepared: Tensor | None = None):
        """`step`, and the position each row looked at (B,) with hard attention (else None)."""
        if isinstance(grid, tuple):
            grid, prepared = grid
        h, c = state
        pick = None
        if self.attn is None:
            z, w = self.image_vector(grid), None
        else:
            every = torch.ones(grid.shape[:2], dtype=torch.bool, device=grid.device)
            z, w = self.attn(h, grid, every, prepared)             # (B, D), (B, L)
            if self.hard:
                pick = (torch.multinomial(w.detach(), 1)[:, 0] if self.training
                        else w.argmax(-1))
                z = grid[torch.arange(grid.shape[0], device=grid.device), pick]
        e = self.emb(y_prev)
        h, c = self.cell(torch.cat([e, z], -1), (h, c))
        return self.out(torch.cat([h, z, e], -1)) + self.never, (h, c), w, pick

    def hard_forward(self, images: Tensor, targets: Tensor) -> tuple[Tensor, Tensor, dict]:
        """Hard attention's training pass: (logits (B, T, V), loss, parts) with parts the
        cross-entropy, the REINFORCE term, the entropy, the rewards R (B,), the positions
        looked at (B, T) and the weights they were drawn from (B, T, L)."""
        state, memory = self.begin(images)
        inputs = search.shift_right(targets)
        logits, weights, picks = [], [], []
        for i in range(inputs.shape[1]):
            lg, state, w, pick = self._step(inputs[:, i], state, memory)
            logits.append(lg)
            weights.append(w)
            picks.append(pick)
        logits, w, picks = torch.stack(logits, 1), torch.stack(weights, 1), torch.stack(picks, 1)
        real = targets != PAD
        n_real = real.sum()
        nll = nn.functional.cross_entropy(logits.transpose(1, 2), targets, ignore_index=PAD,
                                          reduction="none")          # (B, T), 0 on PAD
        ce = nll.sum() / n_real
        reward = -nll.sum(1).detach()                                # log p(y | s, a), (B,)
        log_pick = torch.log(w.gather(-1, picks[..., None])[..., 0].clamp_min(1e-30))
        advantage = reward - self.baseline
        reinforce = -(advantage * (log_pick * real).sum(1)).sum() / n_real
        ent = -(w * torch.log(w.clamp_min(1e-30))).sum(-1)[real].mean()
        if self.training:
            with torch.no_grad():
                self.baseline.mul_(0.9).add_(0.1 * reward.mean())
        loss = ce + reinforce - self.entropy * ent
        return logits, loss, {"cross_entropy": ce.detach(), "reinforce": reinforce.detach(),
                              "entropy": ent.detach(), "reward": reward, "picks": picks,
                              "weights": w.detach()}

    def teacher_forced(self, images: Tensor, targets: Tensor) -> tuple[Tensor, Tensor | None]:
        """Logits (B, T, V) and weights (B, T, L) (None without attention) when step t is
        fed targets[:, t-1] (BOS at t = 0)."""
        return search.teacher_forced(self, images, search.shift_right(targets))

    def forward(self, x, targets=None):
        """x: images (B, 3, 48, 48); targets (B, T) ending in EOS, PAD after. Returns
        (logits (B, T, V), loss); without targets, (greedy ids (B, <= 16), None)."""
        images = torch.as_tensor(x)
        if targets is None:
            return self.greedy(images, max_len=16)[0], None
        targets = torch.as_tensor(targets)
        if self.hard:
            logits, loss, _ = self.hard_forward(images, targets)
            return logits, loss
        logits, weights = self.teacher_forced(images, targets)
        loss = search.sequence_loss(logits, targets)
        if self.penalty:
            loss = loss + self.penalty * doubly_stochastic(weights, targets != PAD)
        return logits, loss

    def greedy(self, images: Tensor, max_len: int) -> tuple[Tensor, Tensor | None]:
        """Greedy captions: ids (B, U <= max_len), PAD after each row's EOS; weights
        (B, U, L) or None. Each step is fed the model's own previous word."""
        return search.greedy(self, images, max_len)

    def beam_search(self, image: Tensor, width: int, max_len: int, length_norm: float = 0.0
                    ) -> tuple[list[int], float]:
        """Beam search for one image (3, 48, 48), the hypotheses as one batch
        (`search.beam_search`): (tokens, EOS included if emitted; score). As for
        `step_fn`, put the model in eval mode first (BatchNorm)."""
        return search.beam_search(self, torch.as_tensor(image)[None], width, max_len,
                                  length_norm)

    def step_fn(self, image: Tensor) -> tuple[Callable, object]:
        """(step, state0) for one image (3, 48, 48) in scratch.search's interface:
        step(token, state) -> (log-probabilities (V,) as float64 NumPy, next state)."""
        return search.step_fn(self, torch.as_tensor(image)[None])


def caption(model: Captioner, scenes_list, vocab, max_len: int = 14, B: int = 500
            ) -> tuple[list[str], list[np.ndarray | None]]:
    """Greedy captions of scenes (each with an `.image`) in eval mode, the model's mode
    restored: (texts, per scene its weights (U, L) over the grid for the U words emitted,
    EOS included, or None without attention)."""

    def part(chunk):
        ids, w = model.greedy(vision.as_tensor([sc.image for sc in chunk]), max_len)
        return search.crop(ids, w)

    rows = [r for chunk in search.run(model, scenes_list, B, part) for r in chunk]
    return [vocab.decode(ids) for ids, _ in rows], [w for _, w in rows]
