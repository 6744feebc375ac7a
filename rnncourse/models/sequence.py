"""Batches of sequences of different lengths: padding, masks, packing and pooling.

A batch of B sequences with lengths L_b <= T is stored padded, as x: (B, T, ...) with
x[b, t] meaningless for t >= L_b. Everything that reads the outputs of a recurrent layer
must then know the lengths:

- the last *real* output of sequence b is out[b, L_b - 1], not out[b, T - 1];
- a mean over time divides by L_b, not T, and counts only real steps;
- a backward direction must start at each sequence's own last real step: run over the
  padded batch, it starts on padding, and its "final" state has read the padding first.
  `pack` (PyTorch's packed sequences) runs each direction over the real steps only.

Shapes: B batch, T padded length, H hidden size per direction, D features.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def _lengths(func: str, lengths, B: int, T: int) -> Tensor:
    lengths = torch.as_tensor(lengths)
    if lengths.shape != (B,) or lengths.dtype.is_floating_point:
        raise ValueError(f"{func}: `lengths` must be B={B} integers, one per sequence; got "
                         f"shape {tuple(lengths.shape)}, dtype {lengths.dtype}.")
    if B and (lengths.min() < 1 or lengths.max() > T):
        raise ValueError(f"{func}: every length must lie in 1..T={T}; got "
                         f"{lengths.min().item()} to {lengths.max().item()}.")
    return lengths.long()


def _check_out(func: str, out: Tensor) -> tuple[int, int]:
    if not isinstance(out, Tensor) or out.dim() != 3:
        raise ValueError(f"{func}: `out` must be a tensor of shape (B, T, H), got "
                         f"{tuple(getattr(out, 'shape', ()))}.")
    return out.shape[0], out.shape[1]


def pad(seqs: Sequence[Sequence[int]] | Sequence[Tensor], value: int = 0
        ) -> tuple[Tensor, Tensor]:
    """Sequences of ids (lists or 1-D tensors) -> (x (B, T) long, lengths (B,)), T the
    longest length, padded with `value`."""
    if not seqs or any(len(s) == 0 for s in seqs):
        raise ValueError("pad: `seqs` must be a non-empty list of non-empty sequences.")
    lengths = torch.tensor([len(s) for s in seqs])
    x = torch.full((len(seqs), int(lengths.max())), value, dtype=torch.long)
    for b, s in enumerate(seqs):
        x[b, :len(s)] = torch.as_tensor(s, dtype=torch.long)
    return x, lengths


def mask(lengths, T: int) -> Tensor:
    """(B,) lengths -> (B, T) bool, True on real steps (t < L_b)."""
    lengths = torch.as_tensor(lengths)
    lengths = _lengths("mask", lengths, lengths.shape[0] if lengths.dim() == 1 else -1, T)
    return torch.arange(T) < lengths[:, None]


def last_real(out: Tensor, lengths) -> Tensor:
    """out: (B, T, H) -> (B, H), row b the output at step L_b - 1."""
    B, T = _check_out("last_real", out)
    lengths = _lengths("last_real", lengths, B, T).to(out.device)
    return out[torch.arange(B, device=out.device), lengths - 1]


def masked_mean(out: Tensor, lengths) -> Tensor:
    """out: (B, T, H) -> (B, H), the mean over each sequence's real steps."""
    B, T = _check_out("masked_mean", out)
    m = mask(_lengths("masked_mean", lengths, B, T), T).to(out.device, out.dtype)
    return (out * m[..., None]).sum(1) / m.sum(1, keepdim=True)


def masked_max(out: Tensor, lengths) -> Tensor:
    """out: (B, T, H) -> (B, H), the maximum over each sequence's real steps."""
    B, T = _check_out("masked_max", out)
    m = mask(_lengths("masked_max", lengths, B, T), T).to(out.device)
    return out.masked_fill(~m[..., None], float("-inf")).amax(1)


