"""models.vision, models.captioning and models.vqa: the grid's layout, teacher forcing,
greedy decoding against its own argmax, the doubly stochastic penalty against a loop, beam
search through step_fn, and the VQA model's question-to-image indexing."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncourse.data import chardata, scenes
from rnncourse.data import questions as Q
from rnncourse.models import captioning, vision, vqa
from rnncourse.scratch import search as S

WV = chardata.WordVocab(scenes.WORDS)


def _captioner(attention=True, penalty=0.0, seed=0):
    torch.manual_seed(seed)
    return captioning.Captioner(len(WV), D=8, E=6, H=10, attention=attention,
                                penalty=penalty).double().eval()


def _images(n=3, seed=0):
    return vision.as_tensor([s.image for s in scenes.sample(n, seed)]).double()


def test_grid_is_the_feature_map_read_row_by_row():
    enc = vision.GridEncoder(D=5).double().eval()
    x = _images(2)
    with torch.no_grad():
        fmap = enc.net(x)                                          # (B, D, 6, 6)
        grid = enc(x)                                              # (B, 36, D)
    for r, c in [(0, 0), (0, 5), (2, 3), (5, 1)]:
        assert torch.allclose(grid[:, r * 6 + c], fmap[:, :, r, c] + enc.pos[r * 6 + c])
    assert vision.cells(np.arange(36)).tolist()[2][3] == 15
    with pytest.raises(ValueError, match="GridEncoder: `images` must be"):
        enc(torch.zeros(1, 3, 32, 32))


@pytest.mark.parametrize("attention", [True, False])
def test_teacher_forcing_and_greedy(attention):
    m = _captioner(attention)
    x = _images(3)
    targets = torch.from_numpy(WV.batch([s.caption for s in scenes.sample(3, 0)], eos=True)[0])
    logits, weights = m.teacher_forced(x, targets)
    assert logits.shape == (3, targets.shape[1], len(WV))
    assert (weights is None) != attention
    if attention:
        assert torch.allclose(weights.sum(-1), torch.ones(3, targets.shape[1], dtype=torch.float64))
    # greedy = teacher forcing on its own outputs
    ids, _ = m.greedy(x, max_len=6)
    again, _ = m.teacher_forced(x, ids)
    assert torch.equal(again.argmax(-1), ids)
    # padding does not change the loss of the real tokens
    _, loss = m(x, targets)
    longer = torch.cat([targets, torch.zeros(3, 2, dtype=torch.long)], 1)
    assert torch.isclose(m(x, longer)[1], loss)


def test_doubly_stochastic_penalty_against_a_loop():
    rng = np.random.default_rng(0)
    w = torch.from_numpy(rng.dirichlet(np.ones(5), size=(2, 4)))            # (B, T, L)
    real = torch.tensor([[True, True, True, False], [True, True, False, False]])
    want = np.mean([sum((1 - sum(w[b, t, j].item() for t in range(4) if real[b, t])) ** 2
                        for j in range(5)) for b in range(2)])
    assert captioning.doubly_stochastic(w, real).item() == pytest.approx(want)
    plain, pen = _captioner(True, 0.0), _captioner(True, 0.5)
    x = _images(2)
    y = torch.from_numpy(WV.batch([s.caption for s in scenes.sample(2, 0)], eos=True)[0])
    _, w2 = plain.teacher_forced(x, y)
    extra = 0.5 * captioning.doubly_stochastic(w2, y != captioning.PAD)
    assert torch.isclose(pen(x, y)[1], plain(x, y)[1] + extra)
    with pytest.raises(ValueError, match="penalty"):
        captioning.Captioner(len(WV), attention=False, penalty=1.0)


def test_beam_search_through_step_fn():
    m = _captioner()
    x = _images(1)[0]
    step, state = m.step_fn(x)
    g = S.greedy(step, state, captioning.BOS, captioning.EOS, max_len=5)[0]
    ids, _ = m.greedy(x[None], max_len=5)
    assert [t for t in ids[0].tolist() if t != captioning.PAD] == g
    assert S.beam_search(step, state, captioning.BOS, captioning.EOS, 1, 5)[0] == g
    assert m.beam_search(x, 1, 5)[0] == g
    for width in (2, 3):                # the batched beam finds what the NumPy one finds
        for lam in (0.0, 1.0):
            ref = S.beam_search(step, state, captioning.BOS, captioning.EOS, width, 5, lam)
            got = m.beam_search(x, width, 5, lam)
            assert got[0] == ref[0] and np.isclose(got[1], ref[1])


def test_caption_helper_restores_the_mode():
    m = _captioner().float().train()
    texts, maps = captioning.caption(m, scenes.sample(4, 1), WV, max_len=5, B=3)
    assert m.training and len(texts) == 4 and all(mp.shape[1] == 36 for mp in maps)


def test_vqa_indexes_the_grid_and_the_blind_model_ignores_it():
    qv = chardata.WordVocab(Q.QUESTION_WORDS)
    sc = scenes.sample(3, 2)
    items = Q.all_items(sc)[:20]
    grid = torch.randn(3, 36, 8, generator=torch.Generator().manual_seed(0))
    for mode in vqa.MODES:
        torch.manual_seed(0)
        m = vqa.VQA(len(qv), len(Q.ANSWERS), D=8, H=12, mode=mode).eval()
        x, y = vqa.batch(grid, items, qv, Q.ANSWERS)
        logits, w = m.answer(x)
        repeated = (grid[x[3]], x[1], x[2], torch.arange(len(items)))
        assert torch.allclose(m.answer(repeated)[0], logits, atol=1e-6)
        other = (torch.randn_like(grid), *x[1:])
        assert torch.allclose(m.answer(other)[0], logits) == (mode == "blind")
        if mode == "attention":
            assert torch.allclose(w.sum(-1), torch.ones(len(items)))
        right, _ = vqa.predict(m.train(), grid, items, qv, Q.ANSWERS, B=7)
        assert m.training and right.shape == (20,)
    with pytest.raises(ValueError, match="VQA: `mode`"):
        vqa.VQA(5, 3, mode="cosine")


def test_vqa_training_batches_ask_true_questions_about_the_right_scene():
    qv = chardata.WordVocab(Q.QUESTION_WORDS)
    sc = scenes.sample(10, 4)
    grid = torch.zeros(10, 36, 8)
    draw = vqa.training_batches(grid, sc, qv, 64, 3)
    (g, questions, lengths, which), y = draw(0)
    assert g is grid
    assert questions.shape[0] == lengths.shape[0] == which.shape[0] == y.shape[0] == 64
    for b in range(64):
        q = qv.decode(questions[b].numpy())
        truth = {qq: a for _, qq, a in Q.questions(sc[int(which[b])])}
        assert truth[q] == Q.ANSWERS[int(y[b])]
    (_, q2, _, w2), _ = vqa.training_batches(grid, sc, qv, 64, 3)(0)
    assert torch.equal(q2, questions) and torch.equal(w2, which)


def _hard(seed=0, entropy=0.0):
    torch.manual_seed(seed)
    return captioning.Captioner(len(WV), D=8, E=6, H=10, hard=True, entropy=entropy).double()


def test_hard_attention_looks_at_one_position():
    """Eval mode reads the most probable position; training samples positions as often as
    their weights say; the protocol's weights are the distribution, the read is one row."""
    m = _hard().eval()
    x = _images(3)
    with torch.no_grad():
        state, memory = m.begin(x)
        y = torch.full((3,), captioning.BOS)
        lg, _, w, pick = m._step(y, state, memory)
        assert torch.equal(pick, w.argmax(-1))
        soft = captioning.Captioner(len(WV), D=8, E=6, H=10).double().eval()
        soft.load_state_dict(m.state_dict())
        lg_soft, _, w_soft = soft.step(y, state, memory)
        # the same scores, another read
        assert torch.allclose(w, w_soft) and not torch.allclose(lg, lg_soft)
        m.train()
        counts = torch.zeros(36, dtype=torch.float64)
        for _ in range(4000):
            counts[m._step(y[:1], (state[0][:1], state[1][:1]),
                           (memory[0][:1], memory[1][:1]))[3]] += 1
        assert (counts / 4000 - w[0]).abs().max() < 0.03


