"""scratch.training and classical.ngram: the character LM loop and its count baselines."""

import numpy as np
import pytest

from rnncourse.classical import ngram
from rnncourse.data import chardata
from rnncourse.scratch import charlm, training


@pytest.fixture(scope="module")
def corpus():
    text = chardata.load_pydoc_corpus(max_chars=30_000)
    vocab = chardata.Vocab(text)
    train, val = chardata.split_train_val(vocab.encode(text), 0.8)
    return vocab, train, val[:1200]   # evaluation reads B tracks step by step: keep it short


def _config(**kw):
    base = dict(H=24, T=12, B=4, lr=0.1, steps=60, eval_every=20, sample_every=30,
                sample_len=15, progress=False)
    return training.TrainConfig(**{**base, **kw})


def test_loss_decreases_on_a_tiny_corpus(corpus):
    vocab, train, val = corpus
    hist = training.train_char_lm(train, len(vocab), _config(steps=300, eval_every=100),
                                  np.random.default_rng(0), val=val)
    first, last = np.mean(hist.loss[:10]), np.mean(hist.loss[-20:])
    assert last < first - 1.0, f"training loss went from {first:.2f} to only {last:.2f}"
    assert hist.val_loss[-1] < hist.val_loss[0] - 0.8


def test_deterministic_given_seed(corpus):
    vocab, train, val = corpus
    runs = [training.train_char_lm(train, len(vocab), _config(seed=3), vocab=vocab, val=val)
            for _ in range(2)]
    a, b = runs
    assert a.loss == b.loss and a.val_loss == b.val_loss and a.samples == b.samples
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    c = training.train_char_lm(train, len(vocab), _config(seed=4), vocab=vocab, val=val)
    assert c.loss != a.loss


def test_rng_argument_overrides_seed(corpus):
    vocab, train, _ = corpus
    a = training.train_char_lm(train, len(vocab), _config(seed=1), np.random.default_rng(9))
    b = training.train_char_lm(train, len(vocab), _config(seed=2), np.random.default_rng(9))
    assert a.loss == b.loss


def test_history_fields(corpus):
    vocab, train, val = corpus
    cfg = _config()
    hist = training.train_char_lm(train, len(vocab), cfg, vocab=vocab, val=val)
    assert len(hist.loss) == len(hist.grad_norm) == cfg.steps
    assert hist.val_step == [0, 20, 40, 60] and len(hist.val_loss) == 4
    assert [s for s, _ in hist.samples] == [0, 30, 60]
    assert all(isinstance(t, str) and len(t) == cfg.sample_len for _, t in hist.samples)
    assert hist.chars_seen == cfg.steps * cfg.B * cfg.T and hist.seconds > 0
    assert hist.config is cfg
    assert set(hist.params) == set(charlm.init_params(len(vocab), cfg.H, np.random.default_rng(0)))
    assert all(n > 0 for n in hist.grad_norm)


def test_samples_are_ids_without_vocab_and_no_val(corpus):
    vocab, train, _ = corpus
    hist = training.train_char_lm(train, len(vocab), _config(steps=10, sample_every=5))
    assert hist.val_step == [] and hist.val_loss == []
    assert [s for s, _ in hist.samples] == [0, 5, 10]
    ids = hist.samples[-1][1]
    assert isinstance(ids, np.ndarray) and ids.shape == (15,) and ids.max() < len(vocab)


def test_tbptt_with_k_equal_T_is_full_bptt(corpus):
    vocab, train, _ = corpus
    full = training.train_char_lm(train, len(vocab), _config(steps=20))
    trunc = training.train_char_lm(train, len(vocab), _config(steps=20, k1=12, k2=12))
    assert full.loss == trunc.loss
    short = training.train_char_lm(train, len(vocab), _config(steps=20, k1=4, k2=4))
    assert short.loss[0] == full.loss[0] and short.loss != full.loss


def test_clipping_bounds_the_update(corpus):
    vocab, train, _ = corpus
    hist = training.train_char_lm(train, len(vocab), _config(steps=5, clip=1e-6, lr=1e-3))
    assert max(hist.grad_norm) > 1e-6   # the norm is logged before clipping


