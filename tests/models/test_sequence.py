"""models.sequence against independent oracles: a loop over each sequence's real steps,
and each sequence run alone through the same layer."""

import pytest
import torch
from torch import nn

from rnncourse.models import sequence as seq

B, T, D, H = 5, 9, 3, 4
LENGTHS = torch.tensor([9, 3, 6, 1, 7])


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(B, T, D, generator=g, dtype=torch.float64)
    for b, L in enumerate(LENGTHS):
        x[b, L:] = 100.0                      # padding that would show if it were read
    return x


def test_pad_and_mask():
    x, lengths = seq.pad([[1, 2, 3], [4], [5, 6]], value=0)
    assert x.tolist() == [[1, 2, 3], [4, 0, 0], [5, 6, 0]] and lengths.tolist() == [3, 1, 2]
    assert seq.mask(lengths, 3).tolist() == [[True] * 3, [True, False, False], [True, True, False]]
    with pytest.raises(ValueError, match="non-empty"):
        seq.pad([[1], []])


def test_pooling_against_loops(batch):
    out = batch
    last, mean = seq.last_real(out, LENGTHS), seq.masked_mean(out, LENGTHS)
    mx = seq.masked_max(out, LENGTHS)
    for b, L in enumerate(LENGTHS.tolist()):
        real = out[b, :L]
        assert torch.equal(last[b], real[-1])
        assert torch.allclose(mean[b], sum(real[t] for t in range(L)) / L)
        assert torch.equal(mx[b], torch.stack([real[t] for t in range(L)]).max(0).values)
    assert not torch.allclose(seq.last_real(out, torch.full((B,), T)), last)   # padding differs


def test_attention_pool_weights():
    pool = seq.AttentionPool(D).double()
    with torch.no_grad():
        pool.w.copy_(torch.tensor([0.5, -1.0, 2.0]))
    g = torch.Generator().manual_seed(1)
    out = torch.randn(B, T, D, generator=g, dtype=torch.float64)
    w = pool.weights(out, LENGTHS)
    assert torch.allclose(w.sum(1), torch.ones(B, dtype=torch.float64))
    assert torch.all(w[~seq.mask(LENGTHS, T)] == 0)
    for b, L in enumerate(LENGTHS.tolist()):
        s = out[b, :L] @ pool.w
        assert torch.allclose(w[b, :L], torch.exp(s) / torch.exp(s).sum())


@pytest.mark.parametrize("kind", [nn.RNN, nn.GRU, nn.LSTM])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_equals_each_sequence_alone(batch, kind, bidirectional):
    torch.manual_seed(0)
    rnn = kind(D, H, num_layers=2, bidirectional=bidirectional, batch_first=True).double()
    out, state = seq.pack(rnn, batch, LENGTHS)
    h_n = state[0] if kind is nn.LSTM else state
    for b, L in enumerate(LENGTHS.tolist()):
        alone, s_alone = rnn(batch[b:b + 1, :L])
        h_alone = s_alone[0] if kind is nn.LSTM else s_alone
        assert torch.allclose(out[b, :L], alone[0], atol=1e-12)
        assert torch.all(out[b, L:] == 0)
        assert torch.allclose(h_n[:, b], h_alone[:, 0], atol=1e-12)
    # the padded run differs: its backward direction (or its last step) reads the padding
    padded, _ = rnn(batch)
    b = 1
    assert not torch.allclose(padded[b, :LENGTHS[b]], out[b, :LENGTHS[b]]) or not bidirectional


@pytest.mark.parametrize("num_layers", [1, 3])
def test_final_states_layout(batch, num_layers):
    torch.manual_seed(0)
    rnn = nn.GRU(D, H, num_layers=num_layers, bidirectional=True, batch_first=True).double()
    out, h_n = seq.pack(rnn, batch, LENGTHS)
    fin = seq.final_states(h_n, num_layers, True)
    # forward direction: output at the last real step; backward: output at step 0
    assert torch.allclose(fin[:, :H], seq.last_real(out, LENGTHS)[:, :H])
    assert torch.allclose(fin[:, H:], out[:, 0, H:])
    uni = nn.LSTM(D, H, num_layers=num_layers, batch_first=True).double()
    o, (h, _) = uni(batch)
    assert torch.allclose(seq.final_states(h, num_layers, False), o[:, -1])
    with pytest.raises(ValueError, match="num_layers"):
        seq.final_states(h_n, num_layers + 1, True)


