"""Shared set-up for the test suite.

Kernels started by nbval, nbgrader and jupyter-book must run this environment's python
(where `rnncourse` is installed), so this environment's kernel directory goes first.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_kernels = str(Path(sys.prefix) / "share" / "jupyter")
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [_kernels] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])
# nbgrader runs helpers such as `alembic` from PATH: this environment's bin/ comes first.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))
