"""rnncourse.data.chardata: vocabulary, offline corpora, batches that carry state."""

import numpy as np
import pytest

from rnncourse.data import chardata


def test_vocab_round_trip_and_sorted_order():
    text = "hello, world!\n"
    vocab = chardata.Vocab(text)
    assert vocab.chars == sorted(set(text)) and len(vocab) == len(set(text))
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and vocab.decode(ids) == text
    assert chardata.Vocab(text[::-1]).chars == vocab.chars  # order of appearance is irrelevant
    with pytest.raises(ValueError, match=r"Vocab.encode: character 'z'"):
        vocab.encode("z")


@pytest.mark.parametrize("loader", [chardata.load_stdlib_corpus, chardata.load_pydoc_corpus])
def test_corpora_are_deterministic_and_large(loader):
    a, b = loader(), loader()
    assert a == b and len(a) >= 100_000
    assert 50 <= len(chardata.Vocab(a)) <= 300
    assert loader(max_chars=1000) == a[:1000]


def test_batch_iterator_walks_tracks_in_order():
    data = np.arange(103)
    B, T = 4, 5
    batches = list(chardata.batch_iterator(data, B, T))
    L = 103 // B
    assert len(batches) == (L - 1) // T
    for x, y in batches:
        assert x.shape == y.shape == (B, T)
        assert np.array_equal(y, x + 1)  # y is x shifted by one within the stream
    for (x0, y0), (x1, _) in zip(batches, batches[1:], strict=False):
        # the first column of the next batch continues each track after this batch
        assert np.array_equal(x1[:, 0], x0[:, -1] + 1)
        assert np.array_equal(x1[:, 0], y0[:, -1])
    for b in range(B):  # each row reads its own contiguous track
        row = np.concatenate([x[b] for x, _ in batches])
        assert np.array_equal(row, np.arange(b * L, b * L + len(row)))


def test_split_train_val():
    data = np.arange(100)
    train, val = chardata.split_train_val(data, 0.9)
    assert np.array_equal(np.concatenate([train, val]), data) and len(val) == 10


def test_wrong_shape_message():
    with pytest.raises(ValueError, match=r"batch_iterator: `data` has shape \(2, 5\)"):
        chardata.batch_iterator(np.zeros((2, 5), dtype=int), 2, 2)
    with pytest.raises(ValueError, match=r"batch_iterator: `data` has N=10 ids, too few"):
        chardata.batch_iterator(np.arange(10), 4, 3)
    with pytest.raises(ValueError, match=r"split_train_val: `frac`"):
        chardata.split_train_val(np.arange(10), 1.0)


def test_word_vocab_round_trip_and_errors():
    v = chardata.WordVocab(("a", "red", "circle", "?"))
    ids, lengths = v.batch(["a red circle", "a ?"], eos=True)
    assert ids.tolist() == [[3, 4, 5, 2], [3, 6, 2, 0]] and lengths.tolist() == [4, 3]
    assert v.decode(ids[0]) == "a red circle" and v.decode(ids[1]) == "a ?"
    with pytest.raises(ValueError, match="WordVocab.encode: 'blue' is not in the vocabulary"):
        v.encode("a blue circle")
    with pytest.raises(ValueError, match="distinct non-empty strings without spaces"):
        chardata.WordVocab(("a", "a b"))
