"""A small Transformer encoder-decoder (Vaswani et al. 2017) in Chapter 7's seq2seq
interface, for Chapter 9's comparison with the recurrent models.

    model = Transformer(V_src, V_tgt, D=64, heads=4, layers=2, ff=128)
    logits, loss = model((src, lengths), targets)    # as seq2seq.Seq2Seq, for train.fit
    ids, None = model.greedy(src, lengths, max_len)  # so seq2seq.translate works on it
    tokens, score = model.beam_search(src_one, length, width, max_len, length_norm)

Token embeddings (initialised with standard deviation 1/sqrt(D)) are scaled by sqrt(D)
and added to the sinusoidal `positional_encoding`, so that both have unit size;
the layers are torch's (nn.TransformerEncoderLayer / DecoderLayer, pre-norm, no dropout:
the tasks are generated afresh at every step, so nothing is memorised). Every attention in
them computes what `scaled_dot_product` does, softmax(Q K^T / sqrt(d)) V over the positions
a mask allows, with torch's own kernel; `scaled_dot_product` and
`scratch.attention.scaled_dot_product` are tested against each other and against torch's
F.scaled_dot_product_attention. Training feeds the targets shifted right (BOS
first) with a causal mask, so all U output positions are computed in one pass
(`teacher_forced`); decoding is still one position at a time, by `models.search`'s
protocol: the state is the prefix fed so far, and each `step` re-reads all of it (no
cache: the models here are small) and keeps the last position's logits. Decoding stops
at the model's `max_len` positions.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from rnncourse.data.specials import BOS as BOS
from rnncourse.data.specials import EOS as EOS
from rnncourse.data.specials import PAD as PAD
from rnncourse.models import search, sequence
from rnncourse.models.search import check_src, never_outputs


def positional_encoding(T: int, D: int, dtype: torch.dtype = torch.float32) -> Tensor:
    """(T, D) sinusoids: PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(same), D even
    (computed in float64, returned in `dtype`)."""
    if not (isinstance(D, int) and D > 0 and D % 2 == 0):
        raise ValueError(f"positional_encoding: `D` must be a positive even integer, got {D!r}.")
    t = torch.arange(T, dtype=torch.float64)[:, None]
    freq = torch.pow(10000.0, -torch.arange(0, D, 2, dtype=torch.float64) / D)   # (D/2,)
    pe = torch.zeros(T, D, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq)
    return pe.to(dtype)


def scaled_dot_product(Q: Tensor, K: Tensor, V: Tensor, mask: Tensor
                       ) -> tuple[Tensor, Tensor]:
    """Q (..., T, d), K (..., S, d), V (..., S, Dv), mask (..., T, S) bool, True where
    query t may look at key j -> (softmax(Q K^T / sqrt(d)) V (..., T, Dv), weights)."""
    if mask.dtype != torch.bool or mask.shape[-2:] != (Q.shape[-2], K.shape[-2]):
        raise ValueError(f"scaled_dot_product: `mask` must be bool (..., T, S) = "
                         f"(..., {Q.shape[-2]}, {K.shape[-2]}), got {tuple(mask.shape)} "
                         f"{mask.dtype}.")
    scores = Q @ K.transpose(-1, -2) / math.sqrt(Q.shape[-1])
    w = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return w @ V, w


def causal_mask(U: int) -> Tensor:
    """(U, U) bool, True where output position i may look at position j: j <= i."""
    return torch.ones(U, U, dtype=torch.bool).tril()


class Transformer(nn.Module):
    def __init__(self, V_src: int, V_tgt: int, D: int = 64, heads: int = 4, layers: int = 2,
                 ff: int = 128, max_len: int = 256) -> None:
        super().__init__()
        self.D, self.V_tgt, self.max_len = D, V_tgt, max_len
        self.src_emb = nn.Embedding(V_src, D, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(V_tgt, D, padding_idx=PAD)
        for emb in (self.src_emb, self.tgt_emb):     # std 1/sqrt(D): times sqrt(D), unit
            nn.init.normal_(emb.weight, std=D ** -0.5)   # size, as the position code
            with torch.no_grad():
                emb.weight[PAD].zero_()
        self.register_buffer("pe", positional_encoding(max_len, D), persistent=False)
        enc = nn.TransformerEncoderLayer(D, heads, ff, dropout=0.0, batch_first=True,
                                         norm_first=True)
        dec = nn.TransformerDecoderLayer(D, heads, ff, dropout=0.0, batch_first=True,
                                         norm_first=True)
        self.encoder = nn.TransformerEncoder(enc, layers, norm=nn.LayerNorm(D),
                                             enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(dec, layers, norm=nn.LayerNorm(D))
        self.out = nn.Linear(D, V_tgt)
        self.register_buffer("never", never_outputs(V_tgt), persistent=False)

    def _embed(self, emb: nn.Embedding, ids: Tensor) -> Tensor:
        if ids.shape[1] > self.max_len:
            raise ValueError(f"Transformer: sequences of length {ids.shape[1]} exceed "
                             f"`max_len` = {self.max_len}.")
        return emb(ids) * math.sqrt(self.D) + self.pe[:ids.shape[1]]

    def encode(self, src, lengths) -> tuple[Tensor, Tensor]:
        """-> (memory (B, S, D), padding (B, S) True on padding)."""
        src, lengths = check_src(src, lengths, "Transformer")
        pad = ~sequence.mask(lengths, src.shape[1]).to(src.device)
        return self.encoder(self._embed(self.src_emb, src), src_key_padding_mask=pad), pad

    def decode(self, memory: Tensor, pad: Tensor, inputs: Tensor) -> Tensor:
        """inputs (B, U) ids, BOS first -> logits (B, U, V); position i sees inputs <= i."""
        U = inputs.shape[1]
        causal = ~causal_mask(U).to(inputs.device)   # torch's convention: True = blocked
        h = self.decoder(self._embed(self.tgt_emb, inputs), memory, tgt_mask=causal,
                         tgt_is_causal=True, memory_key_padding_mask=pad)
        return self.out(h) + self.never

    def begin(self, x) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """`models.search`'s protocol: x = (src, lengths) -> (the prefix fed so far,
        empty (B, 0), (memory (B, S, D), padding (B, S)))."""
        memory, pad = self.encode(*x)
        prefix = torch.zeros((memory.shape[0], 0), dtype=torch.long, device=memory.device)
        return prefix, (memory, pad)

    def step(self, y_prev: Tensor, state: Tensor, memory: tuple[Tensor, Tensor]
             ) -> tuple[Tensor, Tensor, None]:
        """`models.search`'s protocol: y_prev (B,) ids, state the prefix (B, t) ->
        (the logits (B, V) of the last position of the whole prefix + y_prev re-read,
        that prefix (B, t + 1), None)."""
        inputs = torch.cat([state, y_prev[:, None]], 1)
        return self.decode(*memory, inputs)[:, -1], inputs, None

    def teacher_forced(self, src, lengths, targets: Tensor, inputs: Tensor | None = None
                       ) -> tuple[Tensor, None]:
        """Logits (B, U, V), None, when position i is fed targets[:, i-1] (BOS at i = 0),
        or `inputs` (B, U) if given: all positions in one causal pass."""
        memory, pad = self.encode(src, lengths)
        if inputs is None:
            inputs = search.shift_right(targets)
        return self.decode(memory, pad, inputs), None

    def forward(self, x, targets=None):
        """x = (src, lengths); targets (B, U) ending in EOS, PAD after -> (logits (B, U, V),
        mean cross-entropy over real targets); without targets, (greedy ids, None)."""
        src, lengths = x
        if targets is None:
            ids, _ = self.greedy(src, lengths, max_len=2 * torch.as_tensor(src).shape[1] + 2)
            return ids, None
        targets = torch.as_tensor(targets)
        logits, _ = self.teacher_forced(src, lengths, targets)
        return logits, search.sequence_loss(logits, targets)

    def greedy(self, src, lengths, max_len: int) -> tuple[Tensor, None]:
        """Greedy decoding of a batch: ids (B, U <= min(max_len, self.max_len)), PAD after
        each row's EOS (`search.greedy`)."""
        return search.greedy(self, (src, lengths), min(max_len, self.max_len))

    def beam_search(self, src, length: int, width: int, max_len: int,
                    length_norm: float = 0.0) -> tuple[list[int], float]:
        """Beam search for one source (S,) of `length` real ids, as `Seq2Seq.beam_search`
        (`search.beam_search`), at most self.max_len tokens."""
        return search.beam_search(self, search.one_source(src, length),
                                  width, min(max_len, self.max_len), length_norm)

    def step_fn(self, src, length: int) -> tuple[Callable, object]:
        """(step, state0) for one source in scratch.search's interface, as
        `Seq2Seq.step_fn`."""
        return search.step_fn(self, (torch.as_tensor(src)[None], [length]))
