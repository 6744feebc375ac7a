"""Measure the COURSE.md budgets: execution time of every chapter and reference solution,
and the autograding time of every reference solution. A benchmark, not a test.

    .venv/bin/python scripts/budgets.py            (or: make budgets)
"""

from __future__ import annotations

import os
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

from grading import exercise_sets, make_course, nbgrader, source_notebook, submit  # noqa: E402


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
    chapters = sorted((ROOT / "book").glob("*.ipynb"))
    times = []
    for path in chapters:
        t = execute(path)
        times.append(t)
        print(f"chapter   {path.relative_to(ROOT)}: {t:6.1f} s (budget: median <= 45, max 90)")
    if times:
        print(f"chapters: median {statistics.median(times):.1f} s, max {max(times):.1f} s")
    for set_name in exercise_sets():
        t = execute(source_notebook(set_name))
        print(f"solution  {set_name}: executes in {t:6.1f} s")
        t = autograde(set_name)
        print(f"solution  {set_name}: autogrades in {t:6.1f} s (budget 60)")


if __name__ == "__main__":
    main()
