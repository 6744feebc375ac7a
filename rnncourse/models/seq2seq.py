"""Sequence to sequence with and without attention (Chapter 7), and its decoders.

Encoder: embeddings and a bidirectional GRU (`cell="gru"`, the default; "lstm" or "rnn"
for Chapter 9's comparison: the same equations with that cell, an LSTM's memory cell
starting at 0) run over the real source steps only (`sequence.pack`), giving keys
k_1..k_S (B, S, 2H) and the final states of both directions (B, 2H). The decoder is a
GRU cell (or that `cell`) of size Hd (= 2H) started from
s_0 = tanh(W_init [forward final; backward final]). Its step, by `attention`:

- None (Cho et al. 2014): one fixed context c = the encoder's final states, fed at every
  step: s_i = GRU([E y_{i-1}; c], s_{i-1}), logits = W_o [s_i; c; E y_{i-1}].
- "additive" (Bahdanau et al. 2015): the *previous* state scores, the context enters
  the cell: c_i = attend(s_{i-1}), s_i = GRU([E y_{i-1}; c_i], s_{i-1}),
  logits = W_o [s_i; c_i; E y_{i-1}].
- "dot", "general" (Luong et al. 2015): the *new* state scores, the context is merged
  after the cell: s_i = GRU([E y_{i-1}; h~_{i-1}], s_{i-1}), c_i = attend(s_i),
  h~_i = tanh(W_c [c_i; s_i]), logits = W_s h~_i (h~ fed back: "input feeding").

The order follows the score by default; `order="luong"` with "additive" runs the additive
score in Luong's order (Luong et al.'s *concat* score), so that a comparison can change the
score and the order one at a time (Chapter 7). `order="bahdanau"` with "dot" or "general"
is refused: a dot score between s_{i-1} and the keys is not a model either paper trains.

Targets end in EOS and are padded with PAD (`data.chardata.TokenVocab`); training feeds
the true previous token (teacher forcing), and the loss is the mean cross-entropy over
real target tokens. `forward(x, targets) -> (logits, loss)` with x = (src, lengths), as
`train.fit` expects. Decoding follows `models.search`'s protocol (`begin`, `step`): the
methods `teacher_forced`, `greedy` (batched), `beam_search` (one source, the hypotheses as
a batch) and `step_fn` (the NumPy single-hypothesis interface of `scratch.search`'s
beam search and brute force, against which it is tested) are `models.search`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from rnncourse.data.specials import BOS as BOS
from rnncourse.data.specials import EOS as EOS
from rnncourse.data.specials import PAD as PAD
from rnncourse.models import attention as attn_mod
from rnncourse.models import search, sequence
from rnncourse.models.search import check_src as check_src
from rnncourse.models.search import never_outputs as never_outputs


@dataclass
class Memory:
    """What the decoder reads: keys (B, S, 2H), mask (B, S), final (B, 2H), and the
    attention's key-only terms (`prepared`, None without attention)."""

    keys: Tensor
    mask: Tensor
    final: Tensor
    prepared: Tensor | None = None

    def select(self, index: Tensor) -> Memory:
        """The memory of rows `index` (e.g. one source repeated for every beam)."""
        return search.select(self, index)


CELLS = {"rnn": (nn.RNN, nn.RNNCell), "lstm": (nn.LSTM, nn.LSTMCell), "gru": (nn.GRU, nn.GRUCell)}


class Encoder(nn.Module):
    def __init__(self, V: int, E: int, H: int, cell: str = "gru") -> None:
        super().__init__()
        self.emb = nn.Embedding(V, E, padding_idx=PAD)
        self.rnn = CELLS[cell][0](E, H, batch_first=True, bidirectional=True)

    def forward(self, src: Tensor, lengths) -> tuple[Tensor, Tensor]:
        """src (B, S) ids, lengths (B,) -> keys (B, S, 2H) (zero on padding), final (B, 2H)."""
        keys, h_n = sequence.pack(self.rnn, self.emb(src), lengths)
        if isinstance(h_n, tuple):                  # an LSTM's (h_n, c_n): the states h
            h_n = h_n[0]
        return keys, sequence.final_states(h_n, 1, bidirectional=True)