def test_evaluate_matches_model_loss_and_ignores_chunking(corpus):
    vocab, _, val = corpus
    V, B = len(vocab), 4
    params = charlm.init_params(V, 16, np.random.default_rng(0))
    tracks = val[: B * (len(val) // B)].reshape(B, -1)
    expected, _, _ = charlm.model_loss(params, tracks[:, :-1], tracks[:, 1:])
    for T in (7, 64, 10_000):
        assert np.isclose(training.evaluate(params, val, B=B, T=T), expected, rtol=1e-10)


@pytest.mark.parametrize("field, value", [("H", 0), ("T", -1), ("steps", 1.5), ("k1", 0),
                                          ("lr", 0.0), ("sample_len", 0)])
def test_bad_config_raises(corpus, field, value):
    vocab, train, _ = corpus
    with pytest.raises(ValueError, match=f"config.{field}"):
        training.train_char_lm(train, len(vocab), _config(**{field: value}))


def test_bad_data_raises():
    with pytest.raises(ValueError, match="0..V-1"):
        training.train_char_lm(np.array([0, 1, 5] * 100), 3, _config())
    with pytest.raises(ValueError, match=r"`data` has shape \(10, 10\) but expected 1 axes"):
        training.train_char_lm(np.zeros((10, 10), dtype=int), 3, _config())


# --- n-gram baselines ------------------------------------------------------------------

def test_ngram_probabilities_sum_to_one(corpus):
    vocab, train, _ = corpus
    V = len(vocab)
    p1 = ngram.ngram_probs(train, V, n=1, alpha=0.1)
    p2 = ngram.ngram_probs(train, V, n=2, alpha=0.5)
    assert p1.shape == (V,) and p2.shape == (V, V)
    assert np.isclose(p1.sum(), 1.0) and np.allclose(p2.sum(axis=1), 1.0)
    assert (p1 > 0).all() and (p2 > 0).all()


def test_ngram_counts_by_hand():
    train = np.array([0, 1, 0, 1, 1])   # unigram counts 2, 3; pairs 01 x2, 10 x1, 11 x1
    val = np.array([1, 0, 1])            # targets 0 (after 1) and 1 (after 0)
    p1 = ngram.ngram_probs(train, 3, n=1, alpha=1.0)
    assert np.allclose(p1, np.array([3, 4, 1]) / 8)
    p2 = ngram.ngram_probs(train, 3, n=2, alpha=1.0)
    assert np.allclose(p2[0], np.array([1, 3, 1]) / 5) and np.allclose(p2[2], 1 / 3)
    assert np.isclose(ngram.ngram_loss(train, val, 3, n=1, alpha=1.0),
                      -(np.log(3 / 8) + np.log(4 / 8)) / 2)
    assert np.isclose(ngram.ngram_loss(train, val, 3, n=2, alpha=1.0),
                      -(np.log(2 / 5) + np.log(3 / 5)) / 2)


def test_bigram_beats_unigram_on_text(corpus):
    vocab, train, val = corpus
    V = len(vocab)
    uni = ngram.ngram_loss(train, val, V, n=1)
    bi = ngram.ngram_loss(train, val, V, n=2)
    assert bi < uni - 0.5 < np.log(V)


def test_trained_rnn_beats_unigram(corpus):
    vocab, train, val = corpus
    hist = training.train_char_lm(train, len(vocab), _config(steps=300, eval_every=300),
                                  val=val)
    assert hist.val_loss[-1] < ngram.ngram_loss(train, val, len(vocab), n=1)


@pytest.mark.parametrize("kw, match", [(dict(n=7), "`n` must be one of"),
                                       (dict(alpha=0.0), "alpha")])
def test_ngram_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        ngram.ngram_loss(np.array([0, 1, 2]), np.array([0, 1, 2]), 3, **kw)
    with pytest.raises(ValueError, match="0..V-1"):
        ngram.ngram_probs(np.array([0, 4]), 3)


def test_the_progress_bar_ends_at_steps_of_steps(corpus, capsys):
    """The bar is left at steps/steps when training ends (the HTML keeps its last state)."""
    vocab, train, val = corpus
    training.train_char_lm(train, len(vocab), _config(steps=9, progress=True),
                           np.random.default_rng(0))
    last = capsys.readouterr().err.split("\r")[-1]
    assert "9/9" in last, f"the bar's last state is {last!r}"
