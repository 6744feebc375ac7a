"""Measure the COURSE.md budgets: execution time of every chapter and reference solution,
and the autograding time of every reference solution. A benchmark, not a test.

    .venv/bin/python scripts/budgets.py            (or: make budgets)

It prints the times and writes them to results/budgets.json, with the provenance every
results file records (command, commit, versions, date, machine, wall time: see
rnncourse/studies/record.py), which the book's benchmarks page shows.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
# The budgets are for one thread per process, as `make test` runs (the kernels inherit these).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from harness import exercise_sets, make_course, nbgrader, source_notebook, submit  # noqa: E402
from rnncourse.studies import record  # noqa: E402


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def autograde(set_name: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp), set_name)
        nbgrader(course, "generate_assignment", set_name, "--force")
        submit(course, "reference", set_name,
               nbformat.read(source_notebook(set_name), as_version=4))
        start = time.perf_counter()
        nbgrader(course, "autograde", set_name, "--force")
        return time.perf_counter() - start


def main() -> None:
    start = time.time()
    chapters = sorted((ROOT / "book").glob("*.ipynb"))
    out = {"date": datetime.date.today().isoformat(), "cpus": os.cpu_count(),
           "machine": platform.machine(), "threads": os.environ.get("OMP_NUM_THREADS", ""),
           "chapters": {}, "solutions": {}}
    times = []
    for path in chapters:
        t = execute(path)
        times.append(t)
        out["chapters"][path.stem] = round(t, 1)
        print(f"chapter   {path.relative_to(ROOT)}: {t:6.1f} s (budget: median <= 45, max 90)")
    if times:
        print(f"chapters: median {statistics.median(times):.1f} s, max {max(times):.1f} s")
    for set_name in exercise_sets():
        t = execute(source_notebook(set_name))
        print(f"solution  {set_name}: executes in {t:6.1f} s")
        g = autograde(set_name)
        print(f"solution  {set_name}: autogrades in {g:6.1f} s (budget 60)")
        out["solutions"][set_name] = {"execute_s": round(t, 1), "autograde_s": round(g, 1)}
    out["provenance"] = record.provenance("python scripts/budgets.py", time.time() - start, 1)
    out["provenance"]["threads_per_run"] = out["threads"] or "1"
    path = ROOT / "results" / "budgets.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
