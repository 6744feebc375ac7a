"""Learner-facing checks for the exercise notebooks.

A test cell binds its own checker, then runs the learner's functions inside a task whose
inputs live in a function's scope, never in the notebook's globals::

    from rnncourse.grading import checks

    @checks.tests("yule_walker", yule_walker)
    def _(r):
        phi, sigma2 = r.call("AR(2) sample", yule_walker, x, 2)
        r.close("phi", phi, [0.6, -0.3], hint="the matrix holds the lags 0..p-1")

A task prints one `ok`/`FAIL` line per quantity and, at the end, raises one AssertionError
that repeats the hints of what failed. While it is open, the learner's functions run under
a `watch.Watch`: calling rnncourse's own implementations, code from the notebook's locked
cells or a library the set excludes fails the task. An exception raised inside the
learner's code becomes a FAIL line naming the function, the exception, the line and the
shapes of the arguments. When a task fails and the learner's code called a function of an
earlier task that failed its own checks, the first hint says to fix that one first.

Printed numbers show the digits where the two values differ. Hidden checks (`hidden=True`)
print where and how far a value is off, never the expected value.
"""

from __future__ import annotations

import linecache
import sys
import traceback
import types
from collections.abc import Callable, Iterable

import numpy as np

from rnncourse.grading import watch as _watch

NUMPY_ONLY = _watch.NUMPY_ONLY
# task name -> whether its checks passed, in the order the tasks were checked
_OUTCOMES: dict[str, bool] = {}


class TestDesignError(RuntimeError):
    """A hidden case does not separate the right answer from the shortcut it rules out."""


class Report:
    """Collects ok/FAIL lines for one task; raises AssertionError on exit if any failed."""

    __slots__ = ("task", "hidden", "failed", "_explanation", "_watch", "_name")

    def __init__(self, task: str, hidden: bool = False) -> None:
        self.task = task
        self.hidden = hidden
        self.failed: list[tuple[str, str]] = []
        self._explanation: str | None = None
        self._watch: _watch.Watch | None = None
        self._name = task
        if type(self) is Report:        # the code that makes a report is the test's, not learner's
            _watch.register_locked(sys._getframe(1).f_code.co_filename)

    def __enter__(self) -> Report:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and not issubclass(exc_type, Exception):
            return False                      # interrupts and exits are the grader's business
        if exc_type is not None and not self._learner_error(exc, tb):
            self._record(False)
            return False                      # the test's own error: show it as it is
        message = self._watch.message() if self._watch is not None else None
        if message is not None:
            self._line(False, "own work", message, hint=message)
        self._record(not self.failed)
        if self.failed:
            raise AssertionError(self._summary()) from None
        print(f"{self.task}: all checks passed.")
        return False

    # ------------------------------------------------------------- checks

    def _line(self, ok: bool, label: str, detail: str, hint: str) -> bool:
        print(f"{'ok  ' if ok else 'FAIL'} {label}" + ("" if ok else f": {detail}"))
        if not ok:
            self.failed.append((label, hint))
        return ok

    def check(self, label: str, ok: bool, detail: str = "", hint: str = "") -> bool:
        """Record a boolean check."""
        return self._line(bool(ok), label, detail, hint)

    def equal(self, label: str, got, want, hint: str = "") -> bool:
        """Exact equality (shapes, integer ids, paths, ...). Integer arrays must also have
        the expected integer dtype."""
        problem = _kind_problem(got, want, exact=True)
        if problem is not None:
            return self._line(False, label, problem, hint)
        try:
            ok = bool(np.array_equal(np.asarray(got), np.asarray(want)))
        except Exception:  # noqa: BLE001 - anything uncomparable is simply not equal
            ok = False
        return self._line(ok, label, "" if ok else _inequality(got, want, self.hidden), hint)

    def close(self, label: str, got, want, hint: str = "", rtol: float = 1e-9,
              atol: float = 1e-12) -> bool:
        """Numerical closeness in float64, with the type and shape checked first."""
        problem = _kind_problem(got, want, exact=False)
        if problem is not None:
            return self._line(False, label, problem, hint)
        g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
        if g.shape != w.shape:
            return self._line(False, label, f"shape {g.shape}, expected {w.shape}", hint)
        ok = bool(np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=False))
        return self._line(ok, label, "" if ok else _difference(g, w, self.hidden), hint)

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

    def calls(self, fn: Callable, cases: Iterable[tuple[str, tuple]]) -> list:
        """`call` fn on every (label, args) case first, and return the results: comparing
        them only after the last call catches answers that cache by shape or hand back
        the same buffer each time."""
        return [self.call(label, fn, *args) for label, args in cases]

    def explain(self, text: str) -> None:
        """One explanation of the failures that replaces the per-quantity hints."""
        self._explanation = text

    # ------------------------------------------------------------- reporting

    def _summary(self) -> str:
        hints = [f"  - {label}: {hint}" for label, hint in self.failed if hint]
        if self._explanation is not None:
            hints = [f"  - {self._explanation}"]
        blame = self._blame()
        if blame:
            hints.insert(0, f"  - {blame}")
        return f"{self.task}: {len(self.failed)} check(s) failed.\n" + "\n".join(hints)

    def _blame(self) -> str | None:
        if self._watch is None:
            return None
        failed = [name for name, ok in _OUTCOMES.items()
                  if not ok and name != self._name and name in self._watch.called]
        if not failed:
            return None
        dep = failed[0]
        return (f"`{self._name}` calls your `{dep}`, which failed its own checks above: fix "
                f"`{dep}` first; the failures here may all come from it.")

    def _record(self, ok: bool) -> None:
        if self.hidden:
            _OUTCOMES[self._name] = _OUTCOMES.get(self._name, True) and ok
        else:
            _OUTCOMES.pop(self._name, None)
            _OUTCOMES[self._name] = ok

    def _learner_error(self, exc: BaseException, tb) -> bool:
        """If `exc` came out of the learner's code, print a FAIL line that says so."""
        if isinstance(exc, _watch.Violation):
            self._line(False, "own work", str(exc), hint=str(exc))
            return True
        kind = self._watch.kind if self._watch is not None else _watch.code_kind
        frames = [(f, line) for f, line in traceback.walk_tb(tb)
                  if kind(f.f_code) == _watch.LEARNER]
        if not frames:
            return False
        outer, _ = frames[0]
        inner, line = frames[-1]
        text = linecache.getline(inner.f_code.co_filename, line).strip()
        where = f"line {line} of `{inner.f_code.co_name}`" + (f": `{text}`" if text else "")
        detail = (f"`{outer.f_code.co_name}` raised {type(exc).__name__}: {exc} ({where}; "
                  f"called with {_argument_shapes(outer)})")
        self._line(False, f"{outer.f_code.co_name} runs", detail,
                   hint=f"your `{outer.f_code.co_name}` stopped with an error before returning: "
                        "run it on the inputs above in a scratch cell and read the traceback")
        return True