class Decoder(nn.Module):
    def __init__(self, V: int, E: int, Hk: int, Hd: int, attention: str | None,
                 cell: str = "gru", order: str | None = None) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Decoder: `cell` must be one of {sorted(CELLS)}, got {cell!r}.")
        if attention is not None and attention not in attn_mod.KINDS:
            raise ValueError(f"Decoder: `attention` must be None or one of {attn_mod.KINDS}, "
                             f"got {attention!r}.")
        self.kind = attention
        self.order = check_order(attention, order)
        self.luong = self.order == "luong"
        self.emb = nn.Embedding(V, E, padding_idx=PAD)
        self.init = nn.Linear(Hk, Hd)
        self.Hd = Hd
        self.register_buffer("never", never_outputs(V), persistent=False)
        if self.luong:
            self.attn = attn_mod.make(attention, Hd, Hk)
            self.cell = CELLS[cell][1](E + Hd, Hd)
            self.combine = nn.Linear(Hk + Hd, Hd)
            self.out = nn.Linear(Hd, V)
        else:
            self.attn = None if attention is None else attn_mod.make(attention, Hd, Hk)
            self.cell = CELLS[cell][1](E + Hk, Hd)
            self.out = nn.Linear(Hd + Hk + E, V)
        self.lstm = cell == "lstm"

    def prepare(self, keys: Tensor) -> Tensor | None:
        return None if self.attn is None else self.attn.prepare(keys)

    def start(self, memory: Memory) -> tuple[Tensor, Tensor, Tensor]:
        """The state before the first step: (s_0, h~_0 = 0, an LSTM's memory cell m_0 = 0;
        m stays 0 for the other cells)."""
        s0 = torch.tanh(self.init(memory.final))
        return s0, torch.zeros_like(s0), torch.zeros_like(s0)

    def _advance(self, x: Tensor, s: Tensor, m: Tensor) -> tuple[Tensor, Tensor]:
        if self.lstm:
            return self.cell(x, (s, m))
        return self.cell(x, s), m

    def step(self, y_prev: Tensor, state: tuple[Tensor, Tensor, Tensor], memory: Memory
             ) -> tuple[Tensor, tuple[Tensor, Tensor, Tensor], Tensor | None]:
        """One output step: y_prev (B,) ids -> (logits (B, V), new state, weights (B, S)
        or None without attention)."""
        s, h_tilde, m = state
        e = self.emb(y_prev)
        if self.luong:
            s, m = self._advance(torch.cat([e, h_tilde], -1), s, m)
            c, w = self.attn(s, memory.keys, memory.mask, memory.prepared)
            h_tilde = torch.tanh(self.combine(torch.cat([c, s], -1)))
            return self.out(h_tilde) + self.never, (s, h_tilde, m), w
        if self.attn is None:
            c, w = memory.final, None
        else:
            c, w = self.attn(s, memory.keys, memory.mask, memory.prepared)
        s, m = self._advance(torch.cat([e, c], -1), s, m)
        return self.out(torch.cat([s, c, e], -1)) + self.never, (s, h_tilde, m), w


def check_order(attention: str | None, order: str | None) -> str | None:
    """The decoder's order for `attention`: None without attention; "bahdanau" (score with
    the previous state, context into the cell) or "luong" (score with the new state, merge
    after the cell); `order=None` takes the score's own paper's."""
    if attention is None:
        if order is not None:
            raise ValueError(f"Seq2Seq: `order` needs attention, got order={order!r} with "
                             f"attention=None.")
        return None
    default = "luong" if attention in ("dot", "general") else "bahdanau"
    if order is None:
        return default
    if order not in ("bahdanau", "luong"):
        raise ValueError(f"Seq2Seq: `order` must be None, 'bahdanau' or 'luong', got {order!r}.")
    if order == "bahdanau" and default == "luong":
        raise ValueError(f"Seq2Seq: the {attention!r} score runs in Luong's order only "
                         f"(order='luong' or None), got order='bahdanau'.")
    return order


