"""The grading contract (COURSE.md), for every exercise set found in solutions/.

In process (each test cell run with the answer cell replaced, fast):
- the structure a grader relies on: answer and test cells pair up, setup cells define no
  function, every test cell binds its own checker and keeps its data in function scope;
- the reference passes every test cell;
- every graded cell rejects the set's hand-written wrong answers (tests/mutations/NN-name.py),
  the wrong answers generated from the reference (tests/mutations/generic.py: tolerances,
  float32, inputs changed or aliased, sampling distorted, parameters ignored, results cached
  by shape, one buffer reused, an argument read from a stale global), and the answers made
  from the release itself (tests/mutations/release.py: calling or pasting a locked cell's
  function, pasting the hints' code, memorising the visible answers);
- answers that delegate (to rnncourse or to a library the set excludes) are correct in value
  with the watch off and earn nothing with it on (DELEGATING in tests/mutations/NN-name.py);
- every graded function is called twice with the same shapes and new values.
Under nbgrader (slow): the reference earns full marks, the blank release zero, and the
release is exactly what nbgrader generates. tests/course/test_grading_class.py grades a class of
submissions that crash and tamper.
"""

from __future__ import annotations

import ast
import json
import shutil

import nbformat
import numpy as np
import pytest

from harness import (
    EXERCISES,
    ROOT,
    exercise_sets,
    generate_in_process,
    is_answer_cell,
    is_test_cell,
    load_delegating,
    load_generic,
    load_mutations,
    nbg,
    nbgrader,
    run_test_cell,
    scores,
    source_notebook,
    submit,
    tasks,
)
from rnncourse.grading.execute import REPORT_KEY

SETS = exercise_sets()
CLASS_SETS = ["07-attention"]   # graded as a class in tests/course/test_grading_class.py


def _release(set_name: str):
    (path,) = sorted((EXERCISES / set_name).glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


def _answers(nb) -> dict[str, str]:
    return {nbg(c)["grade_id"]: c.source for c in nb.cells if is_answer_cell(c)}


def _locked_code(nb) -> list[str]:
    return [c.source for c in nb.cells
            if c.cell_type == "code" and nbg(c).get("locked") and not nbg(c).get("solution")]


def _graded_fn(set_name: str, task: str) -> str:
    return load_generic(set_name)[task].fn


@pytest.fixture(autouse=True)
def _in_solution_folder(monkeypatch, request):
    """Test cells read files next to their notebook, as in Jupyter and under nbgrader."""
    set_name = request.node.callspec.params.get("set_name") if hasattr(request.node,
                                                                        "callspec") else None
    if set_name:
        monkeypatch.chdir(source_notebook(set_name).parent)


def test_there_are_exercise_sets():
    assert SETS, "no exercise sets found under solutions/"


@pytest.mark.parametrize("set_name", SETS)
def test_set_structure(set_name):
    """Answer and test cells pair up; the set-up cell defines no function (nothing a graded
    answer could call); every test cell imports its own checker, keeps its data in
    function scope (no test input in a global) and runs visible and hidden checks."""
    nb = nbformat.read(source_notebook(set_name), as_version=4)
    found = tasks(nb)
    assert len(found) >= 4, f"{set_name}: expected at least four graded tasks"
    test_ids = {nbg(c)["grade_id"] for c in nb.cells if is_test_cell(c)}
    assert test_ids == {t.test_id for t in found}, "test cells and answer cells do not pair up"
    for t in found:
        assert t.points > 0, f"{t.test_id} carries no points"
    for c in nb.cells:
        gid = nbg(c).get("grade_id")
        if c.cell_type != "code":
            continue
        tree = ast.parse(c.source)
        if nbg(c).get("locked") and not nbg(c).get("grade"):
            defined = [n.name for n in ast.walk(tree)
                       if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)
                       and not isinstance(n, ast.Lambda)]
            assert not defined, f"{gid}: a set-up cell must not define functions ({defined})"
        if is_test_cell(c):
            assert "### BEGIN HIDDEN TESTS" in c.source, f"{gid} has no hidden tests"
            assert "from rnncourse.grading import checks" in c.source, \
                f"{gid}: a test cell imports its own checker"
            assert c.source.count("@checks.tests(") >= 2, \
                f"{gid}: visible and hidden checks each run under @checks.tests"
            for node in tree.body:
                ok = isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef)
                assert ok, (f"{gid}, line {node.lineno}: a test cell holds only imports and "
                            "functions, so that no test input lives in a global")
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
            err = run_test_cell(nb, t.test_id, replace={t.name: source}, watch=False)
            assert err is not None, f"{t.test_id} accepts a wrong answer: {what}"
            assert not isinstance(err, SyntaxError), f"mutation '{what}' is not valid Python"
    record_property("contract", (set_name, {"hand": sum(len(m) for m in mutations.values())}))


