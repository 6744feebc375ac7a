"""The grading contract (COURSE.md), for every exercise set found in solutions/.

- the reference solution earns full marks under nbgrader autograding;
- the blank release earns zero on every graded cell;
- every graded cell rejects at least two plausible wrong answers (tests/mutations/);
- exercises/ equals what nbgrader generates from solutions/ now;
- the grader holds up: a looping answer is interrupted and costs only its own cell,
  an answer that raises costs only its own cell, and editing or deleting a visible test
  cell does not change the grade.
"""

from __future__ import annotations

import ast
import json
import time

import nbformat
import pytest

from grading import (
    EXERCISES,
    exercise_sets,
    is_answer_cell,
    is_test_cell,
    load_generic,
    load_mutations,
    make_course,
    nbg,
    nbgrader,
    run_test_cell,
    scores,
    source_notebook,
    submit,
    tasks,
)

SETS = exercise_sets()
GRADING_TIMEOUT = 8  # seconds per cell in the tampering test (the real config uses more)


@pytest.fixture(scope="module")
def generated_course(tmp_path_factory):
    """A scratch course per set with its release generated once (shared by the release
    comparison and the autograding test; the shorter cell timeout only affects grading)."""
    courses = {}

    def get(set_name):
        if set_name not in courses:
            course = make_course(tmp_path_factory.mktemp(set_name), set_name,
                                 timeout=GRADING_TIMEOUT)
            nbgrader(course, "generate_assignment", set_name, "--force")
            courses[set_name] = course
        return courses[set_name]

    return get


def test_there_are_exercise_sets():
    assert SETS, "no exercise sets found under solutions/"


@pytest.mark.parametrize("set_name", SETS)
def test_set_structure(set_name):
    """Every answer cell has a graded `<task>_tests` cell with points, and vice versa."""
    nb = nbformat.read(source_notebook(set_name), as_version=4)
    found = tasks(nb)
    assert len(found) >= 4, f"{set_name}: expected at least four graded tasks"
    test_ids = {nbg(c)["grade_id"] for c in nb.cells if is_test_cell(c)}
    assert test_ids == {t.test_id for t in found}, "test cells and answer cells do not pair up"
    for t in found:
        assert t.points > 0, f"{t.test_id} carries no points"
    for c in nb.cells:
        if is_test_cell(c):
            assert "### BEGIN HIDDEN TESTS" in c.source, f"{nbg(c)['grade_id']} has no hidden tests"
        if is_answer_cell(c):
            assert "### BEGIN SOLUTION" in c.source


@pytest.mark.parametrize("set_name", SETS)
def test_reference_passes_every_test_cell_in_process(set_name):
    nb = nbformat.read(source_notebook(set_name), as_version=4)
    for t in tasks(nb):
        err = run_test_cell(nb, t.test_id)
        assert err is None, f"reference fails {t.test_id}: {err!r}"


@pytest.mark.parametrize("set_name", SETS)
def test_every_graded_cell_rejects_mutations(set_name, record_property):
    nb = nbformat.read(source_notebook(set_name), as_version=4)
    mutations = load_mutations(set_name)
    task_names = {t.name for t in tasks(nb)}
    unknown = set(mutations) - task_names
    assert not unknown, f"mutations for unknown tasks: {unknown}"
    for t in tasks(nb):
        wrong = mutations.get(t.name, {})
        assert len(wrong) >= 2, f"{t.test_id}: needs at least two wrong answers, has {len(wrong)}"
        for what, source in wrong.items():
            err = run_test_cell(nb, t.test_id, replace={t.name: source})
            assert err is not None, f"{t.test_id} accepts a wrong answer: {what}"
            assert not isinstance(err, SyntaxError), f"mutation '{what}' is not valid Python"
    record_property("contract", (set_name, {"hand": sum(len(m) for m in mutations.values())}))


