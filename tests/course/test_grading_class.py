"""A class graded as an instructor grades it: `nbgrader autograde`, `generate_feedback` and
`export`, with the course's configuration, on submissions that crash, hang, tamper and
edit (COURSE.md's grading contract: a crash costs only what it breaks; tampering is
detected, earns nothing and is reported; feedback shows checks and hints, never the hidden
tests).

For set 07 (its tests use NumPy and torch), every learner of `_class` hands in the release
with the reference answers, changed in one way. The test knows from the reference which
tasks' tests call which function (`_calls`), so it can say exactly which marks each
learner keeps: a broken function costs the tasks whose tests run it; a change to the
grading environment costs every task from the first test cell after it. Submission times
are printed, not asserted (they are measured and reported in the README).
"""

from __future__ import annotations

import csv
import html
import json
import re
import time

import nbformat
import pytest

from harness import (
    EXERCISES,
    is_answer_cell,
    load_delegating,
    load_generic,
    load_mutations,
    make_course,
    nbg,
    nbgrader,
    normalise,
    run_test_cell,
    scores,
    secret_lines,
    source_notebook,
    submit,
    tasks,
)

CLASS_SETS = ["07-attention"]
CONFIG = """
c.GuardedExecute.timeout = 5
c.GuardedExecute.interrupt_grace = 3
c.GuardedExecute.submission_timeout = 120
c.GuardedExecute.memory_limit_mb = 2048
"""

BREAKERS = {
    "exits": "import os as _os\n\n\ndef {fn}(*args, **kwargs):\n    _os._exit(1)\n",
    "segfaults": ("import ctypes as _ctypes\n\n\ndef {fn}(*args, **kwargs):\n"
                  "    return _ctypes.string_at(0)\n"),
    "is killed": ("import os as _os\nimport signal as _signal\n\n\ndef {fn}(*args, **kwargs):\n"
                  "    _os.kill(_os.getpid(), _signal.SIGKILL)\n"),
    "runs out of memory": ("import numpy as np\n\n\ndef {fn}(*args, **kwargs):\n"
                           "    return np.ones(2 ** 31)\n"),
    "recurses forever": ("import sys as _sys\n\n\ndef {fn}(*args, **kwargs):\n"
                         "    _sys.setrecursionlimit(10 ** 6)\n\n    def down(n):\n"
                         "        return down(n + 1) + 1\n    return down(0)\n"),
    "raises SystemExit": "def {fn}(*args, **kwargs):\n    raise SystemExit(0)\n",
    "swallows the interrupt": ("import signal as _signal\n\n\ndef {fn}(*args, **kwargs):\n"
                               "    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)\n"
                               "    while True:\n        pass\n"),
    "catches the interrupt in a loop": ("def {fn}(*args, **kwargs):\n    while True:\n"
                                        "        try:\n            while True:\n"
                                        "                pass\n"
                                        "        except BaseException:\n            pass\n"),
}
# Appended to a correct answer: changes to the grading environment.
TAMPERS = {
    "rebinds checks": ("\n\nclass _Lenient:\n    def __getattr__(self, name):\n"
                       "        return lambda *a, **k: (lambda body: None)\n\n\n"
                       "checks = _Lenient()\n", "the name `checks`"),
    "patches np.allclose": ("\nimport numpy\nnumpy.allclose = lambda *a, **k: True\n",
                            "numpy.allclose"),
    "patches a builtin": ("\nimport builtins\nbuiltins.abs = lambda x: 0\n", "builtins.abs"),
    "patches the checker": ("\nfrom rnncourse.grading import checks as _c\n"
                            "_c.Report.close = lambda self, *a, **k: True\n",
                            "rnncourse.grading.checks.Report.close"),
    "reads the solutions": ("\nimport os as _os\n_root = _os.getcwd()\n"
                            "while not _os.path.exists(_os.path.join(_root, 'gradebook.db')):\n"
                            "    _root = _os.path.dirname(_root)\ntry:\n"
                            "    open(_os.path.join(_root, 'solutions', '{set}', '{set}.ipynb'))"
                            ".read()\nexcept OSError:\n    pass\n", "tried to read"),
    "looks at the class and starts a process": (
        "\nimport os as _os\ntry:\n    _os.listdir('../..')\nexcept OSError:\n    pass\n"
        "try:\n    _os.system('true')\nexcept OSError:\n    pass\n", "tried to"),
}


def _answers(nb) -> dict[str, str]:
    return {nbg(c)["grade_id"]: c.source for c in nb.cells if is_answer_cell(c)}