@pytest.mark.parametrize("set_name", SETS)
def test_every_graded_function_rejects_generic_mutants(set_name, record_property):
    """Mutants generated from the reference (tests/mutations/generic.py). Each class is
    either rejected by the task's test cell or excused, per task, with the reason."""
    from mutations import generic

    nb = nbformat.read(source_notebook(set_name), as_version=4)
    specs = load_generic(set_name)
    references = _answers(nb)
    assert set(specs) == {t.name for t in tasks(nb)}, \
        f"{set_name}: GENERIC must declare every graded task, and only those"
    counts = {"generic": 0, "state": 0, "excused": 0}
    survivors = []
    for t in tasks(nb):
        spec = specs[t.name]
        for cls, reason in spec.excused.items():
            assert cls in generic.classes(spec, references[t.name]), \
                f"{t.name}: unknown mutant class {cls!r}"
            assert len(reason.split()) >= 3, f"{t.name}: say why {cls!r} does not apply"
        counts["excused"] += len(spec.excused)
        for cls, source in generic.mutants(references[t.name], spec).items():
            ns: dict = {}
            err = run_test_cell(nb, t.test_id, replace={t.name: source}, namespace=ns,
                                watch=False)
            acted = ns.get("_ACTED", [True])[0]
            if err is None:
                survivors.append(f"{t.test_id} accepts the generated mutant '{cls}'" + (
                    "" if acted else " (it never changed anything on the test's inputs: add "
                    "a case where it applies, or excuse it in GENERIC with the reason)"))
            assert not isinstance(err, SyntaxError), f"generated mutant '{cls}': {err}"
            state = cls in ("cached by shape", "reused buffer") or cls.startswith("reads global")
            counts["state" if state else "generic"] += 1
    assert not survivors, "\n".join(survivors)
    record_property("contract", (set_name, counts))


@pytest.mark.parametrize("set_name", SETS)
def test_answers_made_from_the_release_earn_nothing(set_name, record_property):
    """Calling or pasting any function the release's locked cells define, pasting the code
    the hints quote, or memorising what the visible test showed earns no marks; and no line
    of a solution appears in the release (even inside a hint)."""
    from mutations import release

    nb = nbformat.read(source_notebook(set_name), as_version=4)
    shown = _release(set_name)
    references = _answers(nb)
    locked = _locked_code(shown)
    tests_shown = {nbg(c)["grade_id"]: c.source for c in shown.cells if is_test_cell(c)}
    counts = {"delegating to locked cells": 0, "pasted release code": 0}
    accepted = []
    for t in tasks(nb):
        fn = _graded_fn(set_name, t.name)
        answers = release.from_locked_cells(locked, fn)
        answers.update(release.looking_into_frames(references[t.name], fn))
        hints = release.from_hints(tests_shown[t.test_id], references[t.name], fn)
        if hints is not None:
            answers["pasted hints"] = hints
        ns: dict = {}
        err = run_test_cell(shown, t.test_id, replace={**references, t.name: release.record(
            references[t.name], fn)}, namespace=ns)
        assert err is None, f"the reference fails the release's visible test {t.test_id}: {err}"
        calls = ns["_CALLS"]
        assert calls, f"{t.test_id}: the visible test never calls {fn}"
        answers["memorised visible answers"] = release.memorised(fn, calls)
        for what, source in answers.items():
            # Rejected without the watch means rejected with it (it only adds failures);
            # what passes without it must be rejected by it.
            looks = what.startswith("looks")      # correct in value: only the watch sees it
            err = None if looks else run_test_cell(nb, t.test_id, replace={t.name: source},
                                                   watch=False)
            if err is None:
                err = run_test_cell(nb, t.test_id, replace={t.name: source})
            if err is None:
                accepted.append(f"{t.test_id} gives marks to an answer made from the "
                                f"release: {what}")
            elif what.startswith("looks") and "own work" not in str(err):
                accepted.append(f"{t.test_id}: '{what}' is rejected, but not by the watch")
            kind = "delegating to locked cells" if what.startswith(("delegates", "looks")) \
                else "pasted release code"
            counts[kind] += 1
    assert not accepted, "\n".join(accepted)
    record_property("contract", (set_name, counts))


