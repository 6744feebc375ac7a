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

Targets end in EOS and are padded with PAD (`data.chardata.TokenVocab`); training feeds
the true previous token (teacher forcing), and the loss is the mean cross-entropy over
real target tokens. `forward(x, targets) -> (logits, loss)` with x = (src, lengths), as
`train.fit` expects. Decoding: `greedy` (batched) and `beam_search` (one source, the
hypotheses as a batch), with `step_fn` giving the NumPy single-hypothesis interface of
`scratch.attention.beam_search` and `brute_force`, against which it is tested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnncourse.models import attention as attn_mod
from rnncourse.models import sequence

PAD, BOS, EOS = 0, 1, 2   # as data.chardata.TokenVocab


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
        return Memory(self.keys[index], self.mask[index], self.final[index],
                      None if self.prepared is None else self.prepared[index])


def never_outputs(V: int) -> Tensor:
    """(V,) added to a decoder's logits: 0, and -inf at PAD and BOS, never outputs."""
    never = torch.zeros(V)
    never[[PAD, BOS]] = float("-inf")
    return never


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
                 cell: str = "gru") -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Decoder: `cell` must be one of {sorted(CELLS)}, got {cell!r}.")
        if attention is not None and attention not in attn_mod.KINDS:
            raise ValueError(f"Decoder: `attention` must be None or one of {attn_mod.KINDS}, "
                             f"got {attention!r}.")
        self.kind = attention
        self.luong = attention in ("dot", "general")
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


def check_src(src, lengths, func: str = "Seq2Seq") -> tuple[Tensor, Tensor]:
    """A source batch as tensors, checked: src (B, S) int64 ids and lengths (B,) in 1..S;
    errors name `func`."""
    src = torch.as_tensor(src)
    if src.dim() != 2 or src.dtype != torch.long:
        raise ValueError(f"{func}: `src` must be (B, S) int64 ids, got shape "
                         f"{tuple(src.shape)} dtype {src.dtype}.")
    lengths = sequence._lengths(func, lengths, src.shape[0], src.shape[1])
    return src, lengths