def _with(release, answers: dict[str, str]):
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for c in nb.cells:
        if nbg(c).get("grade_id") in answers:
            c.source = answers[nbg(c)["grade_id"]]
    return nb


def _calls(set_name: str, reference) -> dict[str, set[str]]:
    """task -> the graded functions its test cell runs (by the reference's own calls)."""
    specs = load_generic(set_name)
    answers = _answers(reference)
    replaced = {}
    for task, source in answers.items():
        fn = specs[task].fn
        replaced[task] = (source + f"\n\n_RAN = globals().setdefault('_RAN', set())\n"
                          f"_orig_{fn} = {fn}\n\n\ndef {fn}(*args, **kwargs):\n"
                          f"    _RAN.add({fn!r})\n    return _orig_{fn}(*args, **kwargs)\n")
    out = {}
    for t in tasks(reference):
        ns: dict = {}
        assert run_test_cell(reference, t.test_id, replace=replaced, namespace=ns) is None
        out[t.name] = set(ns.get("_RAN", ()))
    return out


def _class(set_name: str):
    """learner -> (notebook, {test_id: expected score}, expected findings). Breakages that
    do not mask each other share a submission (each still needs its own kernel restart)."""
    reference = nbformat.read(source_notebook(set_name), as_version=4)
    (release_path,) = sorted((EXERCISES / set_name).glob("*.ipynb"))
    release = nbformat.read(release_path, as_version=4)
    ts = tasks(reference)
    answers = _answers(reference)
    specs = load_generic(set_name)
    calls = _calls(set_name, reference)
    full = {t.test_id: t.points for t in ts}
    fn_of = {t.name: specs[t.name].fn for t in ts}
    # A function no other task's test runs: hanging there costs one time limit only.
    leaf = next(t.name for t in reversed(ts) if all(
        fn_of[t.name] not in calls[o.name] for o in ts if o.name != t.name))
    learners = {"reference": (_with(release, answers), dict(full), []),
                "blank": (release, {k: 0 for k in full}, [])}

    helpers = dict(answers)
    first = ts[0].name
    helpers[first] = ("import numpy as np\nimport numpy as np\nimport sys\n"
                      "from rnncourse.grading import checks\n\n\ndef _my_helper(v):\n"
                      "    return v\n\n\n" + answers[first]
                      + f"\n\n_inner_{fn_of[first]} = {fn_of[first]}\n\n\n"
                      f"def {fn_of[first]}(*args, **kwargs):\n"
                      "    print('debugging', file=sys.stderr)\n"
                      f"    return _my_helper(_inner_{fn_of[first]}(*args, **kwargs))\n")
    nb = _with(release, helpers)
    copy = next(c for c in nb.cells if nbg(c).get("grade_id") == ts[1].name)
    nb.cells.insert(nb.cells.index(copy) + 1, nbformat.v4.new_code_cell(copy.source))
    learners["helpers, imports, a re-run cell, stderr"] = (nb, dict(full), [])

    def broken(plan: dict[str, str]):
        """Tasks -> breaker: the submission, the marks it keeps, the findings it causes."""
        out = dict(answers)
        for task, what in plan.items():
            out[task] = BREAKERS[what].format(fn=fn_of[task])
        bad = {fn_of[task] for task in plan}
        expect = {t.test_id: (0 if bad & calls[t.name] else t.points) for t in ts}
        findings = [f"{task}_tests" for task, what in plan.items() if what in (
            "exits", "segfaults", "is killed", "swallows the interrupt",
            "catches the interrupt in a loop")]
        return _with(release, out), expect, findings

    n = len(ts)
    learners["crashes: exit, segfault, kill, memory"] = broken({
        ts[0].name: "exits", ts[1].name: "segfaults", ts[2].name: "is killed",
        ts[3 % n].name: "runs out of memory"})
    learners["recursion, SystemExit"] = broken({ts[0].name: "recurses forever",
                                                ts[1].name: "raises SystemExit"})
    for hang in ("swallows the interrupt", "catches the interrupt in a loop"):
        learners[hang] = broken({leaf: hang})

    for i, what in enumerate(TAMPERS):
        code, shown = TAMPERS[what]
        code = code.replace("{set}", set_name)
        k = 1 + i % (n - 1)
        tampered = dict(answers)
        tampered[ts[k].name] = answers[ts[k].name] + code
        expect = {t.test_id: (0 if j >= k else t.points) for j, t in enumerate(ts)}
        learners[what] = (_with(release, tampered), expect, [(ts[k].test_id, shown)])

    wrong = next(iter(load_mutations(set_name)[ts[0].name].values()))
    delegating = next(iter(load_delegating(set_name)[ts[-1].name].values()))
    nb = _with(release, {**answers, ts[0].name: wrong, ts[-1].name: delegating})
    for c in nb.cells:
        if nbg(c).get("grade_id") == ts[0].test_id:
            c.source = "print('ok')"
    nb.cells = [c for c in nb.cells if nbg(c).get("grade_id") != ts[1].test_id]
    broken = {fn_of[ts[0].name], fn_of[ts[-1].name]}
    learners["edits and deletes test cells, delegates"] = (
        nb, {t.test_id: (0 if broken & calls[t.name] else t.points) for t in ts},
        [ts[0].test_id, ts[1].test_id])
    return learners, ts