def test_hard_forward_is_cross_entropy_plus_reinforce():
    m = _hard(entropy=0.01).train()
    x = _images(4)
    targets = torch.from_numpy(WV.batch([s.caption for s in scenes.sample(4, 0)], eos=True)[0])
    before = float(m.baseline)
    logits, loss, parts = m.hard_forward(x, targets)
    real = targets != captioning.PAD
    nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), targets,
                                            ignore_index=captioning.PAD, reduction="none")
    reward = -nll.sum(1)
    assert torch.allclose(parts["reward"], reward)
    log_pick = torch.log(parts["weights"].gather(-1, parts["picks"][..., None])[..., 0])
    by_hand = -((reward - before) * (log_pick * real).sum(1)).sum() / real.sum()
    assert torch.isclose(parts["reinforce"], by_hand)
    assert torch.isclose(loss, parts["cross_entropy"] + by_hand - 0.01 * parts["entropy"])
    moved = 0.9 * before + 0.1 * float(reward.mean().detach())
    assert torch.isclose(m.baseline, torch.tensor(moved, dtype=m.baseline.dtype))
    loss.backward()
    assert m.attn.v.grad.abs().sum() > 0                 # the scores learn only by REINFORCE
    # another call samples other positions
    assert not torch.equal(m.hard_forward(x, targets)[2]["picks"], parts["picks"])


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(attention=False, hard=True), "`hard` attention needs attention=True"),
    (dict(entropy=0.1), "`entropy` term belongs to hard attention"),
])
def test_hard_attention_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        captioning.Captioner(len(WV), **kwargs)
