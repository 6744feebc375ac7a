"""Learner-facing checks for the exercise notebooks.

A `Report` prints one `ok`/`FAIL` line per quantity and, at the end, raises one
AssertionError that repeats the hints of the failed quantities::

    with checks.Report("yule_walker") as r:
        r.close("phi", phi, [0.6, -0.3], hint="build the Toeplitz matrix from lags 0..p-1")
        r.equal("shape of phi", phi.shape, (2,))

Nothing here knows a solution: it compares what the learner computed with what the
test computed.
"""

from __future__ import annotations

import numpy as np


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

    def close(self, label: str, got, want, hint: str = "", rtol: float = 1e-6,
              atol: float = 1e-8) -> bool:
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


def _short(x) -> str:
    text = np.array2string(np.asarray(x), precision=4, threshold=8, separator=", ")
    return text if len(text) < 120 else text[:117] + "..."