def task(name: str, *functions: Callable, hidden: bool = False,
         libraries: Iterable[str] = NUMPY_ONLY) -> Report:
    """A Report for task `name` whose block runs `functions` under the own-work watch."""
    report = _Task(name + (" (hidden)" if hidden else ""), hidden=hidden)
    report._name = name
    report._watch = _watch.Watch(*functions, libraries=libraries, entry=sys._getframe(1))
    return report


def tests(name: str, *functions: Callable, hidden: bool = False,
          libraries: Iterable[str] = NUMPY_ONLY) -> Callable[[Callable], None]:
    """Decorator: run the decorated function at once, as `body(r)` inside `task(...)`.
    Everything the tests compute stays local to the body."""
    entry = sys._getframe(1)

    def run(body: Callable) -> None:
        report = _Task(name + (" (hidden)" if hidden else ""), hidden=hidden)
        report._name = name
        report._watch = _watch.Watch(*functions, libraries=libraries, entry=entry)
        with report as r:
            body(r)

    return run


class _Task(Report):
    __slots__ = ()

    def __enter__(self) -> Report:
        self._watch.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._watch.__exit__(exc_type, exc, tb)
        return Report.__exit__(self, exc_type, exc, tb)


def _flat(value) -> list[np.ndarray]:
    """Every number in value (arrays, numbers, nested tuples, lists and dict values), as a
    list of float64 arrays in order."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, tuple | list):
        return [a for item in value for a in _flat(item)]
    return [np.asarray(value, dtype=np.float64)]


def separates(label: str, shortcut, want, rtol: float = 1e-6) -> None:
    """A hidden case's guarantee: the shortcut it rules out gives a different answer here.
    Both may be arrays, numbers or nested tuples, lists and dicts of them. Raises
    TestDesignError (which fails the reference too) when they agree."""
    a, b = _flat(shortcut), _flat(want)
    same = len(a) == len(b) and all(
        x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=1e-12))
        for x, y in zip(a, b, strict=True))
    if same:
        raise TestDesignError(f"test design: the case '{label}' does not separate the right "
                              "answer from the shortcut it is meant to rule out")


# ---------------------------------------------------------------- helpers


def _kind_problem(got, want, exact: bool) -> str | None:
    """Why `got` cannot be what a float64 (or integer) `want` is, or None."""
    if isinstance(want, np.ndarray) and want.ndim > 0:
        if type(got) is not np.ndarray:
            return f"got a {type(got).__name__}, expected a NumPy array"
        if want.dtype.kind == "f" and got.dtype != want.dtype:
            return (f"got {got.dtype} values, expected {want.dtype}: compute in {want.dtype}, "
                    "as the inputs are")
        if exact and want.dtype.kind in "iu" and got.dtype != want.dtype:
            return f"got dtype {got.dtype}, expected {want.dtype}"
        return None
    if isinstance(want, float | np.floating) and not exact:
        ok = (isinstance(got, float | int | np.integer) and not isinstance(got, bool)) or (
            isinstance(got, np.floating | np.ndarray) and got.dtype == np.float64
            and np.ndim(got) == 0)
        if not ok:
            what = getattr(got, "dtype", type(got).__name__)
            return f"got {what}, expected a float64 number"
    return None


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


def _inequality(got, want, hidden: bool) -> str:
    """Where two values of the same shape first differ (and, unless hidden, how)."""
    try:
        g, w = np.asarray(got), np.asarray(want)
        if g.shape == w.shape and g.size:
            idx = np.unravel_index(int(np.argmax(g != w)), g.shape)
            where = f"first difference at index {list(map(int, idx))}"
            return where if hidden else f"{where}: got {g[idx].item()!r}, expected " \
                                        f"{w[idx].item()!r} (got {_short(g)}, expected {_short(w)})"
        if g.shape != w.shape:
            return f"shape {g.shape}, expected {w.shape}" if hidden else \
                f"got {_short(got)}, expected {_short(want)}"
    except Exception:  # noqa: BLE001 - values that do not compare elementwise
        pass
    return "not equal" if hidden else f"got {_short(got)}, expected {_short(want)}"


def _short(x) -> str:
    text = np.array2string(np.asarray(x), precision=4, threshold=8, separator=", ")
    return text if len(text) < 120 else text[:117] + "..."


def _format_pair(g: float, w: float) -> tuple[str, str]:
    """g and w with just enough significant digits (at least 4) to tell them apart."""
    def fmt(x: float, digits: int) -> str:
        if not np.isfinite(x):
            return str(x)
        if x != 0 and not 1e-4 <= abs(x) < 1e6:
            return np.format_float_scientific(x, precision=digits - 1, unique=False, trim="-")
        return np.format_float_positional(x, precision=digits, unique=False, fractional=False,
                                          trim="-")

    for digits in range(4, 18):
        gs, ws = fmt(g, digits), fmt(w, digits)
        if gs != ws:
            return gs, ws
    return repr(float(g)), repr(float(w))


def _difference(g: np.ndarray, w: np.ndarray, hidden: bool) -> str:
    """Where and how far g is from w; the values at that place unless hidden."""
    diff = np.abs(g - w)
    diff = np.where(np.isnan(diff), np.inf, diff)
    idx = np.unravel_index(int(np.argmax(diff)), g.shape) if g.ndim else ()
    err = float(diff[idx]) if g.ndim else float(diff)
    where = f" at index {list(map(int, idx))}" if g.ndim else ""
    text = f"largest difference {err:.2g}{where}"
    if hidden:
        return text
    gs, ws = _format_pair(float(g[idx]), float(w[idx]))
    text += f": got {gs}, expected {ws}"
    if 1 < g.size <= 6:
        text += f" (all: got {_digits_array(g, w, True)}, expected {_digits_array(g, w, False)})"
    return text


def _digits_array(g: np.ndarray, w: np.ndarray, first: bool) -> str:
    pairs = [_format_pair(float(a), float(b)) for a, b in zip(g.ravel(), w.ravel(), strict=True)]
    return "[" + ", ".join(p[0 if first else 1] for p in pairs) + "]"


def _argument_shapes(frame: types.FrameType) -> str:
    code = frame.f_code
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    parts = []
    for name in names:
        value = frame.f_locals.get(name)
        if isinstance(value, np.ndarray):
            parts.append(f"{name}: {value.shape} {value.dtype}")
        elif isinstance(value, int | float | str | bool) or value is None:
            parts.append(f"{name}={value!r}")
        else:
            parts.append(f"{name}: {type(value).__name__}")
    return ", ".join(parts) or "no arguments"