class AttentionPool(nn.Module):
    """Attention pooling over the real steps: a learned query scores every step,
    alpha = softmax over t < L_b of (out_t . w), pooled = sum_t alpha_t out_t (B, H).
    Chapter 7 generalises the query to a decoder state."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.zeros(size))

    def weights(self, out: Tensor, lengths) -> Tensor:
        """(B, T, H) -> (B, T) attention weights, zero on padding, each row summing to 1."""
        B, T = _check_out("AttentionPool", out)
        m = mask(_lengths("AttentionPool", lengths, B, T), T).to(out.device)
        return torch.softmax((out @ self.w).masked_fill(~m, float("-inf")), dim=1)

    def forward(self, out: Tensor, lengths) -> Tensor:
        return (self.weights(out, lengths)[..., None] * out).sum(1)


POOLINGS = ("last", "mean", "max", "attention")


def pack(rnn: nn.RNNBase, x: Tensor, lengths, state=None) -> tuple[Tensor, object]:
    """Run a batch-first torch recurrent layer over the real steps only.

    x: (B, T, D), lengths (B,) in any order (enforce_sorted=False sorts and unsorts).
    Returns (out (B, T, H * directions) with zeros on padding, final state as the layer
    returns it: h_n (num_layers * directions, B, H), for an LSTM the pair (h_n, c_n)),
    where every direction's final state is taken at the real end of its sequence.
    """
    if not getattr(rnn, "batch_first", False):
        raise ValueError("pack: `rnn` must be built with batch_first=True.")
    B, T = x.shape[0], x.shape[1]
    lengths = _lengths("pack", lengths, B, T)
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, state = rnn(packed, state)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=T)
    return out, state


def final_states(h_n: Tensor, num_layers: int, bidirectional: bool) -> Tensor:
    """h_n: (num_layers * directions, B, H), torch's layout (layer-major: index
    layer * directions + direction) -> (B, directions * H), the top layer's final
    state, forward then backward."""
    D = 2 if bidirectional else 1
    if h_n.dim() != 3 or h_n.shape[0] != num_layers * D:
        raise ValueError(f"final_states: `h_n` must have shape (num_layers * directions = "
                         f"{num_layers * D}, B, H), got {tuple(h_n.shape)}.")
    top = h_n.view(num_layers, D, h_n.shape[1], h_n.shape[2])[-1]   # (D, B, H)
    return torch.cat(list(top), dim=-1)


SKIPS = (None, "residual", "input")


class Tagger(nn.Module):
    """Sequence labelling: Embedding (V, E) -> nn.LSTM(E, H, num_layers, bidirectional)
    -> Linear(dirs * H, C), one class per step, in the course's interface

        logits, loss = model(idx, tags, lengths=None)   # (B, T) ids -> (B, T, C), scalar

    The loss is the mean cross-entropy over real steps (all steps when lengths is None);
    with lengths the layer runs packed, so that a backward direction never reads padding.

    `skip` connects the stacked layers beyond the plain stack (None: torch's multi-layer
    nn.LSTM, where layer k reads only layer k-1's outputs y_{k-1}):

    - "residual": layer k >= 2 outputs LSTM_k(y_{k-1}) + y_{k-1} (its input added to its
      output), so every layer has an identity path to the head;
    - "input": layer k >= 2 reads [y_{k-1}; x], the layer below and the embedded input.

    With `skip`, the layers are separate one-layer nn.LSTMs (`self.layers`), created in the
    order torch's multi-layer LSTM creates its weights: under one seed a residual stack
    starts from exactly the plain stack's weights, and differs only by the skip.
    """

    def __init__(self, V: int, C: int, H: int = 64, num_layers: int = 1,
                 bidirectional: bool = False, E: int = 32, skip: str | None = None) -> None:
        super().__init__()
        if skip not in SKIPS:
            raise ValueError(f"Tagger: `skip` must be one of {SKIPS}, got {skip!r}.")
        if skip is not None and num_layers < 2:
            raise ValueError(f"Tagger: `skip`={skip!r} connects stacked layers and needs "
                             f"num_layers >= 2, got {num_layers}.")
        self.V, self.C = V, C
        self.num_layers, self.bidirectional, self.skip = num_layers, bidirectional, skip
        self.embed = nn.Embedding(V, E)
        out = H * (2 if bidirectional else 1)
        if skip is None:
            self.lstm = nn.LSTM(E, H, num_layers, batch_first=True, bidirectional=bidirectional)
        else:
            sizes = [E] + [out + (E if skip == "input" else 0)] * (num_layers - 1)
            self.layers = nn.ModuleList(nn.LSTM(d, H, batch_first=True,
                                                bidirectional=bidirectional) for d in sizes)
        self.head = nn.Linear(out, C)

    def _run(self, layer: nn.LSTM, x: Tensor, lengths) -> Tensor:
        return layer(x)[0] if lengths is None else pack(layer, x, lengths)[0]

    def encode(self, x: Tensor, lengths=None) -> Tensor:
        """The top layer's outputs (B, T, dirs * H) for embedded inputs x (B, T, E)."""
        if self.skip is None:
            return self._run(self.lstm, x, lengths)
        y = self._run(self.layers[0], x, lengths)
        for layer in self.layers[1:]:
            if self.skip == "residual":
                y = self._run(layer, y, lengths) + y
            else:
                y = self._run(layer, torch.cat([y, x], -1), lengths)
        return y

    def forward(self, idx, tags=None, lengths=None):
        idx = torch.as_tensor(idx, dtype=torch.long, device=self.head.weight.device)
        if idx.dim() != 2:
            raise ValueError(f"Tagger.forward: `idx` must have shape (B, T), got "
                             f"{tuple(idx.shape)}.")
        logits = self.head(self.encode(self.embed(idx), lengths))
        if tags is None:
            return logits, None
        tags = torch.as_tensor(tags, dtype=torch.long, device=logits.device)
        if tags.shape != idx.shape:
            raise ValueError(f"Tagger.forward: `tags` has shape {tuple(tags.shape)} but must "
                             f"match `idx` {tuple(idx.shape)}.")
        real = (torch.ones_like(tags, dtype=torch.bool) if lengths is None
                else mask(lengths, idx.shape[1]).to(tags.device))
        return logits, nn.functional.cross_entropy(logits[real], tags[real])


def batches_of_windows(ids, tags, B: int, T: int, rng):
    """A function i -> (x, y) of B random windows of T ids and their tags (for `fit`)."""
    ids, tags = np.asarray(ids), np.asarray(tags)
    if ids.shape != tags.shape or len(ids) <= T:
        raise ValueError(f"batches_of_windows: `ids` and `tags` must be one (N,) stream each "
                         f"with N > T={T}; got {ids.shape} and {tags.shape}.")

    def batch(_i: int):
        s = rng.integers(0, len(ids) - T, size=B)[:, None] + np.arange(T)
        return torch.as_tensor(ids[s]), torch.as_tensor(tags[s])
    return batch


@torch.no_grad()
def tag_accuracy(model: Tagger, ids, tags, T: int = 200) -> tuple[float, np.ndarray]:
    """Accuracy of `model` over a whole stream cut into consecutive windows of T (each
    read on its own), and the (C, C) confusion counts [true, predicted]."""
    ids, tags = np.asarray(ids), np.asarray(tags)
    n = len(ids) // T * T
    x = torch.as_tensor(ids[:n].reshape(-1, T))
    pred = model(x)[0].argmax(-1).reshape(-1).numpy()
    conf = np.zeros((model.C, model.C), np.int64)
    np.add.at(conf, (tags[:n], pred), 1)
    return float(np.trace(conf) / n), conf


def train_tagger(model: Tagger, ids, tags, steps: int, *, B: int = 32, T: int = 80,
                 lr: float = 5e-3, clip: float = 1.0, rng: np.random.Generator,
                 progress: bool = False):
    """Adam on B random windows of T characters per update (`batches_of_windows`), for
    `steps` updates with `models.train.fit`; returns its History."""
    from rnncourse.models.train import fit

    return fit(model, batches_of_windows(ids, tags, B, T, rng), steps, lr, clip,
               progress=progress)


class Classifier(nn.Module):
    """Sequence classification: Embedding (V, E) -> nn.LSTM(E, H), run packed ->
    pooling over the real steps -> Linear(H, C), in the course's interface

        logits, loss = model(idx, labels, lengths)    # (B, T) ids, (B,) -> (B, C), scalar
        logits, loss = model((idx, lengths), labels)  # the same: a padded batch as one x

    pooling: "last" (the state at the last real step), "mean", "max" (masked), or
    "attention" (`AttentionPool`).
    """

    def __init__(self, V: int, C: int, H: int = 32, pooling: str = "last", E: int = 16) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"Classifier: `pooling` must be one of {POOLINGS}, got {pooling!r}.")
        self.pooling, self.C = pooling, C
        self.embed = nn.Embedding(V, E)
        self.lstm = nn.LSTM(E, H, batch_first=True)
        self.attend = AttentionPool(H) if pooling == "attention" else None
        self.head = nn.Linear(H, C)

    def summary(self, idx, lengths) -> Tensor:
        """(B, T) ids, (B,) lengths -> (B, H), the pooled outputs."""
        out, _ = pack(self.lstm, self.embed(torch.as_tensor(idx, dtype=torch.long)), lengths)
        if self.pooling == "last":
            return last_real(out, lengths)
        if self.pooling == "mean":
            return masked_mean(out, lengths)
        if self.pooling == "max":
            return masked_max(out, lengths)
        return self.attend(out, lengths)

    def forward(self, idx, labels=None, lengths=None):
        if isinstance(idx, tuple):
            idx, lengths = idx
        idx = torch.as_tensor(idx, dtype=torch.long)
        if lengths is None:
            lengths = torch.full((idx.shape[0],), idx.shape[1])
        logits = self.head(self.summary(idx, lengths))
        if labels is None:
            return logits, None
        return logits, nn.functional.cross_entropy(logits, torch.as_tensor(labels).long())


