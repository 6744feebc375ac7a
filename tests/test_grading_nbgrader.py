"""The nbgrader side of rnncourse.grading, piece by piece (tests/test_grading_class.py grades
a whole class with them): what the feedback shows, what the release shows, which modules
the grader preloads, how a kernel's death is put into words."""

import nbformat
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
