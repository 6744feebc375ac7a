"""Seq2seq models: padding changes nothing, the decoder's step matches the teacher-forced
pass, greedy and beam search agree with the NumPy algorithms and with brute force."""

import numpy as np
import pytest
import torch

from rnncourse.data import chardata, dates, tasks
from rnncourse.models import seq2seq
from rnncourse.scratch import search as S

KINDS = [None, "additive", "dot", "general"]


def _model(kind, V_src=13, V_tgt=5, seed=0, cell="gru"):
    torch.manual_seed(seed)
    return seq2seq.Seq2Seq(V_src, V_tgt, E=8, H=6, attention=kind, cell=cell).double().eval()


def _batch(rng, B=4, V=13):
    seqs = [rng.integers(3, V, size=n) for n in (7, 3, 5, 1)[:B]]
    src, lengths = seq2seq.sequence.pad([list(s) for s in seqs])
    return seqs, src, lengths


CELL_KINDS = [(c, k) for c in ("gru", "lstm", "rnn") for k in KINDS]


@pytest.mark.parametrize(("cell", "kind"), CELL_KINDS)
def test_padding_changes_nothing(cell, kind):
    """Each source decoded alone equals its row of the padded batch; attention puts
    exactly zero weight on padding (every cell: Chapter 9 swaps the GRU for an LSTM or a
    vanilla RNN)."""
    rng = np.random.default_rng(1)
    m = _model(kind, cell=cell)
    seqs, src, lengths = _batch(rng)
    targets = torch.from_numpy(rng.integers(3, 5, size=(4, 6)))
    with torch.no_grad():
        logits, w = m.teacher_forced(src, lengths, targets)
        for b, s in enumerate(seqs):
            alone, wa = m.teacher_forced(torch.tensor([list(s)]), [len(s)], targets[b:b + 1])
            assert torch.allclose(alone[0], logits[b], atol=1e-12)
            if w is not None:
                assert torch.all(w[b, :, len(s):] == 0)
                assert torch.allclose(w[b].sum(-1), torch.ones(6, dtype=w.dtype))
                assert torch.allclose(wa[0], w[b, :, :len(s)], atol=1e-12)


@pytest.mark.parametrize(("cell", "kind"), CELL_KINDS)
def test_greedy_equals_feeding_back_its_own_argmax(cell, kind):
    rng = np.random.default_rng(2)
    m = _model(kind, cell=cell)
    _, src, lengths = _batch(rng)
    ids, _ = m.greedy(src, lengths, max_len=8)
    for b in range(4):
        row = ids[b].tolist()
        U = row.index(seq2seq.EOS) + 1 if seq2seq.EOS in row else len(row)
        with torch.no_grad():
            logits, _ = m.teacher_forced(src[b:b + 1], lengths[b:b + 1],
                                         torch.tensor([row[:U]]))
        assert logits[0].argmax(-1).tolist() == row[:U]
        assert all(t == seq2seq.PAD for t in row[U:])


def test_loss_ignores_padding_and_teacher_forcing_feeds_the_targets():
    rng = np.random.default_rng(3)
    m = _model("additive")
    _, src, lengths = _batch(rng)
    tgt = torch.from_numpy(rng.integers(3, 5, size=(4, 5)))
    tgt[1, 3:] = seq2seq.PAD
    logits, loss = m((src, lengths), tgt)
    real = tgt != seq2seq.PAD
    by_hand = -torch.log_softmax(logits, -1).gather(-1, tgt[..., None])[..., 0][real].mean()
    assert torch.allclose(loss, by_hand)
    fed = torch.cat([torch.full((4, 1), seq2seq.BOS), tgt[:, :-1]], 1)
    with torch.no_grad():
        again, _ = m.teacher_forced(src, lengths, tgt, inputs=fed)
    assert torch.allclose(again, logits.detach())


@pytest.mark.parametrize("kind", KINDS)
def test_beam_search_against_numpy_greedy_and_brute_force(kind):
    m = _model(kind, V_tgt=5)          # 5 ids: PAD, BOS, EOS and two characters
    rng = np.random.default_rng(4)
    for trial in range(3):
        s = torch.from_numpy(rng.integers(3, 13, size=4 + trial))
        step, st = m.step_fn(s, len(s))
        for lam in (0.0, 1.0):
            ref = S.beam_search(step, st, seq2seq.BOS, seq2seq.EOS, width=3, max_len=5,
                                length_norm=lam)
            got = m.beam_search(s, len(s), width=3, max_len=5, length_norm=lam)
            assert got[0] == ref[0] and np.isclose(got[1], ref[1])
            best = S.brute_force(step, st, seq2seq.BOS, seq2seq.EOS, V=5, max_len=5,
                                 length_norm=lam)
            wide = m.beam_search(s, len(s), width=5 ** 5, max_len=5, length_norm=lam)
            assert wide[0] == best[0] and np.isclose(wide[1], best[1])
        g = S.greedy(step, st, seq2seq.BOS, seq2seq.EOS, max_len=5)
        assert m.beam_search(s, len(s), width=1, max_len=5)[0] == g[0]
        ids, _ = m.greedy(s[None], [len(s)], max_len=5)
        assert [t for t in ids[0].tolist() if t != seq2seq.PAD] == g[0]


