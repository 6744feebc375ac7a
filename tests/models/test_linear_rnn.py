"""models.linear_rnn: the torch scan against the loop (values and gradients, real and
complex), every layer's parallel form against its step-by-step form, the LRU's ring and
normalisation, the state space's zero-order hold and selectivity, errors."""

import math

import numpy as np
import pytest
import torch

from rnncourse.models import linear_rnn as L
from rnncourse.scratch import scan as np_scan


def _f64(*shape, g):
    return torch.randn(*shape, generator=g, dtype=torch.float64)


@pytest.mark.parametrize("T", [1, 2, 5, 16, 33])
def test_scan_equals_the_loop_and_numpy(T):
    g = torch.Generator().manual_seed(T)
    a = torch.rand(3, T, 4, generator=g, dtype=torch.float64)
    b, h0 = _f64(3, T, 4, g=g), _f64(3, 4, g=g)
    par, loop = L.scan(a, b, h0), L.scan(a, b, h0, method="loop")
    assert torch.allclose(par, loop, atol=1e-14)
    assert np.allclose(par.numpy(), np_scan.scan_loop(a.numpy(), b.numpy(), h0.numpy()),
                       atol=1e-14)
    z = torch.polar(a, _f64(3, T, 4, g=g))                               # complex decays
    zb = torch.complex(b, _f64(3, T, 4, g=g))
    assert torch.allclose(L.scan(z, zb), L.scan(z, zb, method="loop"), atol=1e-14)


def test_scan_gradients_equal_the_loops():
    g = torch.Generator().manual_seed(0)
    ins = [torch.rand(2, 11, 3, generator=g, dtype=torch.float64), _f64(2, 11, 3, g=g),
           _f64(2, 3, g=g)]
    w = _f64(2, 11, 3, g=g)
    grads = []
    for method in ("parallel", "loop"):
        xs = [x.clone().requires_grad_(True) for x in ins]
        (L.scan(*xs, method=method) * w).sum().backward()
        grads.append([x.grad for x in xs])
    for gp, gl in zip(*grads, strict=True):
        assert torch.allclose(gp, gl, atol=1e-13)
    # and the NumPy backward (the reverse-time recurrence) agrees with autograd
    a, b, h0 = (x.numpy() for x in ins)
    h = np_scan.scan_loop(a, b, h0)
    da, db, dh0 = np_scan.scan_backward(a, h, h0, w.numpy())
    for mine, ref in zip((da, db, dh0), grads[1], strict=True):
        assert np.allclose(mine, ref.numpy(), atol=1e-12)


def test_loop_backward_is_autograd_for_real_and_complex():
    """The loop's written-out backward (conjugates for complex decays, PyTorch's
    convention) against finite differences and against autograd through the parallel form."""
    g = torch.Generator().manual_seed(3)
    real = [torch.rand(2, 6, 3, generator=g, dtype=torch.float64) * 1.8 - 0.9,
            _f64(2, 6, 3, g=g), _f64(2, 3, g=g)]
    cplx = [torch.polar(torch.rand(2, 6, 3, generator=g, dtype=torch.float64),
                        _f64(2, 6, 3, g=g)),
            torch.complex(_f64(2, 6, 3, g=g), _f64(2, 6, 3, g=g)),
            torch.complex(_f64(2, 3, g=g), _f64(2, 3, g=g))]
    for ins in (real, cplx):
        xs = [x.clone().requires_grad_(True) for x in ins]
        assert torch.autograd.gradcheck(lambda a, b, h0: L.scan(a, b, h0, method="loop"), xs)
        w = torch.randn(ins[1].shape, generator=g, dtype=torch.float64).to(ins[1].dtype)
        grads = [torch.autograd.grad((L.scan(*xs, method=m) * w).real.sum(), xs)
                 for m in ("loop", "parallel")]
        for gl, gp in zip(*grads, strict=True):
            assert torch.allclose(gl, gp, atol=1e-13)


def _layers():
    torch.manual_seed(0)
    return {"lru": L.LRU(4, 6, r_min=0.5, r_max=0.99), "mingru": L.MinGRU(4, 5),
            "gated positive": L.GatedLinearRNN(4, 5, "positive"),
            "gated signed": L.GatedLinearRNN(4, 5, "signed"),
            "ssm selective": L.DiagonalSSM(4, 3, selective=True),
            "ssm time-invariant": L.DiagonalSSM(4, 3, selective=False)}


@pytest.mark.parametrize("name", list(_layers()))
def test_parallel_form_equals_step_by_step(name):
    m = _layers()[name].double()
    x = _f64(2, 9, 4, g=torch.Generator().manual_seed(1))
    y, h_T = m(x)
    y_loop, _ = m(x, method="loop")
    h, steps = None, []
    for t in range(9):
        y_t, h = m.step(x[:, t], h)
        steps.append(y_t)
    assert torch.allclose(y, y_loop, atol=1e-13)
    assert torch.allclose(y, torch.stack(steps, 1), atol=1e-13)
    assert torch.allclose(h_T, h, atol=1e-13)
    # a second call with new values (no state kept between calls)
    x2 = _f64(2, 9, 4, g=torch.Generator().manual_seed(2))
    assert not torch.allclose(m(x2)[0], y)


