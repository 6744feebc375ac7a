"""Decoding in torch, written once for every decoder of the course (Chapters 7-9).

The step protocol. A decoder (`seq2seq.Seq2Seq`, `captioning.Captioner`,
`transformer.Transformer`) has two methods:

    state, memory = model.begin(x)
    logits, state, weights = model.step(y_prev, state, memory)

`begin` reads the model's input for a batch (x = (src, lengths) for the translators,
images for the captioner) once: `memory` is what every step reads, `state` what a step
changes. `step` takes the previous output ids y_prev (B,) and returns logits (B, V) (with
`never_outputs` added: PAD and BOS impossible), the new state and the attention weights
over the memory (B, S), or None. State and memory are tensors, or tuples or dataclasses of
them (None allowed), with the batch on dim 0, so that `select` can pick rows of them.

On the protocol:

    teacher_forced(model, x, inputs)  -> logits (B, U, V), weights (B, U, S) or None
    greedy(model, x, max_len)         -> ids (B, U <= max_len), weights or None
    beam_search(model, x, width, max_len, length_norm=0.0) -> (tokens, score), x one input
    step_fn(model, x)                 -> (step, state0) in `scratch.search`'s interface

and, for any model, `evaluating(model)` (eval mode, the mode restored afterwards) and the
batched runner `run(model, items, B, part)`, with `crop` for greedy outputs. The special
ids, the never-output mask and the shift of teacher forcing are `data.specials`'.

What the numbers depend on, kept as the models had it: log-probabilities in float64
(`log_softmax(logits.double())`), float64 sums of them, ties broken by a stable sort
(beam search) or the first maximum (argmax); a finished row is fed PAD, and greedy stops
as soon as every row has emitted EOS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnncourse.data import specials
from rnncourse.data.specials import BOS, EOS, PAD
from rnncourse.models import sequence


def never_outputs(V: int) -> Tensor:
    """(V,) float32 added to a decoder's logits: 0, and -inf at PAD and BOS, never outputs
    (`specials.never_outputs`; register it as a buffer: `.double()` converts it)."""
    return torch.from_numpy(specials.never_outputs(V))


def shift_right(targets: Tensor) -> Tensor:
    """(B, U) target ids -> (B, U) what teacher forcing feeds: BOS, then targets[:, :-1]
    (`specials.shift_right` in torch)."""
    return torch.cat([torch.full_like(targets[:, :1], BOS), targets[:, :-1]], 1)


def sequence_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """The mean cross-entropy over the real (non-PAD) targets: logits (B, U, V),
    targets (B, U)."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=PAD)


def check_src(src, lengths, func: str = "Seq2Seq") -> tuple[Tensor, Tensor]:
    """A source batch as tensors, checked: src (B, S) int64 ids and lengths (B,) in 1..S;
    errors name `func`."""
    src = torch.as_tensor(src)
    if src.dim() != 2 or src.dtype != torch.long:
        raise ValueError(f"{func}: `src` must be (B, S) int64 ids, got shape "
                         f"{tuple(src.shape)} dtype {src.dtype}.")
    lengths = sequence._lengths(func, lengths, src.shape[0], src.shape[1])
    return src, lengths


def one_source(src, length: int, func: str = "beam_search") -> tuple[Tensor, list[int]]:
    """One source (S,) of `length` real ids -> x = (src (1, S), [length]), a batch of one."""
    src = torch.as_tensor(src)
    if src.dim() != 1:
        raise ValueError(f"{func}: `src` must be one source (S,), got {tuple(src.shape)}.")
    return src[None], [length]


def _leaves(tree) -> Iterator[Tensor]:
    if isinstance(tree, Tensor):
        yield tree
    elif isinstance(tree, tuple | list):
        for t in tree:
            yield from _leaves(t)
    elif is_dataclass(tree):
        for f in fields(tree):
            yield from _leaves(getattr(tree, f.name))
    elif tree is not None:
        raise TypeError(f"a decoder's state and memory hold tensors, tuples, dataclasses "
                        f"and None, got {type(tree).__name__}.")


def select(tree, index: Tensor):
    """The rows `index` of every tensor in a state or memory (tensors, tuples or
    dataclasses of them, None kept): e.g. one source repeated for every beam, or the
    states of the beams that survive."""
    if isinstance(tree, Tensor):
        return tree[index]
    if isinstance(tree, tuple):
        return tuple(select(t, index) for t in tree)
    if is_dataclass(tree):
        return replace(tree, **{f.name: select(getattr(tree, f.name), index)
                                for f in fields(tree)})
    if tree is None:
        return None
    raise TypeError(f"select: a decoder's state and memory hold tensors, tuples, "
                    f"dataclasses and None, got {type(tree).__name__}.")


def _rows(memory) -> Tensor:
    """The first tensor of a memory: its batch size and device are the batch's."""
    return next(_leaves(memory))


def _stack(weights: list[Tensor | None]) -> Tensor | None:
    return None if weights[0] is None else torch.stack(weights, 1)


def teacher_forced(model, x, inputs: Tensor) -> tuple[Tensor, Tensor | None]:
    """Logits (B, U, V) and weights (B, U, S) (None without attention) when step i is fed
    inputs[:, i] (`shift_right(targets)` for teacher forcing)."""
    state, memory = model.begin(x)
    logits, weights = [], []
    for i in range(inputs.shape[1]):
        lg, state, w = model.step(inputs[:, i], state, memory)
        logits.append(lg)
        weights.append(w)
    return torch.stack(logits, 1), _stack(weights)


