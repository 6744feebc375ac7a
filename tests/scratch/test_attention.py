"""Attention: the NumPy equations against loops, the torch modules against NumPy, beam
search (scratch.search, re-exported by scratch.attention) against greedy and against
brute force."""

import numpy as np
import pytest
import torch

from rnncourse.models import attention as tattn
from rnncourse.scratch import attention as A
from rnncourse.scratch import search as S


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def _inputs(rng, B=3, S=6, Hq=4, Hk=5, A_=7):
    q = rng.standard_normal((B, Hq))
    keys = rng.standard_normal((B, S, Hk))
    lengths = np.array([S, 2, 4])[:B]
    mask = np.arange(S)[None] < lengths[:, None]
    return q, keys, mask, rng.standard_normal((Hq, A_)), rng.standard_normal((Hk, A_)), \
        rng.standard_normal(A_)


def test_masked_softmax_sums_to_one_on_real_positions_and_is_zero_on_padding(rng):
    q, keys, mask, *_ = _inputs(rng)
    scores = rng.standard_normal(mask.shape) * 5
    scores[~mask] = 1e6                      # huge scores on padding must not leak in
    w = A.masked_softmax(scores, mask)
    assert np.allclose(w.sum(1), 1) and np.all(w[~mask] == 0)
    for b in range(len(w)):                  # a plain softmax over the real part alone
        real = scores[b, mask[b]]
        e = np.exp(real - real.max())
        assert np.allclose(w[b, mask[b]], e / e.sum())


def test_masked_softmax_rejects_a_row_without_real_positions(rng):
    mask = np.array([[True, False], [False, False]])
    with pytest.raises(ValueError, match="row 1"):
        A.masked_softmax(np.zeros((2, 2)), mask)
    with pytest.raises(TypeError, match="bool"):
        A.masked_softmax(np.zeros((2, 2)), mask.astype(int))


def test_scores_and_context_against_loops(rng):
    q, keys, mask, Wq, Wk, v = _inputs(rng)
    Wg = rng.standard_normal((5, 4))                       # (Hk, Hq)
    add = A.additive_scores(q, keys, Wq, Wk, v)
    gen = A.general_scores(q, keys, Wg)
    for b in range(3):
        for j in range(6):
            assert np.isclose(add[b, j], np.tanh(q[b] @ Wq + keys[b, j] @ Wk) @ v)
            assert np.isclose(gen[b, j], q[b] @ (keys[b, j] @ Wg))
    dot = A.dot_scores(keys[:, 0], keys)
    assert np.isclose(dot[1, 3], keys[1, 0] @ keys[1, 3])
    w = A.masked_softmax(add, mask)
    c = A.context(w, keys)
    assert np.allclose(c[2], sum(w[2, j] * keys[2, j] for j in range(6)))
    with pytest.raises(ValueError, match="`Wk`"):
        A.additive_scores(q, keys, Wq, Wk[:3], v)


@pytest.mark.parametrize("kind", tattn.KINDS)
def test_torch_attention_equals_the_numpy_equations(kind, rng):
    q, keys, mask, *_ = _inputs(rng, Hq=5, Hk=5)
    torch.manual_seed(0)
    mod = tattn.make(kind, 5, 5, A=7).double()
    tq, tk, tm = torch.from_numpy(q), torch.from_numpy(keys), torch.from_numpy(mask)
    with torch.no_grad():
        c, w = mod(tq, tk, tm)
        c2, w2 = mod(tq, tk, tm, prepared=mod.prepare(tk))
    if kind == "additive":
        params = (mod.W.weight.T, mod.U.weight.T, mod.v)      # nn.Linear stores W_q.T
        e = A.additive_scores(q, keys, *(p.detach().numpy() for p in params))
    elif kind == "dot":
        e = A.dot_scores(q, keys)
    else:
        e = A.general_scores(q, keys, mod.Wg.weight.T.detach().numpy())
    w_np = A.masked_softmax(e, mask)
    assert np.allclose(w.numpy(), w_np, atol=1e-12)
    assert np.allclose(c.numpy(), A.context(w_np, keys), atol=1e-12)
    assert torch.equal(w, w2) and torch.equal(c, c2)
    assert torch.all(w[~tm] == 0)


