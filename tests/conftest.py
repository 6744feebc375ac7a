"""Shared set-up for the test suite.

Kernels started by nbval, nbgrader and jupyter-book must run this environment's python
(where `rnncourse` is installed), so this environment's kernel directory goes first.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Kernels must keep their inline matplotlib backend (MPLBACKEND=Agg would make plt.show()
# render nothing in the book); this process itself draws off-screen.
os.environ.pop("MPLBACKEND", None)
import matplotlib  # noqa: E402

matplotlib.use("Agg")

_kernels = str(Path(sys.prefix) / "share" / "jupyter")
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [_kernels] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])
# nbgrader runs helpers such as `alembic` from PATH: this environment's bin/ comes first.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
# One BLAS thread per process, as `make` sets it (see the Makefile for the measurement).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_runtest_logreport(report):
    """Gather the grading contract's tally from the tests' reports (sent to the controller
    by every worker in a parallel run)."""
    from harness import REPORT

    if report.when == "call":
        for key, value in report.user_properties:
            if key == "contract":
                set_name, counts = value
                REPORT.setdefault(set_name, {}).update(counts)


def pytest_terminal_summary(terminalreporter):
    """The grading contract's tally: wrong answers rejected per exercise set."""
    from harness import REPORT

    if not REPORT:
        return
    terminalreporter.section("grading contract: wrong answers rejected")
    for set_name in sorted(REPORT):
        r = REPORT[set_name]
        terminalreporter.write_line(
            f"{set_name}: rejected {r.get('hand', 0)} hand-written and {r.get('generic', 0)} "
            f"generated wrong answers, {r.get('state', 0)} that keep state (cache, buffer, "
            f"stale global), {r.get('delegating', 0)} that delegate (rnncourse, excluded "
            f"libraries), {r.get('delegating to locked cells', 0)} that call the locked cells "
            f"and {r.get('pasted release code', 0)} pasted from the release (functions, hints, "
            f"memorised outputs); {r.get('excused', 0)} generated classes excused with a reason")
