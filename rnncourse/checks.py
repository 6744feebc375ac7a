"""Learner-facing checks for the exercise notebooks.

A `Report` prints one `ok`/`FAIL` line per quantity and, at the end, raises one
AssertionError that repeats the hints of the failed quantities::

    with checks.Report("yule_walker") as r:
        r.close("phi", phi, [0.6, -0.3], hint="build the Toeplitz matrix from lags 0..p-1")
        r.equal("shape of phi", phi.shape, (2,))

Nothing here knows a solution: it compares what the learner computed with what the
test computed. `own_work` makes sure the learner's functions computed it themselves,
without calling rnncourse's own implementations::

    with checks.own_work(viterbi):
        ...                              # tests that call viterbi
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

_PACKAGE = str(Path(__file__).resolve().parent)
# Learner-facing helpers that an answer may use; everything else in rnncourse solves tasks.
ALLOWED_MODULES = ("rnncourse.checks", "rnncourse.shapes", "rnncourse.repro")


class Report:
    """Collects ok/FAIL lines for one task; raises AssertionError on exit if any failed."""

    def __init__(self, task: str) -> None:
        self.task = task
        self.failed: list[tuple[str, str]] = []

    def __enter__(self) -> Report:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            return False
        if self.failed:
            lines = "\n".join(f"  - {label}: {hint}" for label, hint in self.failed)
            raise AssertionError(f"{self.task}: {len(self.failed)} check(s) failed.\n{lines}")
        print(f"{self.task}: all checks passed.")
        return False

    def _line(self, ok: bool, label: str, detail: str, hint: str) -> bool:
        print(f"{'ok  ' if ok else 'FAIL'} {label}" + ("" if ok else f": {detail}"))
        if not ok:
            self.failed.append((label, hint))
        return ok

    def check(self, label: str, ok: bool, detail: str = "", hint: str = "") -> bool:
        """Record a boolean check."""
        return self._line(bool(ok), label, detail, hint)

    def equal(self, label: str, got, want, hint: str = "") -> bool:
        """Exact equality (shapes, integer paths, ...)."""
        try:
            ok = bool(np.array_equal(np.asarray(got), np.asarray(want)))
        except Exception:  # noqa: BLE001 - anything uncomparable is simply not equal
            ok = False
        return self._line(ok, label, f"got {_short(got)}, expected {_short(want)}", hint)

    def call(self, label: str, fn: Callable, *args, **kwargs):
        """Call fn(*args, **kwargs), check that it left its array inputs as they were and
        returned no array that shares memory with one of them; return fn's result.

        Generators and functions among the inputs are not compared (drawing from a
        generator is meant to change it).
        """
        before = _copy_arrays((args, kwargs))
        out = fn(*args, **kwargs)
        self.check(f"{label}: inputs left unchanged", _same_arrays((args, kwargs), before),
                   "an input array was modified",
                   hint="work on new arrays: `a = a * s` or `a = a.copy()` before changing "
                        "it, never `a *= s` or `a[...] = ...` on an argument")
        shared = [i for i, o in enumerate(_arrays(out))
                  if any(np.shares_memory(o, a) for a in _arrays((args, kwargs)))]
        self.check(f"{label}: returns new arrays", not shared,
                   "the result shares memory with an input",
                   hint="return a new array, not an input or a view of one (`x[:]`, "
                        "`x.reshape(...)` and `np.asarray(x)` can all be views)")
        return out

    def close(self, label: str, got, want, hint: str = "", rtol: float = 1e-9,
              atol: float = 1e-12) -> bool:
        """Numerical closeness, with the shape checked first."""
        try:
            g = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            return self._line(False, label, f"got {type(got).__name__}, expected numbers",
                              hint)
        w = np.asarray(want, dtype=np.float64)
        if g.shape != w.shape:
            return self._line(False, label, f"shape {g.shape}, expected {w.shape}", hint)
        ok = bool(np.allclose(g, w, rtol=rtol, atol=atol))
        err = float(np.max(np.abs(g - w))) if g.size else 0.0
        return self._line(ok, label, f"max abs difference {err:.3g}; got {_short(g)}, "
                          f"expected {_short(w)}", hint)


def _arrays(obj) -> list[np.ndarray]:
    """Every NumPy array inside obj (nested tuples, lists and dict values)."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, tuple | list):
        return [a for item in obj for a in _arrays(item)]
    return []


def _copy_arrays(obj):
    return [a.copy() for a in _arrays(obj)]


def _same_arrays(obj, copies) -> bool:
    now = _arrays(obj)
    return len(now) == len(copies) and all(
        a.shape == c.shape and a.dtype == c.dtype and np.array_equal(a, c, equal_nan=True)
        for a, c in zip(now, copies, strict=True))


def _short(x) -> str:
    text = np.array2string(np.asarray(x), precision=4, threshold=8, separator=", ")
    return text if len(text) < 120 else text[:117] + "..."


def _code_objects(code: types.CodeType) -> set[types.CodeType]:
    """A code object and every code object nested in it (inner functions, lambdas)."""
    out = {code}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            out |= _code_objects(const)
    return out


def _in_package(code: types.CodeType) -> bool:
    return code.co_filename.startswith(_PACKAGE)


@contextlib.contextmanager
def own_work(*functions: Callable) -> Iterator[None]:
    """Fail the block if one of `functions` calls rnncourse's own implementations.

    While the block runs, every call into a module of the rnncourse package (other
    than checks, shapes and repro) is inspected; if one of the given functions is on
    the call stack at that moment, the block raises AssertionError naming the call.
    Calls that the test code itself makes (outside the learner's functions) are fine.
    A "function" that is rnncourse's own (for example `viterbi = hmm.viterbi`) or is
    not a Python function at all (a functools.partial around one) fails at once.
    """
    for fn in functions:
        code = getattr(fn, "__code__", None)
        if not isinstance(code, types.CodeType) or _in_package(code):
            raise AssertionError(
                f"`{getattr(fn, '__name__', fn)!r}` is not a function you wrote (it is "
                f"{type(fn).__name__} {getattr(fn, '__module__', '')}). The graded answer must "
                "be your own code: NumPy and the standard library, not rnncourse.")
    mine = set().union(*(_code_objects(fn.__code__) for fn in functions))
    names = {code: fn.__name__ for fn in functions for code in _code_objects(fn.__code__)}
    calls: list[tuple[str, str]] = []

    def profile(frame, event, arg):
        if event != "call" or not _in_package(frame.f_code):
            return
        module = frame.f_globals.get("__name__", "")
        if module in ALLOWED_MODULES:
            return
        caller = frame.f_back
        while caller is not None:
            if caller.f_code in mine:
                calls.append((names[caller.f_code], f"{module}.{frame.f_code.co_name}"))
                return
            caller = caller.f_back

    old = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(old)
    if calls:
        fn_name, target = calls[0]
        raise AssertionError(
            f"`{fn_name}` calls `{target}`. The graded answer must be your own code (NumPy "
            "and the standard library); rnncourse's implementations are off limits in graded "
            "tasks, and an answer that uses them earns no marks.")
