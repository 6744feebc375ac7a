"""A small Transformer encoder-decoder (Vaswani et al. 2017) in Chapter 7's seq2seq
interface, for Chapter 9's comparison with the recurrent models.

    model = Transformer(V_src, V_tgt, D=64, heads=4, layers=2, ff=128)
    logits, loss = model((src, lengths), targets)    # as seq2seq.Seq2Seq, for train.fit
    ids, None = model.greedy(src, lengths, max_len)  # so seq2seq.translate works on it

Token embeddings (initialised with standard deviation 1/sqrt(D)) are scaled by sqrt(D)
and added to the sinusoidal `positional_encoding`, so that both have unit size;
the layers are torch's (nn.TransformerEncoderLayer / DecoderLayer, pre-norm, no dropout:
the tasks are generated afresh at every step, so nothing is memorised). Every attention in
them computes what `scaled_dot_product` does, softmax(Q K^T / sqrt(d)) V over the positions
a mask allows, with torch's own kernel; `scaled_dot_product` and
`scratch.attention.scaled_dot_product` are tested against each other and against torch's
F.scaled_dot_product_attention. Training feeds the targets shifted right (BOS
first) with a causal mask, so all U output positions are computed in one pass; greedy
decoding is still one position at a time.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnncourse.models import sequence
from rnncourse.models.seq2seq import BOS, EOS, PAD, check_src, never_outputs


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

    def forward(self, x, targets=None):
        """x = (src, lengths); targets (B, U) ending in EOS, PAD after -> (logits (B, U, V),
        mean cross-entropy over real targets); without targets, (greedy ids, None)."""
        src, lengths = x
        if targets is None:
            ids, _ = self.greedy(src, lengths, max_len=2 * torch.as_tensor(src).shape[1] + 2)
            return ids, None
        targets = torch.as_tensor(targets)
        memory, pad = self.encode(src, lengths)
        inputs = torch.cat([torch.full_like(targets[:, :1], BOS), targets[:, :-1]], 1)
        logits = self.decode(memory, pad, inputs)
        loss = F.cross_entropy(logits.reshape(-1, self.V_tgt), targets.reshape(-1),
                               ignore_index=PAD)
        return logits, loss

    @torch.no_grad()
    def greedy(self, src, lengths, max_len: int) -> tuple[Tensor, None]:
        """Greedy decoding of a batch: ids (B, U <= max_len), PAD after each row's EOS.
        Each step re-reads the whole prefix (no cache: the models here are small)."""
        memory, pad = self.encode(src, lengths)
        B = memory.shape[0]
        inputs = torch.full((B, 1), BOS, dtype=torch.long, device=memory.device)
        done = torch.zeros(B, dtype=torch.bool, device=memory.device)
        ids = []
        for _ in range(min(max_len, self.max_len)):
            y = self.decode(memory, pad, inputs)[:, -1].argmax(-1).masked_fill(done, PAD)
            ids.append(y)
            done |= y == EOS
            if bool(done.all()):
                break
            inputs = torch.cat([inputs, y[:, None]], 1)
        return torch.stack(ids, 1), None