def first_token_batches(B: int, min_len: int, max_len: int, rng: np.random.Generator,
                        V: int = 8):
    """A function i -> ((ids, lengths), labels) for `fit`: B sequences of the first-token
    task (`data.tasks.first_token`) with lengths uniform in min_len..max_len, padded."""
    from rnncourse.data import tasks

    def batch(_i: int):
        seqs, labels = tasks.first_token(B, rng.integers(min_len, max_len + 1, size=B), rng, V)
        return pad(seqs), torch.as_tensor(labels)
    return batch


@torch.no_grad()
def accuracy_by_length(model: Classifier, lengths, n: int, rng: np.random.Generator,
                       V: int = 8) -> dict[int, float]:
    """Accuracy on n fresh first-token sequences of each length in `lengths`."""
    from rnncourse.data import tasks

    out = {}
    for L in lengths:
        seqs, labels = tasks.first_token(n, L, rng, V)
        logits, _ = model(pad(seqs))
        out[int(L)] = float((logits.argmax(1).numpy() == labels).mean())
    return out


class Hierarchical(nn.Module):
    """A document classifier in two levels: a character LSTM reads each line (packed) and
    its last real state is the line's vector; a line LSTM reads those vectors and its last
    state, through Linear(H_line, C), classifies the document.

        logits, loss = model((idx, line_lengths), labels)
        # idx (B, N, L) ids: N lines of at most L characters; line_lengths (B, N) >= 1
    """

    def __init__(self, V: int, C: int, H_char: int = 64, H_line: int = 64, E: int = 16) -> None:
        super().__init__()
        self.C = C
        self.embed = nn.Embedding(V, E)
        self.chars = nn.LSTM(E, H_char, batch_first=True)
        self.lines = nn.LSTM(H_char, H_line, batch_first=True)
        self.head = nn.Linear(H_line, C)

    def forward(self, x, labels=None):
        idx, line_lengths = x
        idx, line_lengths = torch.as_tensor(idx), torch.as_tensor(line_lengths)
        if idx.dim() != 3 or line_lengths.shape != idx.shape[:2]:
            raise ValueError(f"Hierarchical.forward: `idx` must be (B, N, L) and `line_lengths` "
                             f"(B, N); got {tuple(idx.shape)} and {tuple(line_lengths.shape)}.")
        B, N, L = idx.shape
        flat = idx.reshape(B * N, L)
        out, _ = pack(self.chars, self.embed(flat), line_lengths.reshape(-1))
        line_vectors = last_real(out, line_lengths.reshape(-1)).reshape(B, N, -1)
        doc, _ = self.lines(line_vectors)
        logits = self.head(doc[:, -1])
        if labels is None:
            return logits, None
        return logits, nn.functional.cross_entropy(logits, torch.as_tensor(labels).long())


