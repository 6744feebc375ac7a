"""Feedback that teaches without handing out the tests: `HideTests`.

nbgrader's `generate_feedback` renders the autograded notebook, test cells and hidden tests
included, so an instructor who reuses a set cannot return feedback before it closes
(nbgrader issues #917, #1156, #1363). `HideTests` runs before the HTML is written:

- a test cell shows what the learner was given (its visible part) and a comment where the
  hidden tests ran, then what the tests printed: the `ok`/`FAIL` lines and hints;
- an error shows its type and message (which carries the hints), not its traceback, whose
  context lines would quote the hidden tests;
- a note at the top says what grading found: a crash, a time-out, an edited or deleted
  test cell, changes to the grading environment, tasks not run.

`HideTests.show_tests = True` (in nbgrader_config.py) brings nbgrader's page back as it
was, hidden tests and tracebacks included.
"""

from __future__ import annotations

from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, List

from rnncourse.grading.cells import released_source
from rnncourse.grading.execute import REPORT_KEY, is_test_cell

HIDDEN_NOTE = "# (hidden tests ran here; they are not shown)"

_WHAT = {
    "crash": "the kernel died", "stuck": "the code did not stop when interrupted",
    "timeout": "interrupted at the time limit", "tamper": "the grading environment was changed",
    "edited": "a locked cell was edited", "deleted": "a locked cell was deleted",
    "skipped": "not run", "failed to grade": "grading failed",
}


def summary(report: dict) -> str | None:
    """The note on top of the feedback, from the grading report; None if all went well."""
    events = report.get("events", [])
    if not events:
        return None
    lines = ["**What grading found in this notebook**", ""]
    for event in events:
        what = _WHAT.get(event["what"], event["what"])
        lines.append(f"- `{event.get('cell')}`: {what}: {event['detail']}")
    return "\n".join(lines)


class HideTests(NbGraderPreprocessor):
    """Feedback with the test cells' visible part and output only (see module docstring)."""

    show_tests = Bool(False, help="Show the full test cells and tracebacks, hidden tests "
                      "included, as nbgrader does.").tag(config=True)
    # nbgrader hands its feedback preprocessors this option (GetGrades uses it).
    display_data_priority = List(["text/html", "application/pdf", "text/latex",
                                  "image/svg+xml", "image/png", "image/jpeg", "text/plain"]
                                 ).tag(config=True)

    def preprocess(self, nb, resources):
        if self.show_tests:
            return nb, resources
        for cell in nb.cells:
            if not is_test_cell(cell):
                continue
            visible = released_source(cell.source).rstrip()
            cell.source = visible + ("\n" + HIDDEN_NOTE if visible != cell.source.rstrip()
                                     else "")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
        note = summary(nb.metadata.get(REPORT_KEY, {}))
        if note is not None:
            nb.cells.insert(0, new_markdown_cell(note))
        return nb, resources
