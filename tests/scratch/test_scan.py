"""rnncourse.scratch.scan: every form of the linear recurrence against the loop (decays near 0
and near 1, negative and complex decays, lengths that are not powers of two), the loop
against its definition, the backward against finite differences and torch autograd, the
operator's associativity, the work counts, errors."""

import numpy as np
import pytest
import torch

from rnncourse.gradcheck import check_backward
from rnncourse.scratch import scan

LENGTHS = [1, 2, 3, 5, 8, 13, 64, 100]
PARALLEL = [m for m in scan.METHODS if m != "loop"]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _inputs(rng, T, low=0.01, high=1.0, B=2, H=3):
    return (rng.uniform(low, high, (B, T, H)), rng.standard_normal((B, T, H)),
            rng.standard_normal((B, H)))


def _scale(h):
    return max(1.0, float(np.max(np.abs(h))))


def test_loop_is_the_definition(rng):
    a, b, h0 = _inputs(rng, 6)
    h = scan.scan_loop(a, b, h0)
    prev = h0
    for t in range(6):
        prev = a[:, t] * prev + b[:, t]
        np.testing.assert_array_equal(h[:, t], prev)
    # h_2 written out by hand
    np.testing.assert_allclose(h[:, 1], a[:, 1] * (a[:, 0] * h0 + b[:, 0]) + b[:, 1])
    np.testing.assert_array_equal(scan.scan_loop(a, b), scan.scan_loop(a, b, np.zeros_like(h0)))


@pytest.mark.parametrize("method", PARALLEL)
@pytest.mark.parametrize("T", LENGTHS)
def test_every_form_equals_the_loop(rng, method, T):
    for low, high in ((0.01, 1.0), (1e-9, 1e-6), (1 - 1e-6, 1.0)):   # anywhere, near 0, near 1
        a, b, h0 = _inputs(rng, T, low, high)
        ref = scan.scan_loop(a, b, h0)
        for chunk in ((1, 3, 7, 64) if method == "chunked" else (64,)):
            h = scan.linear_scan(a, b, h0, method=method, chunk=chunk)
            assert h.shape == ref.shape
            assert np.max(np.abs(h - ref)) < 1e-13 * _scale(ref) * max(1, T), (low, chunk)


@pytest.mark.parametrize("method", ["hillis_steele", "blelloch", "chunked"])
def test_signed_zero_and_complex_decays(rng, method):
    """Forms that multiply decays (not their logs) take any decay: negative, exactly 0, and
    complex (a rotating state, Chapter 10's LRU)."""
    a, b, h0 = _inputs(rng, 37, -1.0, 1.0)
    a[:, 5] = 0.0
    ref = scan.scan_loop(a, b, h0)
    np.testing.assert_allclose(ref[:, 5], b[:, 5])            # a zero decay forgets
    np.testing.assert_allclose(scan.linear_scan(a, b, h0, method=method, chunk=5), ref,
                               rtol=0, atol=1e-13)
    z = np.abs(a) * np.exp(1j * rng.uniform(-np.pi, np.pi, a.shape))
    zb = b + 1j * rng.standard_normal(b.shape)
    ref = scan.scan_loop(z, zb, h0)
    assert np.iscomplexobj(ref)
    np.testing.assert_allclose(scan.linear_scan(z, zb, h0, method=method, chunk=5), ref,
                               rtol=0, atol=1e-13)


def test_long_sequences_with_decays_near_one(rng):
    """T = 4096 with every decay within 1e-3 of one: the state carries thousands of steps, and
    every form still agrees (log-space to a few 1e-13 of the state's size, the others to
    rounding)."""
    a = 1 - rng.uniform(0, 1e-3, (1, 4096, 4))
    b = rng.standard_normal((1, 4096, 4))
    ref = scan.scan_loop(a, b)
    for method in PARALLEL:
        err = np.max(np.abs(scan.linear_scan(a, b, method=method) - ref)) / _scale(ref)
        assert err < (1e-12 if method == "log_space" else 1e-14), (method, err)


def test_log_space_survives_products_that_underflow(rng):
    """prod a over 2000 steps of 0.5 is 2^-2000, below the smallest float64; the cumulative
    products a naive form would divide by underflow to 0, the log-space form does not. Its
    price: exp(A_t + log-sum) adds two numbers near +-1386, so the state is accurate to about
    |A_t| machine epsilons (here 5e-13), not to the last bit."""
    a = np.full((1, 2000, 2), 0.5)
    b = rng.standard_normal((1, 2000, 2))
    assert np.prod(a[0, :, 0]) == 0.0
    err = np.max(np.abs(scan.scan_log_space(a, b) - scan.scan_loop(a, b)))
    assert err < 2000 * np.log(2) * np.finfo(float).eps * 4, err