def test_inputs_are_checked():
    m = _model("additive")
    with pytest.raises(ValueError, match="src"):
        m.encode(torch.zeros(3, dtype=torch.long), [3])
    with pytest.raises(ValueError, match="length"):
        m.encode(torch.zeros(2, 3, dtype=torch.long), [3, 4])
    with pytest.raises(ValueError, match="attention"):
        seq2seq.Seq2Seq(5, 5, attention="cosine")


def test_a_short_run_learns_digit_reversal():
    """A few hundred updates of the attention model take reversal of 3-6 digits far
    above chance (a check that everything is wired for learning, not a result)."""
    torch.manual_seed(0)
    vocab = chardata.TokenVocab("0123456789")
    rng = np.random.default_rng(0)
    batch = seq2seq.pair_batches(lambda n, g: tasks.digit_reversal(n, (3, 6), g),
                                 vocab, vocab, 32, rng)
    model = seq2seq.Seq2Seq(len(vocab), len(vocab), E=16, H=32, attention="additive")
    from rnncourse.models.train import fit
    fit(model, batch, steps=400, lr=3e-3)
    src, tgt = tasks.digit_reversal(200, (3, 6), 99)
    out, _ = seq2seq.translate(model, src, vocab, vocab, max_len=8)
    per_char = np.mean([a == b for p, t in zip(out, tgt, strict=True)
                        for a, b in zip(p.ljust(len(t)), t, strict=False)])
    assert per_char > 0.6, per_char


def test_translate_and_exact_match():
    sv, tv = dates.source_vocab(), dates.target_vocab()
    m = seq2seq.Seq2Seq(len(sv), len(tv), E=8, H=8, attention="dot")
    ex = dates.sample(5, 0)
    out, maps = seq2seq.translate(m, [e.source for e in ex], sv, tv, max_len=11, B=2)
    assert m.training, "translate must leave a training model in training mode"
    assert len(out) == 5
    assert all(mp.shape[1] == len(e.source) for mp, e in zip(maps, ex, strict=True))
    assert seq2seq.exact_match(["a", "b"], ["a", "c"]) == 0.5
    with pytest.raises(ValueError, match="predictions"):
        seq2seq.exact_match(["a"], ["a", "b"])


def test_the_cells_are_torch_s_and_the_lstm_keeps_a_memory_cell():
    """cell="lstm" uses nn.LSTM / nn.LSTMCell, and its decoder state carries a memory cell
    that changes; the GRU and RNN keep it at zero. A bad cell is named."""
    for cell, (layer, step) in seq2seq.CELLS.items():
        m = _model("additive", cell=cell)
        assert type(m.encoder.rnn) is layer and type(m.decoder.cell) is step
        memory = m.encode(torch.tensor([[3, 4, 5]]), [3])
        state = m.decoder.start(memory)
        _, state, _ = m.decoder.step(torch.tensor([seq2seq.BOS]), state, memory)
        assert (state[2].abs().sum() > 0) == (cell == "lstm")
    with pytest.raises(ValueError, match="`cell` must be one of"):
        seq2seq.Seq2Seq(5, 5, cell="transformer")


def test_never_outputs_blocks_pad_and_bos_only():
    never = seq2seq.never_outputs(6)
    assert torch.isinf(never[[seq2seq.PAD, seq2seq.BOS]]).all() and (never[2:] == 0).all()


def test_concat_is_the_additive_score_in_luongs_order():
    """order="luong" with the additive score: the new state scores (after the cell), the
    context is merged after it and fed back, exactly as for "dot", with the additive
    module scoring; so Chapter 7 can change the score and the order one at a time."""
    torch.manual_seed(0)
    m = seq2seq.Seq2Seq(13, 5, E=8, H=6, attention="additive", order="luong").double().eval()
    dec = m.decoder
    assert dec.luong and type(dec.attn).__name__ == "Additive" and hasattr(dec, "combine")
    rng = np.random.default_rng(3)
    _, src, lengths = _batch(rng)
    y_prev = torch.tensor([3, 4, 3, 4])
    with torch.no_grad():
        state, memory = m.begin((src, lengths))
        state = (state[0], torch.from_numpy(rng.standard_normal(state[1].shape)), state[2])
        logits, (s_new, h_tilde, _), w = m.step(y_prev, state, memory)
        s = dec.cell(torch.cat([dec.emb(y_prev), state[1]], -1), state[0])   # cell first
        c, w_ref = dec.attn(s, memory.keys, memory.mask, memory.prepared)    # then score s_i
        h_ref = torch.tanh(dec.combine(torch.cat([c, s], -1)))
        assert torch.allclose(s_new, s) and torch.allclose(w, w_ref)
        assert torch.allclose(h_tilde, h_ref)
        assert torch.allclose(logits, dec.out(h_ref) + dec.never)
        # scoring the previous state instead (Bahdanau's order) gives other weights
        w_prev = dec.attn(state[0], memory.keys, memory.mask, memory.prepared)[1]
        assert not torch.allclose(w_prev, w)
    assert seq2seq.Seq2Seq(5, 5, attention="additive").decoder.order == "bahdanau"
    assert seq2seq.Seq2Seq(5, 5, attention="dot").decoder.order == "luong"


@pytest.mark.parametrize(("attention", "order", "match"), [
    (None, "luong", "`order` needs attention"),
    ("dot", "bahdanau", "Luong's order only"),
    ("additive", "sideways", "`order` must be"),
])
def test_order_errors(attention, order, match):
    with pytest.raises(ValueError, match=match):
        seq2seq.Seq2Seq(5, 5, attention=attention, order=order)
