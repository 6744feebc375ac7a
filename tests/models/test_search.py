"""The one decoding protocol (models.search, scratch.search, data.specials).

1. Nothing moved: every model decodes as it did before the protocol, bit for bit in
   float32 (the chapters' dtype), against the decoders as they were written before (kept
   here as the oracle) and against outputs recorded before the refactor (literals).
2. The searches are right on every model kind (Seq2Seq with each cell and attention, the
   Captioner with and without attention, the Transformer): greedy is the argmax of
   teacher forcing on its own output, a beam as wide as the number of sequences is brute
   force, and the NumPy search through `step_fn` finds what the batched beam finds.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

from rnncourse.data import chardata, dates, scenes, specials
from rnncourse.data import questions as Q
from rnncourse.models import captioning, search, seq2seq, transformer, vision, vqa
from rnncourse.scratch import attention as A
from rnncourse.scratch import search as S

BOS, EOS, PAD = specials.BOS, specials.EOS, specials.PAD
WV = chardata.WordVocab(scenes.WORDS)
CELLS = ("rnn", "lstm", "gru")
ATTENTIONS = (None, "additive", "dot", "general")
SEQ2SEQ = [f"{c}-{a}" for c in CELLS for a in ("none", "additive", "dot", "general")]
CAPTIONERS = ["captioner-attention", "captioner-mean", "captioner-flat"]
KINDS = SEQ2SEQ + CAPTIONERS + ["transformer"]


# --- models on fixed seeds (the baseline recorded before the refactor used these) -------

def _seq2seq(cell, attention, V=6, double=False, seed=11):
    torch.manual_seed(seed)
    m = seq2seq.Seq2Seq(13, V, E=8, H=6, attention=attention, cell=cell)
    m = m.double() if double else m
    with torch.no_grad():
        m.decoder.out.weight.mul_(4.0)                   # peaked: beams differ from greedy
    return m.eval()


def _sources(seed=5, V=13):
    rng = np.random.default_rng(seed)
    seqs = [list(rng.integers(3, V, size=n)) for n in (7, 3, 5, 1)]
    src, lengths = seq2seq.sequence.pad(seqs)
    return seqs, src, lengths


def _captioner(attention, pooling="mean", V=None, double=False, seed=5):
    torch.manual_seed(seed)
    m = captioning.Captioner(V or len(WV), D=8, E=6, H=10, attention=attention, pooling=pooling,
                             penalty=0.3 if attention else 0.0)
    m = m.double() if double else m
    with torch.no_grad():
        m.out.weight.mul_(4.0)
    return m


def _images(n=5, double=False):
    x = vision.as_tensor([s.image for s in scenes.sample(n, 0)])
    return x.double() if double else x


def _transformer(V=9, double=False, seed=4):
    torch.manual_seed(seed)
    m = transformer.Transformer(11, V, D=16, heads=2, layers=2, ff=32, max_len=12)
    m = m.double() if double else m
    with torch.no_grad():
        m.out.weight.mul_(4.0)
    return m.eval()


def build(kind, V=6, double=True):
    """(model in eval mode, x for a batch, [x for each item alone]) of a model kind."""
    if kind.startswith("captioner"):
        how = kind.split("-")[1]
        m = _captioner(how == "attention", "flat" if how == "flat" else "mean", V, double)
        x = _images(3, double)
        return m.eval(), x, [x[i:i + 1] for i in range(3)]
    if kind == "transformer":
        m = _transformer(V, double)
        seqs, src, lengths = _sources(7, V=11)
    else:
        cell, att = kind.split("-")
        m = _seq2seq(cell, None if att == "none" else att, V, double)
        seqs, src, lengths = _sources(5)
    return m, (src, lengths), [(torch.tensor([s]), [len(s)]) for s in seqs]


# --- the decoders as written before models.search: the oracle -----------------------------

def _old_loop(step, state, inputs):
    logits, weights = [], []
    for i in range(inputs.shape[1]):
        lg, state, w = step(inputs[:, i], state)
        logits.append(lg)
        weights.append(w)
    return torch.stack(logits, 1), (None if weights[0] is None else torch.stack(weights, 1))


def _old_shift(targets):
    return torch.cat([torch.full_like(targets[:, :1], BOS), targets[:, :-1]], 1)


@torch.no_grad()
def _old_greedy(step, state, B, max_len):
    y = torch.full((B,), BOS, dtype=torch.long)
    done = torch.zeros(B, dtype=torch.bool)
    ids, weights = [], []
    for _ in range(max_len):
        logits, state, w = step(y, state)
        y = logits.argmax(-1).masked_fill(done, PAD)
        ids.append(y)
        weights.append(w)
        done |= y == EOS
        if bool(done.all()):
            break
    return torch.stack(ids, 1), (None if weights[0] is None else torch.stack(weights, 1))


def _old_memory_rows(memory, n):
    i = torch.zeros(n, dtype=torch.long)
    return seq2seq.Memory(memory.keys[i], memory.mask[i], memory.final[i],
                          None if memory.prepared is None else memory.prepared[i])


@torch.no_grad()
def _old_beam_search(m, src, length, width, max_len, length_norm=0.0):
    """Seq2Seq.beam_search as it was."""
    memory = m.encode(torch.as_tensor(src)[None], [length])
    state = m.decoder.start(memory)
    tokens, logp = [[]], torch.zeros(1, dtype=memory.keys.dtype)
    last, finished = torch.tensor([BOS]), []
    for _ in range(max_len):
        logits, state, _ = m.decoder.step(last, state, _old_memory_rows(memory, len(tokens)))
        lp = torch.log_softmax(logits.double(), -1)
        top_lp, top_tok = lp.topk(min(width, lp.shape[1]), dim=1)
        total = (logp.double()[:, None] + top_lp).reshape(-1)
        order = torch.argsort(-total, stable=True)[:width]
        beam_of = order // top_tok.shape[1]
        new_tok = top_tok.reshape(-1)[order]
        keep = []
        for j in range(len(order)):
            if not torch.isfinite(total[order[j]]):
                continue
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


def _old_step_fn(step, state0):
    @torch.no_grad()
    def f(token, state):
        logits, new_state, _ = step(torch.tensor([token]), state)
        return torch.log_softmax(logits.double(), -1)[0].numpy(), new_state
    return f, state0


def _old_seq2seq(m, src, lengths):
    """(step, state0) of a Seq2Seq, written against its parts."""
    memory = m.encode(src, lengths)
    return (lambda y, s: m.decoder.step(y, s, memory)), m.decoder.start(memory)


def _old_captioner(m, images):
    grid = m.encoder(torch.as_tensor(images))
    prepared = None if m.attn is None else m.attn.prepare(grid)
    return (lambda y, s: m.step(y, s, grid, prepared)), m.start(grid)


@torch.no_grad()
def _old_transformer_greedy(m, src, lengths, max_len):
    memory, pad = m.encode(src, lengths)
    B = memory.shape[0]
    inputs = torch.full((B, 1), BOS, dtype=torch.long)
    done = torch.zeros(B, dtype=torch.bool)
    ids = []
    for _ in range(min(max_len, m.max_len)):
        y = m.decode(memory, pad, inputs)[:, -1].argmax(-1).masked_fill(done, PAD)
        ids.append(y)
        done |= y == EOS
        if bool(done.all()):
            break
        inputs = torch.cat([inputs, y[:, None]], 1)
    return torch.stack(ids, 1), None


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return torch.equal(a, b) and a.dtype == b.dtype


# --- 1. before and after: the oracle -----------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("attention", ATTENTIONS)
def test_seq2seq_decodes_bit_for_bit_as_before(cell, attention):
    m = _seq2seq(cell, attention)
    seqs, src, lengths = _sources()
    targets = torch.from_numpy(np.random.default_rng(6).integers(3, 6, size=(4, 6)))
    targets[1, 4:] = torch.tensor([EOS, PAD])
    with torch.no_grad():
        step, st = _old_seq2seq(m, src, lengths)
        old = _old_loop(step, st, _old_shift(targets))
        new = m.teacher_forced(src, lengths, targets)
        assert _same(old[0], new[0]) and _same(old[1], new[1])
        assert new[0].dtype == torch.float32
        loss = torch.nn.functional.cross_entropy(old[0].reshape(-1, 6), targets.reshape(-1),
                                                 ignore_index=PAD)
        assert _same(m((src, lengths), targets)[1], loss)
        step, st = _old_seq2seq(m, src, lengths)
        assert _same(m((src, lengths))[0], _old_greedy(step, st, 4, 2 * 7 + 2)[0])
    for max_len in (1, 4, 9):
        step, st = _old_seq2seq(m, src, lengths)
        old, new = _old_greedy(step, st, 4, max_len), m.greedy(src, lengths, max_len)
        assert _same(old[0], new[0]) and _same(old[1], new[1])
    for s in seqs:
        s = torch.tensor(s)
        for width in (1, 2, 3, 40):
            for lam in (0.0, 0.7):
                assert m.beam_search(s, len(s), width, 6, lam) == \
                    _old_beam_search(m, s, len(s), width, 6, lam)
        new_step, new_st = m.step_fn(s, len(s))
        old_step, old_st = _old_step_fn(*_old_seq2seq(m, s[None], [len(s)]))
        for tok in (BOS, 3, 4, 2):
            (a, new_st), (b, old_st) = new_step(tok, new_st), old_step(tok, old_st)
            assert np.array_equal(a, b) and a.dtype == np.float64


@pytest.mark.parametrize(("attention", "pooling"), [(True, "mean"), (False, "mean"),
                                                    (False, "flat")])
def test_captioner_decodes_bit_for_bit_as_before(attention, pooling):
    m = _captioner(attention, pooling).eval()
    x = _images()
    targets = torch.from_numpy(WV.batch([s.caption for s in scenes.sample(5, 0)], eos=True)[0])
    with torch.no_grad():
        old = _old_loop(*_old_captioner(m, x), _old_shift(targets))
        new = m.teacher_forced(x, targets)
        assert _same(old[0], new[0]) and _same(old[1], new[1])
        assert _same(m(x)[0], _old_greedy(*_old_captioner(m, x), 5, 16)[0])
    for max_len in (1, 6):
        old = _old_greedy(*_old_captioner(m, x), 5, max_len)
        new = m.greedy(x, max_len)
        assert _same(old[0], new[0]) and _same(old[1], new[1])
    new_step, new_st = m.step_fn(x[0])
    old_step, old_st = _old_step_fn(*_old_captioner(m, x[:1]))
    for tok in (BOS, 3, 4, 2):
        (a, new_st), (b, old_st) = new_step(tok, new_st), old_step(tok, old_st)
        assert np.array_equal(a, b)
    # Chapter 8 calls the step with the grid and its prepared terms
    grid = m.encoder(x)
    prepared = None if m.attn is None else m.attn.prepare(grid)
    state = m.start(grid)
    y = torch.tensor([BOS] * 5)
    a, b = m.step(y, state, grid, prepared), m.step(y, state, (grid, prepared))
    assert all(_same(u, v) for u, v in zip((a[0], *a[1], a[2]), (b[0], *b[1], b[2]),
                                            strict=True))


def test_transformer_decodes_bit_for_bit_as_before():
    m = _transformer()
    _, src, lengths = _sources(7, V=11)
    for max_len in (1, 5, 20):              # 20 > m.max_len = 12: capped
        assert _same(m.greedy(src, lengths, max_len)[0],
                     _old_transformer_greedy(m, src, lengths, max_len)[0])
    assert m.greedy(src, lengths, 20)[1] is None
    assert _same(m((src, lengths))[0], _old_transformer_greedy(m, src, lengths, 16)[0])
    targets = torch.tensor([[3, 4, 2, 0], [5, 6, 7, 2], [8, 2, 0, 0], [3, 3, 3, 2]])
    with torch.no_grad():
        memory, pad = m.encode(src, lengths)
        old = m.decode(memory, pad, _old_shift(targets))
        assert _same(m((src, lengths), targets)[0], old)
        # a step re-reads the whole prefix and keeps its last position
        step, state = search.step_fn(m, (src[:1], lengths[:1]))
        memory, pad = m.encode(src[:1], lengths[:1])
        prefix = torch.tensor([[BOS, 3, 4, 5, 6, 7, 8]])
        for t in range(prefix.shape[1]):
            lp, state = step(int(prefix[0, t]), state)
            want = torch.log_softmax(m.decode(memory, pad, prefix[:, :t + 1])[:, -1].double(), -1)
            assert np.array_equal(lp, want[0].numpy())


def test_the_runners_decode_as_before():
    """translate, caption and vqa.predict against the loops they replaced; the mode of
    the model comes back."""
    sv, tv = dates.source_vocab(), dates.target_vocab()
    sources = [e.source for e in dates.sample(7, 3)]
    torch.manual_seed(2)
    m = seq2seq.Seq2Seq(len(sv), len(tv), E=8, H=8, attention="additive")
    for B in (2, 256):
        texts, maps = seq2seq.translate(m, sources, sv, tv, max_len=11, B=B)
        assert m.training
        m.eval()
        for s in range(0, len(sources), B):
            src, lengths = sv.batch(sources[s:s + B])
            step, st = _old_seq2seq(m, torch.from_numpy(src), torch.from_numpy(lengths))
            ids, w = _old_greedy(step, st, len(src), 11)
            for b, row in enumerate(ids.tolist()):
                U = row.index(EOS) + 1 if EOS in row else len(row)
                assert texts[s + b] == tv.decode(row)
                assert np.array_equal(maps[s + b], w[b, :U, :lengths[b]].numpy())
        m.train()

    c = _captioner(True).float().train()
    sc = scenes.sample(5, 1)
    texts, maps = captioning.caption(c, sc, WV, max_len=9, B=2)
    assert c.training
    c.eval()
    for s in range(0, 5, 2):
        ids, w = _old_greedy(*_old_captioner(c, vision.as_tensor([x.image for x in sc[s:s + 2]])),
                             len(sc[s:s + 2]), 9)
        for b, row in enumerate(ids.tolist()):
            U = row.index(EOS) + 1 if EOS in row else len(row)
            assert texts[s + b] == WV.decode(row) and np.array_equal(maps[s + b], w[b, :U].numpy())

    qv = chardata.WordVocab(Q.QUESTION_WORDS)
    items = Q.all_items(scenes.sample(4, 2))[:30]
    grid = torch.randn(4, 36, 8, generator=torch.Generator().manual_seed(0))
    for mode in vqa.MODES:
        torch.manual_seed(6)
        v = vqa.VQA(len(qv), len(Q.ANSWERS), D=8, H=12, mode=mode).train()
        right, weights = vqa.predict(v, grid, items, qv, Q.ANSWERS, B=7)
        assert v.training
        v.eval()
        with torch.no_grad():
            parts = [v.answer(vqa.batch(grid, items[s:s + 7], qv, Q.ANSWERS)[0])
                     for s in range(0, 30, 7)]
            ys = [vqa.batch(grid, items[s:s + 7], qv, Q.ANSWERS)[1] for s in range(0, 30, 7)]
        want = [(lg.argmax(-1) == y).numpy() for (lg, _), y in zip(parts, ys, strict=True)]
        assert np.array_equal(right, np.concatenate(want))
        assert (weights is None) == (mode != "attention")
        if weights is not None:
            assert np.array_equal(weights, np.concatenate([w.numpy() for _, w in parts]))


# --- 1. before and after: outputs recorded before the refactor ---------------------------

# greedy ids (max_len 9; the captioners 6, the Transformer 5) of the float32 models above,
# recorded before models.search existed
GREEDY_BEFORE = {
    ("rnn", None): [[3, 5, 5, 4, 2], [3, 4, 2, 0, 0], [3, 5, 4, 2, 0], [3, 5, 4, 2, 0]],
    ("rnn", "additive"): [[5, 4, 5, 4, 5, 4, 5, 4, 5]] * 4,
    ("rnn", "dot"): [[5, 5, 5, 5, 5, 5, 2], [5, 2, 0, 0, 0, 0, 0], [5, 5, 2, 0, 0, 0, 0],
                     [5, 5, 2, 0, 0, 0, 0]],
    ("rnn", "general"): [[5] * 9, [5, 2] + [0] * 7, [5] * 9, [2] + [0] * 8],
    ("lstm", None): [[5, 2, 0], [5, 3, 2], [5, 2, 0], [5, 2, 0]],
    ("lstm", "additive"): [[3] + [5] * 8, [3, 4, 5, 4, 5, 5, 4, 5, 5], [3] + [5] * 8,
                           [3, 4] + [5] * 7],
    ("lstm", "dot"): [[3, 5, 3, 5, 3, 5, 3, 5, 3]] * 4,
    ("lstm", "general"): [[4] * 9] * 4,
    ("gru", None): [[4, 2] + [0] * 7, [4, 2] + [0] * 7, [4, 3, 5, 4, 3, 5, 4, 3, 5],
                    [4, 2] + [0] * 7],
    ("gru", "additive"): [[3, 2]] * 4,
    ("gru", "dot"): [[5, 4, 5, 4, 5, 4, 5, 4, 5], [5] * 9, [5, 5, 5, 2, 0, 0, 0, 0, 0], [5] * 9],
    ("gru", "general"): [[4] * 9] * 4,
    ("captioner", True, "mean"): [[10, 7, 11, 13, 6, 11]] * 5,
    ("captioner", False, "mean"): [[11, 4, 14, 5, 10, 4]] * 5,
    ("captioner", False, "flat"): [[10, 11, 11, 11, 11, 11]] * 5,
    ("transformer",): [[3, 2, 0, 0, 0], [3, 2, 0, 0, 0], [3, 2, 0, 0, 0], [3, 3, 3, 3, 3]],
}
# Seq2Seq.beam_search: source 2 at width 3, lambda 1; source 0 at width 2, lambda 0
BEAM_BEFORE = {
    ("rnn", None): ([3, 5, 4, 2], -0.620948774, [2], -1.280663590),
    ("rnn", "additive"): ([5, 4, 5, 4, 5, 4], -0.454865093, [5, 2], -1.939065624),
    ("rnn", "dot"): ([5, 2], -1.053047458, [2], -1.652488038),
    ("rnn", "general"): ([5, 5, 5, 5, 5, 5], -0.704509165, [5, 5, 5, 5, 5, 5], -1.816897544),
    ("lstm", None): ([5, 2], -0.860703312, [2], -1.535193866),
    ("lstm", "additive"): ([3, 5, 4, 5, 5, 5], -0.914836858, [3, 4, 5, 5, 5, 5], -5.399975429),
    ("lstm", "dot"): ([3, 5, 3, 5, 3, 5], -1.200982593, [3, 5, 3, 5, 3, 5], -7.383049492),
    ("lstm", "general"): ([4, 4, 4, 4, 4, 4], -1.124755399, [4, 4, 4, 4, 4, 4], -7.029562783),
    ("gru", None): ([4, 3, 5, 4, 3, 5], -0.673828564, [4, 2], -1.325638886),
    ("gru", "additive"): ([3, 2], -0.432988291, [3, 2], -1.093014587),
    ("gru", "dot"): ([5, 5, 2], -1.260138267, [5, 4, 5, 4, 5, 4], -7.347934715),
    ("gru", "general"): ([4, 4, 4, 4, 4, 4], -0.664270229, [4, 4, 4, 4, 4, 4], -4.054805646),
}
# scratch beam (width 3, lambda 1) through Captioner.step_fn on the first image
CAPTION_BEAM_BEFORE = {
    (True, "mean"): ([10, 7, 11, 13, 5, 15, 11, 13], -1.180689033),
    (False, "mean"): ([11, 15, 3, 10, 13, 2], -1.350011189),
    (False, "flat"): ([10, 11, 11, 11, 11, 11, 11, 11], -1.438869265),
}


@pytest.mark.parametrize(("cell", "attention"), [(c, a) for c in CELLS for a in ATTENTIONS])
def test_seq2seq_outputs_recorded_before_the_protocol(cell, attention):
    m = _seq2seq(cell, attention)
    seqs, src, lengths = _sources()
    assert m.greedy(src, lengths, 9)[0].tolist() == GREEDY_BEFORE[cell, attention]
    t2, s2, t0, s0 = BEAM_BEFORE[cell, attention]
    got = m.beam_search(torch.tensor(seqs[2]), 5, 3, 6, 1.0)
    assert got[0] == t2 and got[1] == pytest.approx(s2, abs=2e-9)
    got = m.beam_search(torch.tensor(seqs[0]), 7, 2, 6, 0.0)
    assert got[0] == t0 and got[1] == pytest.approx(s0, abs=2e-9)


@pytest.mark.parametrize(("attention", "pooling"), list(CAPTION_BEAM_BEFORE))
def test_captioner_outputs_recorded_before_the_protocol(attention, pooling):
    m = _captioner(attention, pooling).train()
    x = _images()
    targets = torch.from_numpy(WV.batch([s.caption for s in scenes.sample(5, 0)], eos=True)[0])
    with torch.no_grad():
        m(x, targets)                     # one batch in train mode moves BatchNorm's statistics
    m.eval()
    assert m.greedy(x, 6)[0].tolist() == GREEDY_BEFORE["captioner", attention, pooling]
    step, st = m.step_fn(x[0])
    tokens, score = S.beam_search(step, st, BOS, EOS, 3, 8, 1.0)
    want = CAPTION_BEAM_BEFORE[attention, pooling]
    assert tokens == want[0] and score == pytest.approx(want[1], abs=2e-9)


def test_transformer_outputs_recorded_before_the_protocol():
    _, src, lengths = _sources(7, V=11)
    assert _transformer().greedy(src, lengths, 5)[0].tolist() == GREEDY_BEFORE["transformer",]


# --- 2. the searches, on every model kind ------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_greedy_is_the_argmax_of_teacher_forcing_on_its_own_output(kind):
    m, x, _ = build(kind)
    ids, w = search.greedy(m, x, 8)
    with torch.no_grad():
        logits, w2 = search.teacher_forced(m, x, search.shift_right(ids))
    for b, row in enumerate(ids.tolist()):
        U = row.index(EOS) + 1 if EOS in row else len(row)
        assert logits[b, :U].argmax(-1).tolist() == row[:U]
        assert PAD not in row[:U] and BOS not in row[:U] and set(row[U:]) <= {PAD}
    # the same inputs in the same batch: the same numbers
    assert torch.equal(logits.argmax(-1)[ids != PAD], ids[ids != PAD])
    assert (w is None) == (w2 is None) == (kind.endswith("none") or kind in (
        "captioner-mean", "captioner-flat", "transformer"))
    if w is not None:
        assert torch.equal(w, w2)
    if kind == "transformer":         # the parallel pass is the step loop
        with torch.no_grad():
            parallel, _ = m.teacher_forced(*x, ids)
        assert torch.allclose(parallel, logits, atol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
def test_a_beam_as_wide_as_all_sequences_is_brute_force(kind):
    """V = 5 (PAD, BOS, EOS and two tokens): at most 5**5 sequences of up to 5 tokens; a
    narrower beam never scores above the best."""
    m, _, ones = build(kind, V=5)
    for x in ones[:2]:
        step, st = search.step_fn(m, x)
        for lam in (0.0, 1.0):
            best = S.brute_force(step, st, BOS, EOS, 5, 5, lam)
            wide = search.beam_search(m, x, 5 ** 5, 5, lam)
            assert wide[0] == best[0] and np.isclose(wide[1], best[1], rtol=1e-12, atol=0)
            for width in (1, 2):
                assert search.beam_search(m, x, width, 5, lam)[1] <= best[1] + 1e-12


@pytest.mark.parametrize("kind", KINDS)
def test_step_fn_and_the_numpy_search_find_what_the_batched_beam_finds(kind):
    m, x, ones = build(kind)
    for one in ones[:3]:
        step, st = search.step_fn(m, one)
        g = S.greedy(step, st, BOS, EOS, 6)
        ids, _ = search.greedy(m, one, 6)
        assert [t for t in ids[0].tolist() if t != PAD] == g[0]
        for width in (1, 2, 3):
            for lam in (0.0, 0.5, 1.0):
                ref = S.beam_search(step, st, BOS, EOS, width, 6, lam)
                got = search.beam_search(m, one, width, 6, lam)
                assert got[0] == ref[0] and np.isclose(got[1], ref[1], rtol=1e-12, atol=0)
        assert search.beam_search(m, one, 1, 6)[0] == g[0]


@pytest.mark.parametrize("kind", ["gru-additive", "captioner-attention", "transformer"])
def test_the_models_methods_are_the_protocol_s(kind):
    m, x, ones = build(kind)
    if kind.startswith("captioner"):
        assert m.beam_search(ones[0][0], 3, 6, 0.5) == search.beam_search(m, ones[0], 3, 6, 0.5)
        step, st = m.step_fn(ones[0][0])
        assert torch.equal(m.greedy(x, 6)[0], search.greedy(m, x, 6)[0])
    else:
        src, (L,) = ones[0][0][0], ones[0][1]
        assert m.beam_search(src, L, 3, 6, 0.5) == search.beam_search(m, ones[0], 3, 6, 0.5)
        step, st = m.step_fn(src, L)
        assert torch.equal(m.greedy(*x, 6)[0], search.greedy(m, x, 6)[0])
        with pytest.raises(ValueError, match="one source"):
            m.beam_search(src[None], L, 3, 6)
    ref, ref_st = search.step_fn(m, ones[0])
    assert np.array_equal(step(BOS, st)[0], ref(BOS, ref_st)[0])
    with pytest.raises(ValueError, match="`width` must be a positive integer"):
        search.beam_search(m, ones[0], 0, 6)
    with pytest.raises(ValueError, match="`max_len` must be a positive integer"):
        search.beam_search(m, ones[0], 2, 0)
    with pytest.raises(ValueError, match="a batch of 1"):
        search.beam_search(m, x, 2, 3)
    assert search.beam_search(m, ones[0], np.int64(2), 6) == search.beam_search(m, ones[0], 2, 6)


def test_the_transformer_stops_at_its_max_len():
    m = _transformer(V=5, double=True)
    m.max_len = 4
    _, src, lengths = _sources(7, V=11)
    assert m.greedy(src[:, :4], lengths.clamp(max=4), 10)[0].shape[1] <= 4
    tokens, _ = m.beam_search(src[0, :4], 4, 3, 10)
    assert len(tokens) <= 4


# --- the shared pieces -------------------------------------------------------------------

def test_one_set_of_special_ids_and_one_mask():
    assert (specials.PAD, specials.BOS, specials.EOS) == (0, 1, 2)
    for module in (seq2seq, captioning, transformer):
        assert (module.PAD, module.BOS, module.EOS) == (PAD, BOS, EOS)
    for vocab in (chardata.TokenVocab, chardata.WordVocab):
        assert (vocab.PAD, vocab.BOS, vocab.EOS) == (PAD, BOS, EOS)
        assert vocab.SPECIALS == specials.SPECIALS
    never = specials.never_outputs(5)
    assert never.dtype == np.float32 and np.isneginf(never[[PAD, BOS]]).all()
    assert (never[2:] == 0).all()
    assert seq2seq.never_outputs is search.never_outputs
    assert search.never_outputs(5).dtype == torch.float32
    assert seq2seq.check_src is search.check_src is transformer.check_src
    with pytest.raises(ValueError, match="`V` must be an integer > 2"):
        specials.never_outputs(2)
    # the models keep float32 logits, and .double() converts the mask with them
    for m, name in ((_seq2seq("gru", "additive"), "decoder.never"), (_captioner(True), "never"),
                    (_transformer(), "never")):
        assert m.get_buffer(name).dtype == torch.float32
        assert m.double().get_buffer(name).dtype == torch.float64
    m, x, _ = build("gru-dot", double=False)
    assert search.teacher_forced(m, x, torch.full((4, 2), BOS))[0].dtype == torch.float32


def test_the_shift_of_teacher_forcing_in_both_wings():
    targets = np.random.default_rng(0).integers(3, 9, size=(4, 5))
    np.testing.assert_array_equal(search.shift_right(torch.from_numpy(targets)).numpy(),
                                  specials.shift_right(targets))
    assert (specials.shift_right(targets)[:, 0] == BOS).all()
    np.testing.assert_array_equal(specials.shift_right(targets)[:, 1:], targets[:, :-1])
    assert specials.length_normalised(-6.0, 3, 1.0) == -2.0
    assert specials.length_normalised(-6.0, 3, 0.0) == -6.0


def test_select_picks_rows_of_tensors_tuples_and_dataclasses():
    t = torch.arange(12).reshape(3, 4)
    memory = seq2seq.Memory(t, t > 2, t[:, 0], None)
    idx = torch.tensor([2, 2, 0])
    got = search.select(memory, idx)
    assert isinstance(got, seq2seq.Memory) and got.prepared is None
    assert torch.equal(got.keys, t[idx]) and torch.equal(got.final, t[idx, 0])
    assert torch.equal(memory.select(idx).mask, (t > 2)[idx])
    pair = search.select((t, (t[:, 1], None)), idx)
    assert torch.equal(pair[0], t[idx]) and torch.equal(pair[1][0], t[idx, 1])
    assert pair[1][1] is None
    with pytest.raises(TypeError, match="tensors, tuples"):
        search.select({"a": t}, idx)


def test_evaluating_restores_the_mode_even_on_an_error():
    m = _seq2seq("gru", None).train()
    with pytest.raises(RuntimeError), search.evaluating(m):
        assert not m.training
        raise RuntimeError
    assert m.training
    seen = []
    out = search.run(m, list(range(7)), 3, lambda part: seen.append(m.training) or len(part))
    assert out == [3, 3, 1] and seen == [False] * 3 and m.training
    ids = torch.tensor([[4, 2, 0], [4, 4, 4]])
    w = torch.rand(2, 3, 5)
    rows = search.crop(ids, w, np.array([2, 5]))
    assert rows[0][0] == [4, 2, 0] and rows[0][1].shape == (2, 2) and rows[1][1].shape == (3, 5)
    assert search.crop(ids, None)[1] == ([4, 4, 4], None)


def test_scratch_attention_re_exports_the_numpy_searches():
    """The exercise set's hidden tests and the mutation tests call them from
    scratch.attention, positionally."""
    for name in ("beam_search", "greedy", "brute_force", "Step"):
        assert getattr(A, name) is getattr(S, name)
    params = {f: list(inspect.signature(getattr(S, f)).parameters) for f in
              ("beam_search", "greedy", "brute_force")}
    assert params == {
        "beam_search": ["step", "state", "bos", "eos", "width", "max_len", "length_norm"],
        "greedy": ["step", "state", "bos", "eos", "max_len"],
        "brute_force": ["step", "state", "bos", "eos", "V", "max_len", "length_norm"]}