def test_combine_is_associative_and_not_commutative(rng):
    x, y, z = [(rng.standard_normal(4), rng.standard_normal(4)) for _ in range(3)]
    left = scan.combine(scan.combine(x, y), z)
    right = scan.combine(x, scan.combine(y, z))
    np.testing.assert_allclose(left, right, rtol=1e-14)
    assert not np.allclose(scan.combine(x, y)[1], scan.combine(y, x)[1])
    h = rng.standard_normal(4)
    a, b = scan.combine(x, y)
    np.testing.assert_allclose(a * h + b, y[0] * (x[0] * h + x[1]) + y[1])   # first x, then y


def _forward(a, b, h0):
    h = scan.scan_loop(a, b, h0)
    return h, (a, h, h0)


def _backward(dh, cache):
    a, h, h0 = cache
    da, db, dh0 = scan.scan_backward(a, h, h0, dh)
    return da, db, dh0


def test_backward_gradcheck(rng):
    a, b, h0 = _inputs(rng, 7, -1.0, 1.0)
    result = check_backward(_forward, _backward, dict(a=a, b=b, h0=h0), rng)
    assert result.passed, str(result)


def test_backward_matches_autograd_and_a_parallel_backward(rng):
    a, b, h0 = _inputs(rng, 50, 0.5, 1.0)
    dh = rng.standard_normal(b.shape)
    h = scan.scan_loop(a, b, h0)
    da, db, dh0 = scan.scan_backward(a, h, h0, dh)
    ta, tb, th0 = (torch.tensor(x, requires_grad=True) for x in (a, b, h0))
    prev, states = th0, []
    for t in range(50):
        prev = ta[:, t] * prev + tb[:, t]
        states.append(prev)
    (torch.stack(states, 1) * torch.tensor(dh)).sum().backward()
    for mine, ref in ((da, ta.grad), (db, tb.grad), (dh0, th0.grad)):
        np.testing.assert_allclose(mine, ref.numpy(), rtol=1e-12, atol=1e-12)
    # the backward is the same recurrence reversed: a parallel form gives the same g = db
    a_next = np.concatenate([a[:, 1:], np.zeros_like(a[:, :1])], axis=1)
    g = scan.scan_blelloch(a_next[:, ::-1], dh[:, ::-1])[:, ::-1]
    np.testing.assert_allclose(g, db, rtol=1e-12, atol=1e-12)


def test_work_counts():
    assert scan.scan_work(1024, "loop") == {"ops": 2048, "rounds": 1024}
    hs = scan.scan_work(1024, "hillis_steele")
    assert hs["rounds"] == 10 and hs["ops"] == 4 * (10 * 1024 - 1023)
    bl = scan.scan_work(1024, "blelloch")
    assert bl["rounds"] == 21 and bl["ops"] == 4 * (2 * 1023 + 1024)
    assert scan.scan_work(1000, "blelloch")["rounds"] == 21           # padded to 1024
    # the work-efficient scan does O(T) work, Hillis-Steele O(T log T): the ratio grows
    ratios = [scan.scan_work(T, "hillis_steele")["ops"] / scan.scan_work(T, "blelloch")["ops"]
              for T in (64, 1024, 16384)]
    assert ratios[0] < ratios[1] < ratios[2]
    ch = scan.scan_work(4096, "chunked", chunk=64)
    assert ch["rounds"] == 64 + 64
    assert scan.scan_work(1, "hillis_steele") == {"ops": 0, "rounds": 0}


@pytest.mark.parametrize("call, match", [
    (lambda: scan.scan_loop(np.ones((2, 3)), np.ones((2, 3))), r"`a` has shape \(2, 3\)"),
    (lambda: scan.scan_loop(np.ones((2, 3, 4)), np.ones((2, 3, 5))), r"`b` has shape.*H=4"),
    (lambda: scan.scan_blelloch(np.ones((2, 3, 4)), np.ones((2, 3, 4)), np.ones((3, 4))),
     r"`h0` has shape \(3, 4\).*B=2"),
    (lambda: scan.scan_log_space(-np.ones((1, 3, 1)), np.ones((1, 3, 1))),
     r"must be positive.*a\[0, 0, 0\] = -1"),
    (lambda: scan.scan_chunked(np.ones((1, 3, 1)), np.ones((1, 3, 1)), chunk=0), "`chunk`"),
    (lambda: scan.linear_scan(np.ones((1, 3, 1)), np.ones((1, 3, 1)), method="fft"), "`method`"),
    (lambda: scan.scan_loop(np.ones((1, 0, 1)), np.ones((1, 0, 1))), "T >= 1"),
    (lambda: scan.scan_work(0, "loop"), "`T`"),
])
def test_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_inputs_are_not_modified(rng):
    a, b, h0 = _inputs(rng, 9)
    copies = [x.copy() for x in (a, b, h0)]
    for method in scan.METHODS:
        scan.linear_scan(a, b, h0, method=method, chunk=4)
    for x, c in zip((a, b, h0), copies, strict=True):
        np.testing.assert_array_equal(x, c)
