"""models.linear_attention: the parallel forms against the step-by-step recurrences, linear
attention against softmax-free causal attention written out, the delta rule's overwrite,
errors."""

import pytest
import torch

from rnncourse.models import linear_attention as LA


def _x(seed, B=2, T=9, D=5):
    return torch.randn(B, T, D, generator=torch.Generator().manual_seed(seed),
                       dtype=torch.float64)


@pytest.mark.parametrize("cls", [LA.LinearAttention, LA.DeltaNet, LA.SoftmaxAttention])
def test_parallel_form_equals_the_recurrence(cls):
    torch.manual_seed(0)
    m = cls(5, 4).double()
    x = _x(1)
    par, loop = m(x), m(x, method="loop")
    assert par.shape == (2, 9, 4)
    assert torch.allclose(par, loop, atol=1e-12)
    assert not torch.allclose(m(_x(2)), par)


def test_linear_attention_is_causal_attention_with_phi():
    torch.manual_seed(0)
    m = LA.LinearAttention(5, 4).double()
    x = _x(3)
    q, k, v = m.features(x)
    for t in range(9):                                    # o_t written out as a weighted mean
        w = (q[:, t:t + 1] * k[:, :t + 1]).sum(-1)       # (B, t+1), all positive
        assert torch.all(w > 0)
        o = (w[..., None] * v[:, :t + 1]).sum(1) / w.sum(1, keepdim=True)
        assert torch.allclose(m(x)[:, t], o, atol=1e-12)
    # changing a later input leaves earlier outputs alone
    x2 = x.clone()
    x2[:, 6] += 1
    assert torch.allclose(m(x2)[:, :6], m(x)[:, :6]) and not torch.allclose(m(x2)[:, 6], m(x)[:, 6])


def test_softmax_attention_against_torch_and_its_growing_cache():
    torch.manual_seed(0)
    m = LA.SoftmaxAttention(5, 4).double()
    x = _x(4)
    want = torch.nn.functional.scaled_dot_product_attention(m.q(x), m.k(x), m.v(x),
                                                            is_causal=True)
    assert torch.allclose(m(x), want, atol=1e-12)
    _, cache = None, None
    for t in range(3):
        _, cache = m.step(x[:, t], cache)
    assert cache[0].shape == cache[1].shape == (2, 3, 4)


def test_delta_rule_overwrites_where_linear_attention_adds():
    """Write v then v' under the same key with beta = 1: the delta rule's state returns v'
    exactly, a sum of the two writes would return v + v'."""
    m = LA.DeltaNet(3, 3).double()
    with torch.no_grad():
        for lin in (m.q, m.k, m.v):
            lin.weight.copy_(torch.eye(3))
        m.beta.weight.zero_()
        m.beta.bias.fill_(50.0)                           # beta = sigmoid(50) = 1 - 2e-22
    key = torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64)
    _, S = m.step(key)                                    # writes v = k = e1 under e1
    x2 = torch.tensor([[2.0, 0.0, 0.0]], dtype=torch.float64)   # k = e1 again, v = 2 e1
    _, S = m.step(x2, S)
    assert torch.allclose((key @ S)[0], torch.tensor([2.0, 0, 0], dtype=torch.float64))
    assert not torch.allclose((key @ S)[0], torch.tensor([3.0, 0, 0], dtype=torch.float64))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"DeltaNet: `x` must have shape \(B, T, D=5\)"):
        LA.DeltaNet(5, 2)(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="`method`"):
        LA.LinearAttention(5, 2)(torch.zeros(1, 3, 5), method="chunked")