@torch.no_grad()
def greedy(model, x, max_len: int) -> tuple[Tensor, Tensor | None]:
    """Greedy decoding of a batch, each step fed the previous argmax: ids (B, U <=
    max_len), PAD after each row's EOS; weights (B, U, S) or None. Stops when every row
    has emitted EOS."""
    state, memory = model.begin(x)
    first = _rows(memory)
    B = first.shape[0]
    y = torch.full((B,), BOS, dtype=torch.long, device=first.device)
    done = torch.zeros(B, dtype=torch.bool, device=y.device)
    ids, weights = [], []
    for _ in range(max_len):
        logits, state, w = model.step(y, state, memory)
        y = logits.argmax(-1).masked_fill(done, PAD)
        ids.append(y)
        weights.append(w)
        done |= y == EOS
        if bool(done.all()):
            break
    return torch.stack(ids, 1), _stack(weights)


@torch.no_grad()
def beam_search(model, x, width: int, max_len: int, length_norm: float = 0.0
                ) -> tuple[list[int], float]:
    """Beam search of width `width` for one input x (a batch of one): (tokens, EOS
    included if emitted; total log p / len**length_norm). The algorithm of
    `scratch.search.beam_search` with the live hypotheses as one batch: each keeps its
    `width` best next tokens, the `width` best of all those (a stable sort: ties in
    order) survive, one that ends in EOS is set aside as finished (it takes one of the
    `width` places) and never extended; at max_len the live ones are ranked with the
    finished. Scores are float64 sums; they may differ from the NumPy search's in the
    last bits, as a batch of hypotheses is not computed exactly as one row at a time."""
    if not (isinstance(width, int | np.integer) and width >= 1):
        raise ValueError(f"beam_search: `width` must be a positive integer, got {width!r}.")
    if not (isinstance(max_len, int | np.integer) and max_len >= 1):
        raise ValueError(f"beam_search: `max_len` must be a positive integer, got {max_len!r}.")
    width = int(width)
    state, memory = model.begin(x)
    first = _rows(memory)
    if first.shape[0] != 1:
        raise ValueError(f"beam_search: `x` must be one input (a batch of 1), got "
                         f"{first.shape[0]}.")
    tokens: list[list[int]] = [[]]
    logp = torch.zeros(1, dtype=torch.float64)
    last = torch.full((1,), BOS, dtype=torch.long, device=first.device)
    finished: list[tuple[list[int], float]] = []
    for _ in range(max_len):
        n = len(tokens)
        rows = select(memory, torch.zeros(n, dtype=torch.long, device=first.device))
        logits, state, _ = model.step(last, state, rows)
        lp = torch.log_softmax(logits.double(), -1)              # (n, V)
        top_lp, top_tok = lp.topk(min(width, lp.shape[1]), dim=1)   # each beam's best
        total = (logp[:, None] + top_lp).reshape(-1)
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
        idx = torch.tensor([j for j, _ in keep], device=order.device)
        tokens = [seq for _, seq in keep]
        logp = total[order][idx]
        last = new_tok[idx]
        state = select(state, beam_of[idx])
    pool = finished + [(t, float(lp)) for t, lp in zip(tokens, logp, strict=True)]

    def score(h):
        return specials.length_normalised(h[1], len(h[0]), length_norm)

    best = max(pool, key=score)
    return best[0], score(best)


def step_fn(model, x) -> tuple[Callable, object]:
    """(step, state0) for one input x (a batch of one) in `scratch.search`'s interface:
    step(token, state) -> (log-probabilities (V,) as float64 NumPy, next state). The
    model's mode is left as it is (a captioner's BatchNorm wants eval mode)."""
    state0, memory = model.begin(x)

    @torch.no_grad()
    def step(token: int, state):
        logits, new_state, _ = model.step(torch.tensor([token]), state, memory)
        return torch.log_softmax(logits.double(), -1)[0].numpy(), new_state

    return step, state0


@contextmanager
def evaluating(model: nn.Module):
    """with evaluating(model): ... runs in eval mode (dropout off, BatchNorm on its
    running statistics) and restores the model's train/eval mode afterwards."""
    was = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was)


def run(model: nn.Module, items, B: int, part: Callable) -> list:
    """[part(items[s:s + B]) for every chunk of B items], in eval mode (the model's mode
    restored) and without gradients: the batched runner of `seq2seq.translate`,
    `captioning.caption` and `vqa.predict`. The chunk size matters to the last bits of
    float32 outputs, so each caller keeps its own B."""
    out = []
    with evaluating(model), torch.no_grad():
        for s in range(0, len(items), B):
            out.append(part(items[s:s + B]))
    return out


def crop(ids: Tensor, weights: Tensor | None, lengths=None
         ) -> list[tuple[list[int], np.ndarray | None]]:
    """Greedy outputs ids (B, U) and weights (B, U, S) or None -> per row (its ids as a
    list, its weights (U_b, S) for the U_b tokens up to and with its EOS, cut to its own
    lengths[b] positions when `lengths` is given, or None)."""
    out = []
    for b, row in enumerate(ids.tolist()):
        U = row.index(EOS) + 1 if EOS in row else len(row)
        if weights is None:
            out.append((row, None))
        elif lengths is None:
            out.append((row, weights[b, :U].numpy()))
        else:
            out.append((row, weights[b, :U, :lengths[b]].numpy()))
    return out