def chunk_batches(modules_lines: list[list[str]], encode, n_lines: int, max_len: int, B: int,
                  rng: np.random.Generator, flat: bool):
    """A function i -> (x, labels) for `fit`: B chunks of n_lines consecutive lines, each
    from a module drawn uniformly (label: its index), lines cut to max_len characters.
    flat=False gives x = (idx (B, n_lines, max_len), line_lengths) for `Hierarchical`;
    flat=True the same characters as one sequence per chunk, x = (idx (B, T), lengths),
    for `Classifier`. `encode`: str -> ids."""
    def chunk(m: int, start: int) -> list[np.ndarray]:
        return [encode(ln[:max_len]) for ln in modules_lines[m][start:start + n_lines]]

    def batch(_i: int):
        ms = rng.integers(0, len(modules_lines), size=B)
        chunks = [chunk(m, int(rng.integers(0, len(modules_lines[m]) - n_lines + 1)))
                  for m in ms]
        return chunks_to_input(chunks, flat), torch.as_tensor(ms)
    return batch


def chunks_to_input(chunks: list[list[np.ndarray]], flat: bool):
    """Chunks (lists of lines of ids) -> the x of `Hierarchical` or, flat, of `Classifier`."""
    if flat:
        return pad([np.concatenate(c) for c in chunks])
    L = max(len(ln) for c in chunks for ln in c)
    idx = torch.zeros(len(chunks), len(chunks[0]), L, dtype=torch.long)
    lengths = torch.zeros(len(chunks), len(chunks[0]), dtype=torch.long)
    for b, c in enumerate(chunks):
        for n, ln in enumerate(c):
            idx[b, n, :len(ln)] = torch.as_tensor(ln)
            lengths[b, n] = len(ln)
    return idx, lengths