@pytest.mark.parametrize("set_name", SETS)
def test_no_hint_quotes_a_solution_line(set_name):
    """Hints reach the learner in the notebook and, for hidden checks, in the feedback:
    none may quote a line of the solution."""
    from mutations import release

    from harness import normalise, secret_lines

    nb = nbformat.read(source_notebook(set_name), as_version=4)
    solution = secret_lines(source_notebook(set_name), kinds=("solution",))
    for c in nb.cells:
        if is_test_cell(c):
            for text in release.hint_texts(c.source):
                quoted = [s for s in solution if s in normalise(text)]
                assert not quoted, f"{nbg(c)['grade_id']}: a hint quotes {quoted}"


@pytest.mark.parametrize("set_name", SETS)
def test_answers_that_delegate_earn_nothing(set_name, monkeypatch, record_property):
    """Course rule: graded answers are the learner's own code. Every task has at least two
    answers that are correct in value but computed by rnncourse or by a library the set
    excludes: with the watch off each passes the test cell, with it on each fails, and
    says why."""
    from rnncourse.grading import watch

    nb = nbformat.read(source_notebook(set_name), as_version=4)
    delegating = load_delegating(set_name)
    for t in tasks(nb):
        assert len(delegating.get(t.name, {})) >= 2, \
            f"{t.name}: needs at least two delegating answers"
    for task, answers in delegating.items():
        for what, source in answers.items():
            err = run_test_cell(nb, f"{task}_tests", replace={task: source})
            assert err is not None and "own work" in str(err), \
                f"{task}_tests accepts an answer that delegates ({what}): {err!r}"
            with monkeypatch.context() as m:
                m.setattr(watch.Watch, "message", lambda self: None)
                m.setattr(watch.Watch, "_validate", lambda self: None)
                err = run_test_cell(nb, f"{task}_tests", replace={task: source})
            assert err is None, f"the delegating answer '{what}' for {task} is not otherwise " \
                                f"correct: {err!r}"
    record_property("contract", (set_name, {"delegating": sum(map(len, delegating.values()))}))


@pytest.mark.parametrize("set_name", SETS)
def test_graded_functions_are_called_twice_with_the_same_shapes_and_new_values(set_name):
    """State-proof tests: in every test cell some two calls of the graded function have
    the same shapes and a new value in every array argument."""
    from mutations import release

    nb = nbformat.read(source_notebook(set_name), as_version=4)
    references = _answers(nb)
    for t in tasks(nb):
        fn = _graded_fn(set_name, t.name)
        ns: dict = {}
        err = run_test_cell(nb, t.test_id, replace={t.name: release.record(
            references[t.name], fn)}, namespace=ns, watch=False)
        assert err is None, err
        calls = ns["_CALLS"]
        fresh = any(
            a[1] == b[1] and len(a[2]) == len(b[2]) and a[2]
            and all(not np.array_equal(x, y) for x, y in zip(a[2], b[2], strict=True))
            for i, a in enumerate(calls) for b in calls[i + 1:])
        assert fresh, f"{t.test_id}: no two calls of {fn} with the same shapes and new values"


# ---------------------------------------------------------------- under nbgrader


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """Every set released now, by nbgrader's API in this process."""
    return generate_in_process(tmp_path_factory.mktemp("releases"), SETS)


@pytest.mark.parametrize("set_name", SETS)
def test_release_is_what_nbgrader_generates(set_name, released):
    generated = sorted((released / "exercises" / set_name).glob("*"))
    committed = sorted((EXERCISES / set_name).glob("*"))
    assert [p.name for p in generated] == [p.name for p in committed], \
        "exercises/ holds other files than nbgrader generates: run `make exercises`"
    for gen, com in zip(generated, committed, strict=True):
        if gen.suffix == ".ipynb":
            assert json.loads(gen.read_text()) == json.loads(com.read_text()), \
                f"{com} is stale: run `make exercises`"
        else:
            assert gen.read_bytes() == com.read_bytes(), f"{com} is stale: run `make exercises`"