@pytest.mark.parametrize("set_name", SETS)
def test_every_graded_function_rejects_generic_mutants(set_name, record_property):
    """Mutants generated from the reference (tests/mutations/generic.py): results off by
    1e-6 relative, cast to float32, inputs modified in place, results aliasing an input,
    distorted sampling, a numerical parameter ignored. Each class is either rejected by
    the task's test cell or excused, per task, with the reason."""
    from mutations import generic

    nb = nbformat.read(source_notebook(set_name), as_version=4)
    specs = load_generic(set_name)
    references = {nbg(c)["grade_id"]: c.source for c in nb.cells if is_answer_cell(c)}
    assert set(specs) == {t.name for t in tasks(nb)}, \
        f"{set_name}: GENERIC must declare every graded task, and only those"
    generated = excused = 0
    survivors = []
    for t in tasks(nb):
        spec = specs[t.name]
        for cls, reason in spec.excused.items():
            assert cls in generic.classes(spec), f"{t.name}: unknown mutant class {cls!r}"
            assert len(reason.split()) >= 3, f"{t.name}: say why {cls!r} does not apply"
        excused += len(spec.excused)
        for cls, source in generic.mutants(references[t.name], spec).items():
            ns: dict = {}
            err = run_test_cell(nb, t.test_id, replace={t.name: source}, namespace=ns)
            acted = ns.get("_ACTED", [True])[0]
            if err is None:
                survivors.append(f"{t.test_id} accepts the generated mutant '{cls}'" + (
                    "" if acted else " (it never changed anything on the test's inputs: add "
                    "a case where it applies, or excuse it in GENERIC with the reason)"))
            assert not isinstance(err, SyntaxError), f"generated mutant '{cls}': {err}"
            generated += 1
    assert not survivors, "\n".join(survivors)
    record_property("contract", (set_name, {"generic": generated, "excused": excused}))


@pytest.mark.parametrize("set_name", SETS)
def test_release_is_what_nbgrader_generates(set_name, generated_course):
    course = generated_course(set_name)
    generated = sorted((course / "exercises" / set_name).glob("*"))
    committed = sorted((EXERCISES / set_name).glob("*"))
    assert [p.name for p in generated] == [p.name for p in committed], \
        "exercises/ holds other files than nbgrader generates: run `make exercises`"
    for gen, com in zip(generated, committed, strict=True):
        if gen.suffix == ".ipynb":
            assert json.loads(gen.read_text()) == json.loads(com.read_text()), \
                f"{com} is stale: run `make exercises`"
        else:
            assert gen.read_bytes() == com.read_bytes(), f"{com} is stale: run `make exercises`"


def _looping(answer: str) -> str:
    """The reference answer with its first function replaced by one that never returns."""
    name = next(n.name for n in ast.walk(ast.parse(answer)) if isinstance(n, ast.FunctionDef))
    return f"{answer}\n\n\ndef {name}(*args, **kwargs):\n    while True:\n        pass\n"


def _tampered(set_name: str, release, reference):
    """A submission that tries every trick at once, and what each task must score.

    Roles go round the tasks: (0) a wrong answer whose visible test cell was edited to
    print 'ok'; (1) a correct answer whose test cell was deleted; (2) an answer that
    loops forever; (3) an answer that raises when its cell runs; further tasks correct.
    """
    ts = tasks(reference)
    ref_answers = {nbg(c)["grade_id"]: c.source for c in reference.cells if is_answer_cell(c)}
    mutations = load_mutations(set_name)
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    expect = {}
    roles = ["edited", "deleted", "loops", "raises"]
    drop = set()
    for i, t in enumerate(ts):
        role = roles[i] if i < len(roles) else "correct"
        for c in nb.cells:
            gid = nbg(c).get("grade_id")
            if gid == t.name:
                if role == "edited":
                    c.source = next(iter(mutations[t.name].values()))
                elif role == "loops":
                    c.source = _looping(ref_answers[t.name])
                elif role == "raises":
                    c.source = "raise RuntimeError('learner bug at definition time')"
                else:
                    c.source = ref_answers[t.name]
            if gid == t.test_id and role == "edited":
                c.source = "print('ok')"
            if gid == t.test_id and role == "deleted":
                drop.add(id(c))
        expect[t.test_id] = t.points if role in ("deleted", "correct") else 0
    nb.cells = [c for c in nb.cells if id(c) not in drop]
    return nb, expect


