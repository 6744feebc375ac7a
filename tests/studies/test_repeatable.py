"""Every study repeats itself exactly: the same seed gives the same results in another
process (another PYTHONHASHSEED, so another order of every set and dict of strings built
from hashing) after other draws from the global generators of `random`, NumPy and torch
(a study that drew from them instead of its seed would differ). Timings are left out.

This is what makes the chapters' live runs repeatable: each chapter's training and
random draws are a study's `run` or the functions it is made of. One whole chapter is also
executed twice and compared digit for digit (tests/course/test_build.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# A study's runs in its smoke setting, every variant, seed 0, after global draws from
# `scramble`: printed as JSON by the subprocess, returned by the in-process call.
PROGRAM = """
import json, random, sys
import numpy as np, torch
from rnncourse.studies import STUDIES, runner

def runs(name, scramble):
    study = runner.module(name)
    out = []
    for i, variant in enumerate(study.VARIANTS):
        random.seed(scramble + i); np.random.seed(scramble + i); torch.manual_seed(scramble + i)
        np.random.standard_normal(scramble % 7 + 1); torch.rand(scramble % 5 + 1)
        out.append(study.run(variant, 0, study.SMOKE))
    return out

if __name__ == "__main__":
    print(json.dumps({name: runs(name, int(sys.argv[1])) for name in sorted(STUDIES)},
                     default=str))
"""


def without_timings(x):
    """`x` with every measured time left out: keys `seconds`, `*_s` (CPU or wall seconds)
    and `ms_per_*`, and the CPU seconds in the middle of a `curve`'s (update, seconds,
    value) points."""
    if isinstance(x, dict):
        return {k: ([[p[0], p[2]] for p in v] if k == "curve" else without_timings(v))
                for k, v in x.items()
                if not (k == "seconds" or k.endswith("_s") or k.startswith("ms_per_"))}
    if isinstance(x, list | tuple):
        return [without_timings(v) for v in x]
    return x


def test_without_timings_keeps_everything_else():
    run = {"loss": 0.5, "train_cpu_s": 3.0, "ms_per_update": 2.0, "rows": [{"T": 64,
           "seconds": 0.1}], "curve": [(0, 0.01, 1.5), (2, 0.02, 1.2)], "steps": 2}
    assert without_timings(run) == {"loss": 0.5, "rows": [{"T": 64}],
                                    "curve": [[0, 1.5], [2, 1.2]], "steps": 2}


@pytest.mark.slow
def test_every_study_repeats_itself_in_another_process_after_other_global_draws():
    namespace: dict = {"__name__": "repeatable"}
    exec(compile(PROGRAM, "repeatable", "exec"), namespace)      # noqa: S102
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-c", PROGRAM, "99"], capture_output=True,
                          text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    there = json.loads(proc.stdout)
    assert set(there) == set(namespace["STUDIES"])
    differ = []
    for name in sorted(there):
        here = json.loads(json.dumps(namespace["runs"](name, 1), default=str))
        if without_timings(here) != without_timings(there[name]):
            differ.append(name)
    assert not differ, f"studies whose seeded runs differ between two processes: {differ}"