class Seq2Seq(nn.Module):
    """Encoder-decoder; `attention` None, "additive", "dot" or "general" (module doc);
    `cell` "gru" (the default, Chapter 7), "lstm" or "rnn" (Chapter 9's comparison);
    `order` None (the score's own), or "luong" to run the additive score in Luong's order."""

    def __init__(self, V_src: int, V_tgt: int, E: int = 32, H: int = 64,
                 attention: str | None = "additive", cell: str = "gru",
                 order: str | None = None) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Seq2Seq: `cell` must be one of {sorted(CELLS)}, got {cell!r}.")
        self.encoder = Encoder(V_src, E, H, cell)
        self.decoder = Decoder(V_tgt, E, 2 * H, 2 * H, attention, cell, order)
        self.V_tgt = V_tgt

    def encode(self, src, lengths) -> Memory:
        src, lengths = check_src(src, lengths)
        keys, final = self.encoder(src, lengths)
        m = sequence.mask(lengths, src.shape[1]).to(keys.device)
        return Memory(keys, m, final, self.decoder.prepare(keys))

    def begin(self, x) -> tuple[tuple[Tensor, Tensor, Tensor], Memory]:
        """`models.search`'s protocol: x = (src (B, S), lengths (B,)) -> (the decoder's
        state before the first step, the encoder's Memory)."""
        memory = self.encode(*x)
        return self.decoder.start(memory), memory

    def step(self, y_prev: Tensor, state, memory: Memory):
        """`models.search`'s protocol: `Decoder.step`, y_prev (B,) ids -> (logits (B, V),
        new state, weights (B, S) or None)."""
        return self.decoder.step(y_prev, state, memory)

    def teacher_forced(self, src, lengths, targets: Tensor, inputs: Tensor | None = None
                       ) -> tuple[Tensor, Tensor | None]:
        """Logits (B, U, V) and attention weights (B, U, S) (None without attention) when
        step i is fed targets[:, i-1] (BOS at i = 0), or `inputs` (B, U) if given."""
        if inputs is None:
            inputs = search.shift_right(targets)
        return search.teacher_forced(self, (src, lengths), inputs)

    def forward(self, x, targets=None):
        """x = (src (B, S), lengths (B,)), targets (B, U) ending in EOS, PAD after.
        Returns (logits (B, U, V), mean cross-entropy over real targets); without
        targets, (greedy ids (B, max 2S+2), None)."""
        src, lengths = x
        if targets is None:
            ids, _ = self.greedy(src, lengths, max_len=2 * torch.as_tensor(src).shape[1] + 2)
            return ids, None
        targets = torch.as_tensor(targets)
        logits, _ = self.teacher_forced(src, lengths, targets)
        return logits, search.sequence_loss(logits, targets)

    def greedy(self, src, lengths, max_len: int) -> tuple[Tensor, Tensor | None]:
        """Greedy decoding of a batch: ids (B, U <= max_len), PAD after each row's EOS;
        attention weights (B, U, S) or None (`search.greedy`)."""
        return search.greedy(self, (src, lengths), max_len)

    def beam_search(self, src, length: int, width: int, max_len: int,
                    length_norm: float = 0.0) -> tuple[list[int], float]:
        """Beam search of width `width` for one source (S,) of `length` real ids:
        (tokens, EOS included if emitted; total log p / len**length_norm), the algorithm
        of scratch.search.beam_search with the live hypotheses as one batch
        (`search.beam_search`)."""
        return search.beam_search(self, search.one_source(src, length), width, max_len,
                                  length_norm)

    def step_fn(self, src, length: int) -> tuple[Callable, object]:
        """(step, state0) in scratch.search's interface for one source:
        step(token, state) -> (log-probabilities (V,) as float64 NumPy, next state)."""
        return search.step_fn(self, (torch.as_tensor(src)[None], [length]))


def pair_batches(make: Callable[[int, np.random.Generator], tuple[list[str], list[str]]],
                 src_vocab, tgt_vocab, B: int, rng: np.random.Generator):
    """batch(i) -> ((src (B, S), lengths (B,)), targets (B, U) with EOS, PAD-padded), for
    `train.fit`, from make(B, rng) -> (sources, targets) as strings."""

    def batch(_i: int):
        sources, targets = make(B, rng)
        src, lengths = src_vocab.batch(sources)
        tgt, _ = tgt_vocab.batch(targets, eos=True)
        return (torch.from_numpy(src), torch.from_numpy(lengths)), torch.from_numpy(tgt)

    return batch


def translate(model: Seq2Seq, sources: list[str], src_vocab, tgt_vocab, max_len: int,
              B: int = 256) -> tuple[list[str], list[np.ndarray | None]]:
    """Greedy outputs for many sources, in batches: (texts, per source its attention
    weights (U, L) over its own L real characters, U the output length with EOS, or
    None without attention). The model's train/eval mode is restored afterwards. Any
    model with `greedy(src, lengths, max_len)` will do (the Transformer too)."""

    def part(chunk):
        src, lengths = src_vocab.batch(chunk)
        ids, w = model.greedy(torch.from_numpy(src), torch.from_numpy(lengths), max_len)
        return search.crop(ids, w, lengths)

    rows = [r for chunk in search.run(model, sources, B, part) for r in chunk]
    return [tgt_vocab.decode(ids) for ids, _ in rows], [w for _, w in rows]


def exact_match(predictions: list[str], targets: list[str]) -> float:
    """The fraction of predictions equal to their target, character for character."""
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"exact_match: {len(predictions)} predictions for {len(targets)} "
                         "targets (must be equal and non-zero).")
    return float(np.mean([p == t for p, t in zip(predictions, targets, strict=True)]))
