"""Numerical gradient checking by centred differences.

For a function `f(**inputs)` returning one array or a tuple of arrays, and random
upstream gradients `dout_k` of the same shapes, the scalar

    L = sum_k <f(inputs)_k, dout_k>

has gradient `dL/dx = backward(dout, cache)` with respect to every input `x`. We nudge
each entry of `x` by +-eps (always restoring it) and compare with the analytic gradient
by the norm-wise relative error

    rel(a, b) = ||a - b|| / (||a|| + ||b||),

which sits near 1e-10 for correct float64 code. The elementwise maximum relative error
is not used: it swings by orders of magnitude with the seed on the same correct code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

PASS_BELOW = 1e-8  # norm-wise relative error that counts as a pass


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Norm-wise relative error ||a - b|| / (||a|| + ||b||); 0.0 when both are zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} vs {b.shape}.")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def _require_float64(func: str, inputs: Mapping[str, np.ndarray]) -> None:
    for name, x in inputs.items():
        if not isinstance(x, np.ndarray) or x.dtype != np.float64:
            dtype = getattr(x, "dtype", type(x).__name__)
            raise TypeError(
                f"{func}: input `{name}` has dtype {dtype}, but gradient checks need "
                "float64 arrays: with eps=1e-6 a float32 difference quotient keeps only "
                "about 1 significant digit, so a correct gradient would look wrong."
            )


def _as_tuple(out) -> tuple[np.ndarray, ...]:
    return tuple(out) if isinstance(out, tuple | list) else (out,)


def numerical_gradients(f: Callable[..., object], inputs: Mapping[str, np.ndarray],
                        douts, wrt: list[str] | None = None,
                        eps: float = 1e-6) -> dict[str, np.ndarray]:
    """Centred-difference gradients of L = sum_k <f(**inputs)_k, douts_k>.

    f: called as f(**inputs); returns an array or a tuple of arrays (not a cache).
    inputs: name -> float64 array. Each is nudged in place and always restored.
    douts: one array per output of f, same shapes.
    wrt: names to differentiate (default: all inputs).
    """
    _require_float64("numerical_gradients", inputs)
    douts = _as_tuple(douts)
    grads = {}
    for name in wrt if wrt is not None else list(inputs):
        x = inputs[name]
        grad = np.zeros_like(x)
        it = np.nditer(x, flags=["multi_index"])
        for _ in it:
            idx = it.multi_index
            old = x[idx]
            try:
                x[idx] = old + eps
                plus = _loss(f(**inputs), douts)
                x[idx] = old - eps
                minus = _loss(f(**inputs), douts)
            finally:
                x[idx] = old
            grad[idx] = (plus - minus) / (2 * eps)
        grads[name] = grad
    return grads


def _loss(out, douts: tuple[np.ndarray, ...]) -> float:
    outs = _as_tuple(out)
    if len(outs) != len(douts):
        raise ValueError(f"numerical_gradients: f returned {len(outs)} outputs but "
                         f"{len(douts)} upstream gradients were given.")
    return float(sum(np.sum(o * d) for o, d in zip(outs, douts, strict=True)))


@dataclass
class GradCheckResult:
    errors: dict[str, float]   # input name -> norm-wise relative error
    tol: float                 # pass threshold used

    @property
    def passed(self) -> bool:
        return all(e < self.tol for e in self.errors.values())

    def __str__(self) -> str:
        return "\n".join(f"{'ok  ' if e < self.tol else 'FAIL'} d{name}: rel. error {e:.2e}"
                         for name, e in self.errors.items())


def check_backward(forward: Callable[..., tuple], backward: Callable[..., tuple],
                   inputs: Mapping[str, np.ndarray], rng: np.random.Generator,
                   n_outputs: int = 1, eps: float = 1e-6,
                   tol: float = PASS_BELOW) -> GradCheckResult:
    """Check a `name_forward` / `name_backward` pair in house style.

    forward(**inputs) -> (*outputs, cache), with `n_outputs` outputs.
    backward(*douts, cache) -> one gradient per input, in the order of `inputs`.
    Upstream gradients are standard normal draws from `rng`.
    """
    _require_float64("check_backward", inputs)
    inputs = dict(inputs)
    *outs, cache = forward(**inputs)
    if len(outs) != n_outputs:
        raise ValueError(f"check_backward: forward returned {len(outs)} outputs before "
                         f"the cache, but n_outputs={n_outputs}.")
    douts = tuple(rng.standard_normal(np.shape(o)) for o in outs)
    analytic = _as_tuple(backward(*douts, cache))
    if len(analytic) != len(inputs):
        raise ValueError(f"check_backward: backward returned {len(analytic)} gradients "
                         f"for {len(inputs)} inputs ({', '.join(inputs)}).")

    def f(**kw):
        return tuple(forward(**kw)[:n_outputs])

    numeric = numerical_gradients(f, inputs, douts, eps=eps)
    errors = {name: relative_error(a, numeric[name])
              for name, a in zip(inputs, analytic, strict=True)}
    return GradCheckResult(errors, tol)