def test_torch_attention_errors_name_the_argument():
    mod = tattn.make("general", 4, 6)
    with pytest.raises(ValueError, match="mask"):
        mod(torch.zeros(2, 4), torch.zeros(2, 3, 6), torch.ones(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="Hq = Hk"):
        tattn.make("dot", 4, 6)
    with pytest.raises(ValueError, match="no real position"):
        tattn.masked_softmax(torch.zeros(1, 2), torch.zeros(1, 2, dtype=torch.bool))


class ToyModel:
    """A tiny autoregressive model: log p(next | last token, step) from a random table,
    V = 3 tokens with EOS = 2, so that every sequence can be enumerated."""

    def __init__(self, seed, V=3, T=6):
        g = np.random.default_rng(seed)
        logits = g.standard_normal((T + 1, V + 1, V)) * 2
        self.table = logits - np.log(np.exp(logits).sum(-1, keepdims=True))

    def step(self, token, t):
        return self.table[t, token], t + 1


def test_beam_of_width_one_is_greedy():
    for seed in range(20):
        m = ToyModel(seed)
        assert S.beam_search(m.step, 0, bos=3, eos=2, width=1, max_len=6) == \
            S.greedy(m.step, 0, bos=3, eos=2, max_len=6)


@pytest.mark.parametrize("length_norm", [0.0, 1.0])
def test_wide_beam_finds_the_brute_force_best(length_norm):
    """With a width of at least the number of sequences, beam search is exact; with width 2 it is
    sometimes wrong, and greedy more often (so the oracle can tell them apart)."""
    greedy_wrong = narrow_wrong = 0
    for seed in range(40):
        m = ToyModel(seed)
        kw = dict(bos=3, eos=2, max_len=5, length_norm=length_norm)
        best = S.brute_force(m.step, 0, V=3, **kw)
        wide = S.beam_search(m.step, 0, width=3 ** 5, **kw)
        assert wide[0] == best[0] and np.isclose(wide[1], best[1])
        narrow = S.beam_search(m.step, 0, width=2, **kw)
        assert narrow[1] <= best[1] + 1e-12
        narrow_wrong += narrow[0] != best[0]
        g, lp = S.greedy(m.step, 0, bos=3, eos=2, max_len=5)
        greedy_wrong += g != best[0]
    assert greedy_wrong > narrow_wrong >= 0 and greedy_wrong >= 5


def test_finished_hypotheses_are_not_extended():
    # step 0: EOS is very likely; afterwards everything is equally likely
    table = {0: np.log([0.05, 0.05, 0.9])}

    def step(token, t):
        return table.get(t, np.log([1 / 3] * 3)), t + 1

    tokens, score = S.beam_search(step, 0, bos=3, eos=2, width=3, max_len=4)
    assert tokens == [2] and np.isclose(score, np.log(0.9))
    tokens, _ = S.beam_search(step, 0, bos=3, eos=2, width=3, max_len=4, length_norm=1.0)
    assert tokens[-1] == 2 and 2 not in tokens[:-1]


def test_scratch_attention_keeps_the_searches_under_their_names():
    """Chapter 7, the exercise set's hidden tests and the mutation tests call them from
    scratch.attention, positionally."""
    m = ToyModel(3)
    assert A.beam_search is S.beam_search and A.greedy is S.greedy
    assert A.brute_force is S.brute_force
    assert A.beam_search(m.step, 0, 3, 2, 2, 5, 1.0) == S.beam_search(m.step, 0, 3, 2, 2, 5, 1.0)
    assert A.brute_force(m.step, 0, 3, 2, 3, 5, 0.5) == S.brute_force(m.step, 0, 3, 2, 3, 5, 0.5)


def test_the_searches_check_width_and_max_len():
    m = ToyModel(0)
    for bad in (0, 1.5, -2):
        with pytest.raises(ValueError, match="`width` must be a positive integer"):
            S.beam_search(m.step, 0, 3, 2, bad, 5)
        with pytest.raises(ValueError, match="`max_len` must be a positive integer"):
            S.beam_search(m.step, 0, 3, 2, 2, bad)
    assert S.beam_search(m.step, 0, 3, 2, np.int64(2), 5) == S.beam_search(m.step, 0, 3, 2, 2, 5)
    with pytest.raises(ValueError, match="too many"):
        S.brute_force(m.step, 0, 3, 2, 3, 12)
