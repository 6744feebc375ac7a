"""analysis.decoding: teacher-forced and free-running predictions agree with the model's
own passes, corruption changes exactly the token it says, accuracies count real tokens."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncourse.analysis import decoding
from rnncourse.data import dates
from rnncourse.models import seq2seq


@pytest.fixture(scope="module")
def setup():
    sv, tv = dates.source_vocab(), dates.target_vocab()
    torch.manual_seed(0)
    model = seq2seq.Seq2Seq(len(sv), len(tv), E=8, H=8, attention="additive")
    ex = dates.sample(12, 5)
    return model, sv, tv, [e.source for e in ex], [e.target for e in ex]


def test_teacher_forced_ids_are_the_argmax_of_the_teacher_forced_pass(setup):
    model, sv, tv, src, tgt = setup
    pred, target = decoding.teacher_forced_ids(model, sv, tv, src, tgt)
    s, lengths = sv.batch(src)
    t, _ = tv.batch(tgt, eos=True)
    with torch.no_grad():
        logits, _ = model.teacher_forced(torch.from_numpy(s), torch.from_numpy(lengths),
                                         torch.from_numpy(t))
    np.testing.assert_array_equal(target, t)
    np.testing.assert_array_equal(pred, logits.argmax(-1).numpy())   # dates: no padding
    assert model.training, "the model's mode must be restored"


def test_greedy_is_teacher_forcing_on_its_own_prefix(setup):
    """Free running feeds the model's own outputs: teacher-forcing those outputs gives the
    same predictions, and greedy_ids agrees with translate."""
    model, sv, tv, src, tgt = setup
    pred, target = decoding.greedy_ids(model, sv, tv, src, tgt)
    assert pred.shape == target.shape
    again, _ = decoding.teacher_forced_ids(model, sv, tv, src, tgt,
                                           inputs=decoding.teacher_inputs(pred))
    np.testing.assert_array_equal(again, pred)
    texts, _ = seq2seq.translate(model, src, sv, tv, max_len=target.shape[1])
    assert [tv.decode(p) for p in pred] == texts


def test_corrupt_replaces_one_fed_token_by_another_choice():
    rng = np.random.default_rng(0)
    targets = rng.integers(3, 13, size=(50, 6))
    inputs = decoding.teacher_inputs(targets)
    assert (inputs[:, 0] == seq2seq.BOS).all() and (inputs[:, 1:] == targets[:, :-1]).all()
    bad = decoding.corrupt(inputs, 2, np.arange(3, 13), rng)
    changed = bad != inputs
    assert changed[:, 3].all() and changed.sum() == 50
    assert np.isin(bad[:, 3], np.arange(3, 13)).all()
    assert (inputs[:, 1:] == targets[:, :-1]).all(), "the input was modified"
    with pytest.raises(ValueError, match="corrupt: `position` must lie in 0..4"):
        decoding.corrupt(inputs, 5, np.arange(3, 13), rng)


def test_position_accuracy_counts_real_tokens_only():
    target = np.array([[5, 6, 2, 0], [5, 7, 8, 2]])
    pred = np.array([[5, 9, 2, 4], [3, 7, 8, 2]])
    np.testing.assert_allclose(decoding.position_accuracy(pred, target), [0.5, 0.5, 1.0, 1.0])
    after = decoding.position_accuracy(pred, target, after=1)
    assert np.isnan(after[:2]).all() and np.allclose(after[2:], 1.0)
    with pytest.raises(ValueError, match="position_accuracy"):
        decoding.position_accuracy(pred[:, :3], target)


def test_beam_of_width_one_is_greedy(setup):
    model, sv, tv, src, tgt = setup
    texts, _ = seq2seq.translate(model, src, sv, tv, max_len=11)
    assert decoding.beam_outputs(model, sv, tv, src, width=1, max_len=11) == texts


def test_characters_right_counts_positions_of_the_target():
    assert decoding.characters_right(["123", "12", "1234", "321"], ["123"] * 4) == \
        pytest.approx((1 + 2 / 3 + 1 + 1 / 3) / 4)
    with pytest.raises(ValueError, match="must be equal"):
        decoding.characters_right(["1"], ["1", "2"])


def test_length_sweep_is_the_loop_it_replaces():
    """decoding.length_sweep draws the same strings in the same order as the loop the
    studies used to write out, and scores them the same way."""
    from rnncourse.data import chardata, tasks

    vocab = chardata.TokenVocab("0123456789")
    torch.manual_seed(0)
    model = seq2seq.Seq2Seq(len(vocab), len(vocab), E=4, H=4, attention="additive")
    exact, right = decoding.length_sweep(model, vocab, tasks.digit_reversal, [3, 5], 20,
                                np.random.default_rng(1))
    rng = np.random.default_rng(1)
    for i, L in enumerate([3, 5]):
        src, tgt = tasks.digit_reversal(20, L, rng)
        out, _ = seq2seq.translate(model, src, vocab, vocab, max_len=L + 5)
        assert exact[i] == seq2seq.exact_match(out, tgt)
        assert right[i] == decoding.characters_right(out, tgt)
