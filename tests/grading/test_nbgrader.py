"""The nbgrader side of rnncourse.grading, piece by piece (tests/course/test_grading_class.py grades
a whole class with them): what the feedback shows, what the release shows, which modules
the grader preloads, how a kernel's death is put into words."""

import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from rnncourse.grading import cells, execute, feedback

TEST = """import numpy as np
print('visible')
### BEGIN HIDDEN TESTS
secret_case = 7303
### END HIDDEN TESTS
"""


def graded(source: str, outputs=()):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": "t_tests", "points": 2, "schema_version": 3}
    cell.outputs = list(outputs)
    return cell


def test_released_source_is_what_the_learner_was_given():
    assert cells.released_source(TEST) == "import numpy as np\nprint('visible')\n"


def test_feedback_shows_the_visible_part_and_the_output_not_the_hidden_tests():
    error = new_output("error", ename="AssertionError", evalue="t: 1 check(s) failed.\n - hint",
                       traceback=["  File cell, line 4", "secret_case = 7303", "AssertionError"])
    stdout = new_output("stream", name="stdout", text="FAIL v: largest difference 1\n")
    nb = new_notebook(cells=[new_markdown_cell("# Set"), graded(TEST, [stdout, error])])
    nb.metadata[execute.REPORT_KEY] = {"events": [
        {"cell": "t_tests", "what": "crash", "detail": "the kernel died: a segmentation fault"}]}
    out, _ = feedback.HideTests().preprocess(nb, {})
    text = nbformat.writes(out)
    assert "7303" not in text and "BEGIN HIDDEN" not in text
    assert feedback.HIDDEN_NOTE in out.cells[2].source
    assert out.cells[2].outputs[1].traceback == ["AssertionError: t: 1 check(s) failed.\n - hint"]
    assert out.cells[2].outputs[0].text.startswith("FAIL v")
    assert out.cells[0].source.startswith("**What grading found")
    assert "segmentation fault" in out.cells[0].source


def test_feedback_as_nbgrader_shows_it_when_asked():
    nb = new_notebook(cells=[graded(TEST)])
    out, _ = feedback.HideTests(show_tests=True).preprocess(nb, {})
    assert "7303" in out.cells[0].source
    assert feedback.summary({"events": []}) is None


def test_the_grader_preloads_what_the_locked_cells_import():
    sources = ["import numpy as np\nimport torch.nn.functional as F",
               "from rnncourse.grading import checks, locate\n%matplotlib inline",
               "def broken(:"]
    assert execute.imported_modules(sources) == [
        "numpy", "torch.nn.functional", "rnncourse.grading", "rnncourse.grading.checks",
        "rnncourse.grading.locate"]


def test_a_kernels_death_in_words():
    assert "segmentation fault" in execute._exit_reason(-11)
    assert "SIGKILL" in execute._exit_reason(-9)
    assert "status 3" in execute._exit_reason(3)
    assert execute._exit_reason(None) == "the kernel died"


def test_learners_jupyterlab_hides_the_instructor_tools():
    """`make venv` switches nbgrader's Formgrader, Create Assignment and Course List off in
    the course's environment (`make instructor-tools` switches them back on)."""
    import json
    import sys
    from pathlib import Path

    config = Path(sys.prefix) / "etc" / "jupyter" / "labconfig" / "page_config.json"
    disabled = json.loads(config.read_text()).get("disabledExtensions", {})
    for plugin in ("nbgrader:formgrader", "nbgrader:create-assignment", "nbgrader:course-list"):
        assert disabled.get(plugin) is True, f"{plugin} is on in the learners' JupyterLab"


def _tiny_set(folder, sleeps):
    """A set of tasks whose tests need nothing but the answer: answer k sleeps sleeps[k]."""
    from nbformat.v4 import new_code_cell, new_notebook

    def cell(source, **nbgrader):
        c = new_code_cell(source)
        c.metadata["nbgrader"] = {"schema_version": 3, "solution": False, "grade": False,
                                  "locked": True, **nbgrader}
        return c

    cells = [cell("import time\nfrom rnncourse.grading import checks", grade_id="setup")]
    for k, seconds in enumerate(sleeps):
        cells.append(cell(f"def f{k}():\n    ### BEGIN SOLUTION\n    time.sleep({seconds})\n"
                          f"    return {k}\n    ### END SOLUTION", grade_id=f"f{k}",
                          solution=True, locked=False))
        cells.append(cell(f"from rnncourse.grading import checks\n\n\n@checks.tests('f{k}', f{k})"
                          f"\ndef _(r):\n    r.equal('value', r.call('c', f{k}), {k})\n",
                          grade_id=f"f{k}_tests", grade=True, points=1))
    folder.mkdir(parents=True)
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}),
        folder / "tiny.ipynb")


@pytest.mark.slow
def test_the_submission_time_limit_and_the_statuses_of_grades_csv(tmp_path):
    """Cells left when a submission's time runs out score zero with a line saying why;
    grades.csv tells a graded submission, a missing one and one that failed to grade
    apart."""
    import csv
    import json

    from harness import ROOT, nbgrader, scores

    course = tmp_path / "course"
    _tiny_set(course / "solutions" / "tiny", [0.1, 0.1, 600, 0.1])
    config = (ROOT / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + "\nc.GuardedExecute.submission_timeout"
                                               " = 15\nc.GuardedExecute.fence = False\n")
    nbgrader(course, "generate_assignment", "tiny", "--force")
    release = nbformat.read(course / "exercises" / "tiny" / "tiny.ipynb", as_version=4)
    source = nbformat.read(course / "solutions" / "tiny" / "tiny.ipynb", as_version=4)
    for c, s in zip(release.cells, source.cells, strict=True):
        if c.metadata["nbgrader"].get("solution"):
            c.source = s.source
    (course / "submitted" / "slow" / "tiny").mkdir(parents=True)
    nbformat.write(release, course / "submitted" / "slow" / "tiny" / "tiny.ipynb")
    (course / "submitted" / "broken" / "tiny").mkdir(parents=True)
    (course / "submitted" / "broken" / "tiny" / "tiny.ipynb").write_text("{not a notebook")
    nbgrader(course, "db", "student", "add", "absent")
    proc = __import__("subprocess").run(
        [sys.executable, "-m", "nbgrader", "autograde", "tiny", "--log-level=WARN"],
        cwd=course, capture_output=True, text=True)
    assert proc.returncode != 0, "autograde says nothing about the submission it could not read"
    nbgrader(course, "export")

    got = {k: v[0] for k, v in scores(course, "tiny", "slow", "tiny").items()
           if k.endswith("_tests")}
    assert got == {"f0_tests": 1.0, "f1_tests": 1.0, "f2_tests": 0.0, "f3_tests": 0.0}, got
    graded = json.loads((course / "autograded" / "slow" / "tiny" / "tiny.ipynb").read_text())
    assert "interrupted after the time limit" in json.dumps(graded["cells"][-3]["outputs"])
    assert "time limit of 15 s" in json.dumps(graded["cells"][-1]["outputs"])
    status = {r["student_id"]: r["status"] for r in csv.DictReader((course / "grades.csv").open())}
    assert status == {"slow": "graded", "broken": "failed to grade", "absent": "not submitted"}
    report = list(csv.DictReader((course / "grading_report.csv").open()))
    assert {(r["student_id"], r["finding"]) for r in report} >= {
        ("slow", "timeout"), ("slow", "skipped"), ("broken", "failed to grade")}
