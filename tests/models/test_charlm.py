"""models.charlm: the step-by-step cell states equal nn.LSTM's, losses are what
cross-entropy says, sampling follows the temperature; and the general n-gram loss against
counting by hand."""

from collections import Counter

import numpy as np
import pytest
import torch

from rnncourse.classical import ngram
from rnncourse.models.charlm import CharLSTM, random_windows


@pytest.mark.parametrize("layers", [1, 2])
def test_cell_states_match_nn_lstm(layers):
    torch.manual_seed(0)
    m = CharLSTM(V=7, H=5, num_layers=layers, E=3)
    ids = np.random.default_rng(0).integers(0, 7, 30)
    C = m.cell_states(ids)                                 # (N, layers * H)
    assert C.shape == (30, layers * 5)
    with torch.no_grad():
        emb = m.embed(torch.as_tensor(ids))[None]
        for t in (0, 11, 29):                              # c_n after reading t + 1 ids
            _, (_, c_n) = m.lstm(emb[:, :t + 1])
            assert np.allclose(C[t], c_n[:, 0].reshape(-1).numpy(), atol=1e-6)


def test_forward_loss_and_streaming_loss():
    torch.manual_seed(1)
    m = CharLSTM(V=6, H=8)
    x = torch.randint(0, 6, (3, 10))
    y = torch.randint(0, 6, (3, 10))
    logits, loss = m(x, y)
    assert logits.shape == (3, 10, 6) and m(x)[1] is None
    want = -torch.log_softmax(logits, -1).gather(-1, y[..., None]).mean()
    assert torch.allclose(loss, want)
    ids = np.random.default_rng(2).integers(0, 6, 401)
    whole = m.loss_on(ids, T=400, B=1)                     # one window
    chunked = m.loss_on(ids, T=37, B=1)                    # state carried across windows
    assert abs(whole - chunked) < 1e-5
    with pytest.raises(ValueError, match="targets"):
        m(x, y[:, :5])
    with pytest.raises(ValueError, match="idx"):
        m(torch.full((2, 3), 6))


def test_sampling_temperature():
    torch.manual_seed(3)
    m = CharLSTM(V=5, H=4)
    g = torch.Generator().manual_seed(0)
    cold = m.sample(np.array([1, 2]), 200, temperature=0.05, generator=g)
    hot = m.sample(np.array([1, 2]), 200, temperature=5.0, generator=g)
    assert cold.shape == (200,) and len(set(hot.tolist())) == 5
    assert Counter(cold.tolist()).most_common(1)[0][1] > Counter(hot.tolist()).most_common(1)[0][1]
    with pytest.raises(ValueError, match="temperature"):
        m.sample(np.array([1]), 3, temperature=0.0)


def test_random_windows():
    ids = np.arange(100)
    x, y = random_windows(ids, 4, 10, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 10) and torch.equal(y, x + 1)


def test_general_ngram_loss_against_counting():
    rng = np.random.default_rng(4)
    V, a = 4, 0.2
    tr, va = rng.integers(0, V, 400), rng.integers(0, V, 50)
    for n in (3, 4):
        grams = Counter(tuple(tr[i:i + n]) for i in range(len(tr) - n + 1))
        ctxs = Counter(tuple(tr[i:i + n - 1]) for i in range(len(tr) - n + 1))
        lp = []
        for j in range(1, len(va)):
            k = min(n, j + 1)
            if k < n:     # the first targets: the longest context there is
                g = Counter(tuple(tr[i:i + k]) for i in range(len(tr) - k + 1))
                c = Counter(tuple(tr[i:i + k - 1]) for i in range(len(tr) - k + 1))
            else:
                g, c = grams, ctxs
            num = g[tuple(va[j - k + 1:j + 1])] + a
            lp.append(np.log(num / (c[tuple(va[j - k + 1:j])] + a * V)))
        assert np.isclose(ngram.ngram_loss(tr, va, V, n=n, alpha=a), -np.mean(lp), rtol=1e-12)
    p2 = ngram.ngram_probs(tr, V, 2, a)
    assert np.isclose(ngram.ngram_loss(tr, va, V, 2, a), -np.log(p2[va[:-1], va[1:]]).mean())
    with pytest.raises(ValueError, match="order"):
        ngram.ngram_loss(tr, va, V, n=7)


def test_train_lowers_the_held_out_loss():
    text = "def f(x):\n    return (x + 1) * 2\n" * 60
    ids = np.frombuffer(text.encode(), np.uint8) % 50
    torch.manual_seed(0)
    from rnncourse.models.charlm import train
    m = CharLSTM(V=50, H=32, E=8)
    hist, val = train(m, ids[:1500], 120, B=8, T=32, lr=1e-2,
                      rng=np.random.default_rng(0), val_ids=ids[1500:], eval_every=60)
    assert sorted(val) == [0, 60, 120] and hist.steps == 120
    assert val[120] < 0.5 * val[0]