def with_answers(release, answers: dict[str, str]):
    """The release with answer cells replaced: what a learner hands in."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for c in nb.cells:
        if nbg(c).get("grade_id") in answers:
            c.source = answers[nbg(c)["grade_id"]]
    return nb


AUTOGRADED = [s for s in SETS if s not in CLASS_SETS]


@pytest.fixture(scope="module")
def autograded(released):
    """Every set's reference and blank release handed in to one course (the one released
    above: handing in adds submitted/ and autograded/, exercises/ stays as generated) and
    graded by one `nbgrader autograde '*'`, as an instructor grades a term's sets: one
    command start and one gradebook for them all, instead of a course and two command
    starts per set (about 15 s of overhead each)."""
    course = released
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")   # as shipped
    for set_name in AUTOGRADED:
        release = nbformat.read(course / "exercises" / set_name
                                / source_notebook(set_name).name, as_version=4)
        reference = nbformat.read(source_notebook(set_name), as_version=4)
        submit(course, "reference", set_name, with_answers(release, _answers(reference)))
        submit(course, "blank", set_name, release)
    proc = nbgrader(course, "autograde", "*", "--force", timeout=1800)
    return course, proc.stdout + proc.stderr


def _grading_seconds(course, student: str, set_name: str) -> float:
    """How long the course's executor took over one submission (from its report)."""
    path = course / "autograded" / student / set_name / source_notebook(set_name).name
    return json.loads(path.read_text())["metadata"][REPORT_KEY]["seconds"]


@pytest.mark.slow
@pytest.mark.parametrize("set_name", AUTOGRADED)
def test_autograding(set_name, autograded):
    """The reference (handed in as a learner would: the release with the answers filled
    in) earns full marks, the blank release zero, under nbgrader autograde. (The sets of
    tests/course/test_grading_class.py are graded there, with a whole class.)"""
    course, log = autograded
    assert "has changed" not in log and "was edited" not in log, \
        f"a warning about an edited cell for untouched submissions:\n{log}"
    assert "not recognized" not in log, f"configuration nbgrader does not read:\n{log}"
    reference = nbformat.read(source_notebook(set_name), as_version=4)
    full, blank = scores(course, set_name, "reference"), scores(course, set_name, "blank")
    for t in tasks(reference):
        assert full[t.test_id] == (t.points, t.points), f"reference loses marks on {t.test_id}"
        assert blank[t.test_id][0] == 0, f"blank release earns marks on {t.test_id}"
    seconds = _grading_seconds(course, "reference", set_name)
    assert seconds < 60, f"autograding the reference took {seconds:.0f} s"


def test_grading_config_survives_learners():
    """The shipped configuration puts the course's preprocessors into nbgrader's steps."""
    from traitlets.config import Config

    from harness import ROOT
    from rnncourse.grading import cells, execute, export, feedback

    c = Config()
    path = ROOT / "nbgrader_config.py"
    exec(path.read_text(), {"get_config": lambda: c, "__file__": str(path)})
    assert execute.GuardedExecute in c.Autograde.autograde_preprocessors
    assert execute.SaveVerdicts in c.Autograde.autograde_preprocessors
    assert cells.RestoreCells in c.Autograde.sanitize_preprocessors
    assert feedback.HideTests in c.GenerateFeedback.preprocessors
    assert c.ExportApp.plugin_class is export.StatusExport
    assert 0 < c.GuardedExecute.timeout <= 120
    assert 0 < c.GuardedExecute.submission_timeout <= 600
    assert c.GuardedExecute.memory_limit_mb > 0
    assert c.OverwriteCells.add_missing_cells is True
    assert c.HideTests.show_tests is False
    assert "allow_errors" not in c.Execute, "nbgrader does not read Execute.allow_errors"
    assert c.CourseDirectory.source_directory == "solutions"
    assert c.CourseDirectory.release_directory == "exercises"
    assert c.CourseDirectory.root == str(ROOT)