class Seq2Seq(nn.Module):
    """Encoder-decoder; `attention` None, "additive", "dot" or "general" (module doc);
    `cell` "gru" (the default, Chapter 7), "lstm" or "rnn" (Chapter 9's comparison)."""

    def __init__(self, V_src: int, V_tgt: int, E: int = 32, H: int = 64,
                 attention: str | None = "additive", cell: str = "gru") -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Seq2Seq: `cell` must be one of {sorted(CELLS)}, got {cell!r}.")
        self.encoder = Encoder(V_src, E, H, cell)
        self.decoder = Decoder(V_tgt, E, 2 * H, 2 * H, attention, cell)
        self.V_tgt = V_tgt

    def encode(self, src, lengths) -> Memory:
        src, lengths = check_src(src, lengths)
        keys, final = self.encoder(src, lengths)
        m = sequence.mask(lengths, src.shape[1]).to(keys.device)
        return Memory(keys, m, final, self.decoder.prepare(keys))

    def teacher_forced(self, src, lengths, targets: Tensor, inputs: Tensor | None = None
                       ) -> tuple[Tensor, Tensor | None]:
        """Logits (B, U, V) and attention weights (B, U, S) (None without attention) when
        step i is fed targets[:, i-1] (BOS at i = 0), or `inputs` (B, U) if given."""
        memory = self.encode(src, lengths)
        if inputs is None:
            inputs = torch.cat([torch.full_like(targets[:, :1], BOS), targets[:, :-1]], 1)
        state = self.decoder.start(memory)
        logits, weights = [], []
        for i in range(inputs.shape[1]):
            lg, state, w = self.decoder.step(inputs[:, i], state, memory)
            logits.append(lg)
            weights.append(w)
        return torch.stack(logits, 1), (None if weights[0] is None else torch.stack(weights, 1))

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
        loss = F.cross_entropy(logits.reshape(-1, self.V_tgt), targets.reshape(-1),
                               ignore_index=PAD)
        return logits, loss

    @torch.no_grad()
    def greedy(self, src, lengths, max_len: int) -> tuple[Tensor, Tensor | None]:
        """Greedy decoding of a batch: ids (B, U <= max_len), PAD after each row's EOS;
        attention weights (B, U, S) or None."""
        memory = self.encode(src, lengths)
        B = memory.keys.shape[0]
        state = self.decoder.start(memory)
        y = torch.full((B,), BOS, dtype=torch.long, device=memory.keys.device)
        done = torch.zeros(B, dtype=torch.bool, device=y.device)
        ids, weights = [], []
        for _ in range(max_len):
            logits, state, w = self.decoder.step(y, state, memory)
            y = logits.argmax(-1).masked_fill(done, PAD)
            ids.append(y)
            weights.append(w)
            done |= y == EOS
            if bool(done.all()):
                break
        return torch.stack(ids, 1), (None if weights[0] is None else torch.stack(weights, 1))

    @torch.no_grad()
    def beam_search(self, src, length: int, width: int, max_len: int,
                    length_norm: float = 0.0) -> tuple[list[int], float]:
        """Beam search of width `width` for one source (S,) of `length` real ids:
        (tokens, EOS included if emitted; total log p / len**length_norm), the algorithm
        of scratch.attention.beam_search with the live hypotheses as one batch."""
        if not (isinstance(width, int) and width >= 1):
            raise ValueError(f"beam_search: `width` must be a positive integer, got {width!r}.")
        src = torch.as_tensor(src)
        if src.dim() != 1:
            raise ValueError(f"beam_search: `src` must be one source (S,), got {tuple(src.shape)}.")
        memory = self.encode(src[None], [length])
        state = self.decoder.start(memory)
        tokens: list[list[int]] = [[]]
        logp = torch.zeros(1, dtype=memory.keys.dtype)
        last = torch.tensor([BOS])
        finished: list[tuple[list[int], float]] = []
        for _ in range(max_len):
            n = len(tokens)
            rows = memory.select(torch.zeros(n, dtype=torch.long))
            logits, state, _ = self.decoder.step(last, state, rows)
            lp = torch.log_softmax(logits.double(), -1)              # (n, V)
            top_lp, top_tok = lp.topk(min(width, lp.shape[1]), dim=1)   # each beam's best
            total = (logp.double()[:, None] + top_lp).reshape(-1)
            order = torch.argsort(-total, stable=True)[:width]
            beam_of = order // top_tok.shape[1]
            new_tok = top_tok.reshape(-1)[order]
            keep = []
            for j in range(len(order)):
                if not torch.isfinite(total[order[j]]):
                    continue                                         # probability 0
                seq = tokens[int(beam_of[j])] + [int(new_tok[j])]
                if int(new_tok[j]) == EOS:
                    finished.append((seq, float(total[order[j]])))
                else:
                    keep.append((j, seq))
            if not keep:
                tokens, logp = [], logp[:0]
                break
            idx = torch.tensor([j for j, _ in keep])
            tokens = [seq for _, seq in keep]
            logp = total[order][idx]
            last = new_tok[idx]
            state = tuple(t[beam_of[idx]] for t in state)
        pool = finished + [(t, float(lp)) for t, lp in zip(tokens, logp, strict=True)]

        def score(h):
            return h[1] / len(h[0]) ** length_norm if length_norm else h[1]

        best = max(pool, key=score)
        return best[0], score(best)

    def step_fn(self, src, length: int) -> tuple[Callable, object]:
        """(step, state0) in scratch.attention's interface for one source:
        step(token, state) -> (log-probabilities (V,) as float64 NumPy, next state)."""
        memory = self.encode(torch.as_tensor(src)[None], [length])
        start = self.decoder.start(memory)

        @torch.no_grad()
        def step(token: int, state):
            logits, new_state, _ = self.decoder.step(torch.tensor([token]), state, memory)
            return torch.log_softmax(logits.double(), -1)[0].numpy(), new_state

        return step, start


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


@torch.no_grad()
def translate(model: Seq2Seq, sources: list[str], src_vocab, tgt_vocab, max_len: int,
              B: int = 256) -> tuple[list[str], list[np.ndarray | None]]:
    """Greedy outputs for many sources, in batches: (texts, per source its attention
    weights (U, L) over its own L real characters, U the output length with EOS, or
    None without attention). The model's train/eval mode is restored afterwards."""
    was_training = model.training
    model.eval()
    texts, maps = [], []
    for start in range(0, len(sources), B):
        part = sources[start:start + B]
        src, lengths = src_vocab.batch(part)
        ids, w = model.greedy(torch.from_numpy(src), torch.from_numpy(lengths), max_len)
        for b in range(len(part)):
            row = ids[b].tolist()
            U = row.index(EOS) + 1 if EOS in row else len(row)
            texts.append(tgt_vocab.decode(row))
            maps.append(None if w is None else w[b, :U, :lengths[b]].numpy())
    model.train(was_training)
    return texts, maps


def exact_match(predictions: list[str], targets: list[str]) -> float:
    """The fraction of predictions equal to their target, character for character."""
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"exact_match: {len(predictions)} predictions for {len(targets)} "
                         "targets (must be equal and non-zero).")
    return float(np.mean([p == t for p, t in zip(predictions, targets, strict=True)]))