def test_lru_ring_and_normalisation():
    torch.manual_seed(0)
    m = L.LRU(8, 4000, r_min=0.9, r_max=0.999, max_phase=math.pi / 10).double()
    lam = m.eigenvalues().detach()
    assert lam.abs().min() >= 0.9 - 1e-9 and lam.abs().max() <= 0.999 + 1e-9
    assert lam.angle().min() >= 0 and lam.angle().max() <= math.pi / 10 + 1e-9
    # uniform by area on the ring: the median |lambda|^2 is the middle of [0.81, 0.998]
    assert abs(float((lam.abs() ** 2).median()) - (0.81 + 0.998) / 2) < 0.01
    # gamma = sqrt(1 - |lambda|^2): for white input, every state's stationary variance is
    # gamma^2 E|x B|^2 / (1 - |lambda|^2) = E|x B|^2, whatever |lambda|
    gamma = torch.exp(m.gamma_log).detach()
    assert torch.allclose(gamma, torch.sqrt(1 - lam.abs() ** 2), rtol=1e-3)   # set in float32
    with pytest.raises(ValueError, match="r_min < r_max"):
        L.LRU(2, 2, r_min=0.9, r_max=0.5)


def test_gated_linear_rnn_eigenvalue_ranges_and_the_parity_solution():
    torch.manual_seed(0)
    x = _f64(3, 50, 4, g=torch.Generator().manual_seed(4)) * 5
    pos, sig = (L.GatedLinearRNN(4, 6, e).double() for e in L.EIGENVALUES)
    a_pos, a_sig = pos.coefficients(x)[0], sig.coefficients(x)[0]
    assert torch.all((a_pos > 0) & (a_pos < 1)) and torch.all((a_sig > -1) & (a_sig < 1))
    assert (a_sig < 0).any() and (a_sig > 0).any()
    # signed decays can hold parity: write 1 at a start token, then decay -1 on a one, +1
    # on a zero (large gate weights): the state's sign after any number of bits is (-1)^ones
    m = L.GatedLinearRNN(3, 1, "signed").double()                   # tokens: 0, 1, start
    with torch.no_grad():
        m.decay.weight.copy_(torch.tensor([[40.0], [-40.0], [0.0]]).T)
        m.decay.bias.zero_()
        m.write.weight.copy_(torch.tensor([[0.0, 0.0, 1.0]]))
    bits = torch.randint(0, 2, (4, 300), generator=torch.Generator().manual_seed(5))
    tokens = torch.cat([torch.full((4, 1), 2), bits], 1)
    h, _ = m(torch.nn.functional.one_hot(tokens, 3).double())
    parity = bits.cumsum(1) % 2
    assert torch.equal((h[:, 1:, 0] < 0).long(), parity)
    with pytest.raises(ValueError, match="`eigenvalues` must be one of"):
        L.GatedLinearRNN(2, 2, "complex")


def test_zero_order_hold_and_selectivity():
    torch.manual_seed(0)
    ti = L.DiagonalSSM(3, 4, selective=False).double()
    sel = L.DiagonalSSM(3, 4, selective=True).double()
    x = _f64(2, 6, 3, g=torch.Generator().manual_seed(3))
    a_ti, _, _ = ti.coefficients(x)
    a_sel, _, _ = sel.coefficients(x)
    # zero-order hold: over a step of length Delta, dh/dt = A h multiplies h by exp(Delta A)
    delta = torch.nn.functional.softplus(ti.dt)
    A = ti.A()
    assert torch.all(A < 0) and torch.allclose(A[0], -torch.arange(1.0, 5.0, dtype=A.dtype))
    h, dt = torch.ones(3, 4, dtype=torch.float64), delta[:, None] / 1000
    for _ in range(1000):                                     # Euler with 1000 small steps
        h = h + dt * A * h
    assert torch.allclose(a_ti[0, 0], h, rtol=1e-3)
    assert torch.all((0 < a_ti) & (a_ti < 1))
    # time-invariant: the same decay at every step; selective: it moves with the input
    assert torch.allclose(a_ti, a_ti[:, :1].expand_as(a_ti))
    assert not torch.allclose(a_sel, a_sel[:, :1].expand_as(a_sel))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="`a` and `b` must have the same shape"):
        L.scan(torch.zeros(2, 3, 4), torch.zeros(2, 3, 5))
    with pytest.raises(ValueError, match=r"`h0` must have shape \(B, ...\) = \(2, 4\)"):
        L.scan(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4), torch.zeros(3, 4))
    with pytest.raises(ValueError, match="`method`"):
        L.scan(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4), method="fft")
    with pytest.raises(ValueError, match=r"MinGRU: `x` must have shape \(B, T, D=4\)"):
        L.MinGRU(4, 2)(torch.zeros(2, 3, 5))