def test_bad_lengths_are_named(batch):
    with pytest.raises(ValueError, match="lengths"):
        seq.last_real(batch, torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="1..T"):
        seq.masked_mean(batch, torch.tensor([0, 1, 2, 3, 4]))
    with pytest.raises(ValueError, match="batch_first"):
        seq.pack(nn.GRU(D, H), batch, LENGTHS)


def test_tagger_masks_padding_and_matches_each_sequence_alone():
    torch.manual_seed(0)
    m = seq.Tagger(V=11, C=4, H=5, num_layers=2, bidirectional=True, E=3)
    x, lengths = seq.pad([[1, 2, 3, 4, 5], [6, 7], [8, 9, 10]])
    tags = torch.randint(0, 4, x.shape, generator=torch.Generator().manual_seed(1))
    logits, loss = m(x, tags, lengths)
    spoiled = tags.clone()
    spoiled[~seq.mask(lengths, x.shape[1])] = (spoiled[~seq.mask(lengths, x.shape[1])] + 1) % 4
    assert torch.allclose(m(x, spoiled, lengths)[1], loss)            # padding tags ignored
    real = seq.mask(lengths, x.shape[1])
    want = torch.nn.functional.cross_entropy(logits[real], tags[real])
    assert torch.allclose(loss, want)
    for b, L in enumerate(lengths.tolist()):
        alone, _ = m(x[b:b + 1, :L])
        assert torch.allclose(alone[0], logits[b, :L], atol=1e-6)
    with pytest.raises(ValueError, match="tags"):
        m(x, tags[:, :2], lengths)


def test_windows_and_accuracy():
    import numpy as np

    ids = np.arange(50) % 7
    tags = ids % 3
    x, y = seq.batches_of_windows(ids, tags, 4, 6, np.random.default_rng(0))(0)
    assert x.shape == y.shape == (4, 6) and torch.equal(y, x % 3)
    torch.manual_seed(0)
    m = seq.Tagger(V=7, C=3, H=4)
    acc, conf = seq.tag_accuracy(m, ids, tags, T=10)
    assert conf.sum() == 50 and np.isclose(acc, np.trace(conf) / 50)
    with pytest.raises(ValueError, match="one"):
        seq.batches_of_windows(ids, tags[:-1], 4, 6, np.random.default_rng(0))


@pytest.mark.parametrize("pooling", seq.POOLINGS)
def test_classifier_pools_real_steps_only(pooling):
    torch.manual_seed(0)
    m = seq.Classifier(V=8, C=2, H=6, pooling=pooling, E=4)
    seqs = [[1, 2, 3, 4, 5, 6], [7, 0], [3, 3, 3]]
    x, lengths = seq.pad(seqs, value=5)
    logits, _ = m((x, lengths))
    for b, s in enumerate(seqs):                     # each sequence alone, no padding
        alone, _ = m(torch.tensor([s]))
        assert torch.allclose(alone[0], logits[b], atol=1e-6), pooling
    with pytest.raises(ValueError, match="pooling"):
        seq.Classifier(V=8, C=2, pooling="sum")


def test_first_token_task():
    import numpy as np

    from rnncourse.data import tasks

    a, la = tasks.first_token(50, [3] * 25 + [9] * 25, 0)
    b, lb = tasks.first_token(50, [3] * 25 + [9] * 25, 0)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True)) and np.array_equal(la, lb)
    assert [len(s) for s in a] == [3] * 25 + [9] * 25
    assert np.array_equal(la, [s[0] % 2 for s in a]) and 10 < la.sum() < 40
    with pytest.raises(ValueError, match="lengths"):
        tasks.first_token(2, 0, 0)