@pytest.mark.slow
@pytest.mark.parametrize("set_name", SETS)
def test_autograding(set_name, generated_course):
    course = generated_course(set_name)
    release_path = course / "exercises" / set_name / source_notebook(set_name).name
    release = nbformat.read(release_path, as_version=4)
    reference = nbformat.read(source_notebook(set_name), as_version=4)
    tampered, expect = _tampered(set_name, release, reference)

    submit(course, "reference", set_name, reference)
    submit(course, "blank", set_name, release)
    submit(course, "tampered", set_name, tampered)
    start = time.perf_counter()
    nbgrader(course, "autograde", set_name, "--force")
    elapsed = time.perf_counter() - start

    ts = tasks(reference)
    got = scores(course, set_name, "reference")
    for t in ts:
        assert got[t.test_id] == (t.points, t.points), f"reference loses marks on {t.test_id}"
    got = scores(course, set_name, "blank")
    for t in ts:
        assert got[t.test_id][0] == 0, f"blank release earns marks on {t.test_id}"
    got = scores(course, set_name, "tampered")
    for test_id, want in expect.items():
        assert got[test_id][0] == want, \
            f"tampered submission: {test_id} scored {got[test_id][0]}, expected {want}"
    # Three submissions, one of which waits out one timeout: grading must not hang.
    assert elapsed < 3 * 60, f"autograding took {elapsed:.0f} s"


def test_grading_config_survives_learners():
    """The shipped configuration interrupts loops and restores deleted test cells."""
    from traitlets.config import Config

    from grading import ROOT

    c = Config()
    path = ROOT / "nbgrader_config.py"
    exec(path.read_text(), {"get_config": lambda: c, "__file__": str(path)})
    assert c.Execute.interrupt_on_timeout is True
    assert 0 < c.Execute.timeout <= 120
    assert c.OverwriteCells.add_missing_cells is True
    assert c.CourseDirectory.source_directory == "solutions"
    assert c.CourseDirectory.release_directory == "exercises"
    assert c.CourseDirectory.root == str(ROOT)


def _delegation():
    import importlib.util

    from grading import MUTATIONS
    spec = importlib.util.spec_from_file_location("delegation", MUTATIONS / "delegation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DELEGATION


@pytest.mark.parametrize("set_name", SETS)
def test_answers_that_delegate_to_rnncourse_earn_nothing(set_name, monkeypatch, record_property):
    """Course rule: graded answers are the learner's own code. For every task where the
    package has the same function, an answer that calls it is correct in value (it passes
    the test cell with the watch off) and rejected by the watch (checks.own_work)."""
    import contextlib

    from rnncourse import checks

    nb = nbformat.read(source_notebook(set_name), as_version=4)
    delegating = _delegation()[set_name]
    assert delegating, f"{set_name}: no delegating answers to test"
    for task, source in delegating.items():
        test_id = f"{task}_tests"
        err = run_test_cell(nb, test_id, replace={task: source})
        assert err is not None and "rnncourse" in str(err), \
            f"{test_id} accepts an answer that delegates to rnncourse ({err!r})"
        with monkeypatch.context() as m:
            m.setattr(checks, "own_work", lambda *fns: contextlib.nullcontext())
            err = run_test_cell(nb, test_id, replace={task: source})
        assert err is None, f"the delegating answer for {test_id} is not otherwise correct: {err!r}"
    record_property("contract", (set_name, {"delegating": len(delegating)}))
    for c in nb.cells:
        if is_test_cell(c):
            assert c.source.count("checks.own_work(") >= 2, \
                f"{nbg(c)['grade_id']}: visible and hidden tests must both watch for delegation"
