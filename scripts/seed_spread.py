# ruff: noqa: E501  (the docstring quotes whole command lines)
"""Re-measure a chapter's statement under many seeds.

A chapter draws everything from `repro.seed()` (RNNCOURSE_SEED, 0 in the book). It executes a chapter's code cells up to and including cell LAST (0-based cell
index in the notebook, markdown cells count) once per seed, with figures closed and output
silenced, and prints one Python expression evaluated in the chapter's namespace. An
assertion that fails in some cell is reported on stderr (with the seed) and the run goes on,
so the spread shows which seeds break a statement.

    python scripts/seed_spread.py NOTEBOOK LAST FIRST_SEED STOP_SEED EXPRESSION

What a chapter quotes over seeds comes from a study (rnncourse.studies) and its results file;
this script is for looking, while writing a statement, for the seeds that break it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def code_cells(path: Path, last: int) -> list[tuple[int, str]]:
    nb = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code" and i <= last]


def run(path: Path, last: int, seed: int, expression: str):
    os.environ["RNNCOURSE_SEED"] = str(seed)
    namespace: dict = {}
    for index, source in code_cells(path, last):
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile("\n".join(lines), f"{path.name}[{index}]", "exec"), namespace)
        except AssertionError:
            print(f"seed {seed}: an assertion failed in cell {index}", file=sys.stderr)
            traceback.print_exc(limit=-1)
    return eval(expression, namespace)


def main(argv: list[str]) -> None:
    if len(argv) == 2 and argv[0] == "--list":
        for index, source in code_cells(Path(argv[1]).resolve(), 10**9):
            print(index, source.splitlines()[0][:70] if source else "")
        return
    if len(argv) != 5:
        raise SystemExit(__doc__)
    path = Path(argv[0]).resolve()
    last, first, stop = int(argv[1]), int(argv[2]), int(argv[3])
    plt.show = lambda *a, **k: plt.close("all")
    os.chdir(path.parent)                       # chapters read ../results/ relative to book/
    sys.path.insert(0, str(ROOT))
    for seed in range(first, stop):
        print(seed, run(path, last, seed, argv[4]), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
