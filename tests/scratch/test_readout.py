"""rnncourse.scratch.readout: the temporal read-out and the masked softmax loss."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnncourse.gradcheck import check_backward, numerical_gradients, relative_error
from rnncourse.scratch import ops, readout

B, T, H, V = 3, 4, 6, 7


@pytest.fixture
def rng():
    return np.random.default_rng(1)


def _data(rng):
    scores = rng.standard_normal((B, T, V)) * 2
    y = rng.integers(0, V, size=(B, T))
    mask = rng.random((B, T)) < 0.6
    mask[0, 0] = True
    mask[1, -1] = False
    return scores, y, mask


def test_temporal_affine_gradcheck(rng):
    inputs = dict(h=rng.standard_normal((B, T, H)), W=rng.standard_normal((H, V)),
                  b=rng.standard_normal(V))
    result = check_backward(readout.temporal_affine_forward, readout.temporal_affine_backward,
                            inputs, rng)
    assert result.passed, str(result)


@pytest.mark.parametrize("use_mask", [False, True])
def test_softmax_loss_gradient(rng, use_mask):
    scores, y, mask = _data(rng)
    mask = mask if use_mask else None
    _, dscores = readout.temporal_softmax_loss(scores, y, mask)

    def f(scores):
        return np.array(readout.temporal_softmax_loss(scores, y, mask)[0])

    num = numerical_gradients(f, {"scores": scores}, np.array(1.0))["scores"]
    assert relative_error(dscores, num) < 1e-8


def test_softmax_loss_matches_torch_ignore_index(rng):
    scores, y, mask = _data(rng)
    loss, dscores = readout.temporal_softmax_loss(scores, y, mask)
    s = torch.tensor(scores, requires_grad=True)
    y_t = torch.from_numpy(np.where(mask, y, -100))
    ref = F.cross_entropy(s.reshape(-1, V), y_t.reshape(-1), ignore_index=-100)
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12
    np.testing.assert_allclose(dscores, s.grad.numpy(), rtol=0, atol=1e-14)


def test_masked_positions_get_zero_gradient(rng):
    scores, y, mask = _data(rng)
    y = np.where(mask, y, -1)  # padding ids must be ignored, not indexed
    _, dscores = readout.temporal_softmax_loss(scores, y, mask)
    assert np.all(dscores[~mask] == 0)
    assert np.all(np.abs(dscores[mask]).sum(-1) > 0)


def test_normalisation_is_mean_over_unmasked(rng):
    scores, y, mask = _data(rng)
    loss, _ = readout.temporal_softmax_loss(scores, y, mask)
    logp = ops.log_softmax(scores)
    per_token = -np.take_along_axis(logp, y[..., None], -1)[..., 0]
    assert abs(loss - per_token[mask].sum() / mask.sum()) < 1e-13


def test_log_softmax_is_stable():
    scores = np.array([[[1000.0, 0.0, -1000.0]]])
    loss, dscores = readout.temporal_softmax_loss(scores, np.array([[0]]))
    assert np.isfinite(loss) and loss == 0.0 and np.all(np.isfinite(dscores))


def test_wrong_shape_message(rng):
    scores, y, mask = _data(rng)
    with pytest.raises(ValueError, match=r"temporal_softmax_loss: `mask` has shape"):
        readout.temporal_softmax_loss(scores, y, mask[:, :-1])
    with pytest.raises(ValueError, match=r"temporal_affine_forward: `W`.*\(H, V\)"):
        readout.temporal_affine_forward(rng.standard_normal((B, T, H)),
                                       rng.standard_normal((H + 1, V)), np.zeros(V))
    with pytest.raises(ValueError, match=r"temporal_softmax_loss: `mask` has no True"):
        readout.temporal_softmax_loss(scores, y, np.zeros((B, T), dtype=bool))


def test_sigmoid_matches_torch_and_is_stable():
    a = np.linspace(-800, 800, 1601)
    s = ops.sigmoid(a)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0
    assert np.allclose(s, torch.sigmoid(torch.from_numpy(a)).numpy(), rtol=1e-15, atol=1e-300)