def _student(what: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")


@pytest.mark.slow
@pytest.mark.parametrize("set_name", CLASS_SETS)
def test_a_class_that_crashes_and_tampers_is_graded_exactly(set_name, tmp_path, capsys):
    learners, ts = _class(set_name)
    course = make_course(tmp_path, set_name)
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + CONFIG)
    nbgrader(course, "generate_assignment", set_name, "--force")
    for what, (nb, _, _) in learners.items():
        submit(course, _student(what), set_name, nb)
    start = time.perf_counter()
    proc = nbgrader(course, "autograde", set_name, "--force", timeout=1800)
    elapsed = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    assert log.count("was edited by the learner") == 1, "one learner edited one test cell"
    assert "has changed" not in log and "not recognized" not in log
    nbgrader(course, "autograde", set_name, "--force", "--student",
             _student("crashes: exit, segfault, kill, memory"), timeout=300)   # runs again
    nbgrader(course, "generate_feedback", set_name, "--force")
    nbgrader(course, "export")

    wrong = []
    for what, (_, expect, _) in learners.items():
        got = {k: v[0] for k, v in scores(course, set_name, _student(what)).items()
               if k in expect}
        if got != expect:
            wrong.append(f"{what}: got {got}, expected {expect}")
    assert not wrong, "\n".join(wrong)

    rows = list(csv.DictReader((course / "grading_report.csv").open()))
    statuses = {r["student_id"]: r["status"] for r in csv.DictReader(
        (course / "grades.csv").open())}
    assert set(statuses.values()) == {"graded"}, statuses
    times = {}
    for what, (_, _, findings) in learners.items():
        mine = [r for r in rows if r["student_id"] == _student(what)]
        times[what] = float(mine[0]["seconds"])
        real = [r for r in mine if r["finding"] != "none"]
        if not findings:
            if "recursion" not in what:     # deep recursion may crash the kernel, or raise
                assert not real, f"{what}: unexpected findings {real}"
            continue
        for finding in findings:
            cell, shown = (finding, None) if isinstance(finding, str) else finding
            hits = [r for r in real if r["cell"] == cell and (shown is None
                                                              or shown in r["detail"])]
            assert hits, f"{what}: no finding for {cell} ({shown}) in {real}"

    hidden = secret_lines(source_notebook(set_name), kinds=("hidden",))
    for what, (nb, _, _) in learners.items():
        page = course / "feedback" / _student(what) / set_name / f"{set_name}.html"
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        lines = {normalise(x) for x in text.splitlines()}
        own = {normalise(x) for c in nb.cells for x in c.source.splitlines()}
        shown = (hidden - own) & lines        # a learner's own answer may share a line
        assert not shown, f"{what}: hidden tests in the feedback: {shown}"
        assert "BEGIN HIDDEN TESTS" not in text
    mutant = (course / "feedback" / _student("edits and deletes test cells, delegates")
              / set_name / f"{set_name}.html")
    text = html.unescape(re.sub(r"<[^>]+>", "", mutant.read_text()))
    assert "FAIL " in text and "check(s) failed" in text, "the feedback shows no FAIL lines"
    assert "What grading found" in text and "was edited" in text and "was deleted" in text
    assert "own work" in text, "the feedback does not say why a delegating answer failed"
    first = ts[0].name
    if any(first in c and t.name != first for t, c in zip(ts, _calls(set_name, nbformat.read(
            source_notebook(set_name), as_version=4)).values(), strict=True)):
        assert f"calls your `{first}`, which failed its own checks above" in text, \
            "a task that fails because it calls a failing earlier task does not say so"

    with capsys.disabled():
        print(f"\n{set_name}: autograded {len(learners)} submissions in {elapsed:.0f} s; per "
              "submission: " + ", ".join(f"{w} {s:.1f} s" for w, s in times.items()))