def test_hierarchical_reads_each_line_alone():
    import numpy as np

    torch.manual_seed(0)
    m = seq.Hierarchical(V=9, C=3, H_char=5, H_line=4, E=3)
    chunks = [[np.array([1, 2, 3]), np.array([4]), np.array([5, 6])],
              [np.array([7, 8, 1, 2]), np.array([3, 3]), np.array([8])]]
    x = seq.chunks_to_input(chunks, flat=False)
    assert x[0].shape == (2, 3, 4) and x[1].tolist() == [[3, 1, 2], [4, 2, 1]]
    logits, _ = m(x)
    with torch.no_grad():                      # the same model by hand, line by line
        for b, c in enumerate(chunks):
            vecs = [m.chars(m.embed(torch.as_tensor(ln))[None])[0][0, -1] for ln in c]
            doc, _ = m.lines(torch.stack(vecs)[None])
            assert torch.allclose(m.head(doc[0, -1]), logits[b], atol=1e-6)
    flat_x, flat_len = seq.chunks_to_input(chunks, flat=True)
    assert flat_len.tolist() == [6, 7] and flat_x[0, :6].tolist() == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="line_lengths"):
        m((x[0], x[1][:, :2]))


def test_module_chunks_and_batches():
    import numpy as np

    from rnncourse.data import chardata, pysource

    train, test = pysource.module_chunks(("textwrap", "heapq"), 8)
    assert len(train) == len(test) == 2
    assert all(isinstance(ln, str) for ln in train[0][:5])
    whole = pysource.inspect.getsource(pysource.importlib.import_module("heapq"))
    assert "".join(train[1] + test[1]) == whole
    vocab = chardata.Vocab(whole + "".join(train[0] + test[0]))
    (idx, lengths), labels = seq.chunk_batches(train, vocab.encode, 8, 20, 5,
                                               np.random.default_rng(0), flat=False)(0)
    assert idx.shape[:2] == (5, 8) and idx.shape[2] <= 20 and labels.shape == (5,)
    assert lengths.min() >= 1
    with pytest.raises(ValueError, match="too few"):
        pysource.module_chunks(("bisect",), 16)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_skip_stacks_start_from_the_plain_stacks_weights(bidirectional):
    """Under one seed the residual stack's layers hold exactly the multi-layer nn.LSTM's
    weights (torch creates them in the same order), so the two differ only by the skip;
    with the skip taken out, the residual stack computes the plain stack."""
    V, C, H, K = 11, 4, 5, 3
    torch.manual_seed(0)
    plain = seq.Tagger(V, C, H=H, num_layers=K, bidirectional=bidirectional, E=6).double()
    torch.manual_seed(0)
    res = seq.Tagger(V, C, H=H, num_layers=K, bidirectional=bidirectional, E=6,
                     skip="residual").double()
    sfx = ["", "_reverse"] if bidirectional else [""]
    for k, layer in enumerate(res.layers):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            for s in sfx:
                assert torch.equal(getattr(layer, f"{name}_l0{s}"),
                                   getattr(plain.lstm, f"{name}_l{k}{s}"))
    assert torch.equal(res.head.weight, plain.head.weight)
    idx = torch.randint(0, V, (3, 7))
    x = res.embed(idx)
    y = res.layers[0](x)[0]
    by_hand = y
    for layer in res.layers[1:]:
        by_hand = layer(by_hand)[0] + by_hand                     # y_k = LSTM_k(y_{k-1}) + y_{k-1}
    assert torch.allclose(res.encode(x), by_hand, atol=1e-12)
    chain = y
    for layer in res.layers[1:]:
        chain = layer(chain)[0]                                   # no skip: the plain stack
    assert torch.allclose(plain.encode(plain.embed(idx)), chain, atol=1e-12)
    assert not torch.allclose(res.encode(x), chain)


def test_input_skip_reads_the_embedding_at_every_layer_and_packs():
    torch.manual_seed(1)
    m = seq.Tagger(9, 3, H=4, num_layers=3, bidirectional=True, E=5, skip="input").double()
    assert [layer.input_size for layer in m.layers] == [5, 8 + 5, 8 + 5]
    idx = torch.randint(0, 9, (2, 6))
    x = m.embed(idx)
    y = m.layers[0](x)[0]
    for layer in m.layers[1:]:
        y = layer(torch.cat([y, x], -1))[0]
    assert torch.allclose(m.encode(x), y, atol=1e-12)
    # packed: each sequence alone gives its rows of the padded batch
    lengths = torch.tensor([6, 3])
    logits, _ = m(idx, lengths=lengths)
    alone, _ = m(idx[1:, :3])
    assert torch.allclose(logits[1, :3], alone[0], atol=1e-12)


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(skip="dense"), "`skip` must be one of"),
    (dict(skip="residual", num_layers=1), "needs num_layers >= 2"),
])
def test_skip_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        seq.Tagger(5, 3, **kwargs)
