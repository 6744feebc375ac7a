"""models.regressor: the torch cells' regressor and the LRU stack, built by make_regressor;
seeds fix the weights, the LRU stack's loop and parallel scans agree, one LRU block's last
state is linear in its input, errors name the argument."""

import pytest
import torch

from rnncourse.models.regressor import LRUStack, Regressor, make_regressor


def _x(B=3, T=7, seed=0):
    return torch.rand(B, T, 2, generator=torch.Generator().manual_seed(seed))


def test_make_regressor_builds_each_kind_and_a_seed_fixes_it():
    for cell in ("rnn", "lstm", "gru", "lru-1", "lru-3"):
        a, b, c = (make_regressor(cell, 8, generator=torch.Generator().manual_seed(s))
                   for s in (1, 1, 2))
        ya, yb, yc = (m(_x())[0] for m in (a, b, c))
        assert ya.shape == (3,)
        assert torch.equal(ya, yb) and not torch.allclose(ya, yc)
    assert isinstance(make_regressor("gru", 4), Regressor)
    stack = make_regressor("lru-3", 4)
    assert isinstance(stack, LRUStack) and len(stack.lrus) == 3


def test_lru_stack_loop_equals_parallel_and_its_loss():
    m = LRUStack(6, layers=2, seed=3).double()
    x, y = _x().double(), torch.rand(3, dtype=torch.float64)
    m.method = "parallel"
    y_par, loss = m(x, y)
    m.method = "loop"
    y_loop, _ = m(x)
    assert torch.allclose(y_par, y_loop, atol=1e-12)
    assert torch.isclose(loss, ((y_par - y) ** 2).mean())


def test_one_block_is_linear_in_its_input_up_to_the_nonlinearities_around_it():
    """Inside a block the LRU is linear: its outputs for x1 + x2 are the sums of its
    outputs (the GELU and LayerNorm around it are what a second block builds on)."""
    lru = LRUStack(5, layers=1, seed=0).double().lrus[0]
    x1, x2 = torch.randn(2, 9, 5, dtype=torch.float64), torch.randn(2, 9, 5, dtype=torch.float64)
    y1, y2, y12 = lru(x1)[0], lru(x2)[0], lru(x1 + x2)[0]
    assert torch.allclose(y12, y1 + y2, atol=1e-12)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="cell"):
        make_regressor("lru-x", 4)
    with pytest.raises(ValueError, match="layers"):
        LRUStack(4, layers=0)
