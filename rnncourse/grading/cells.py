"""nbgrader's OverwriteCells with honest signals: `RestoreCells`.

nbgrader restores every locked cell of a submission from the gradebook, which is what
puts the hidden tests back. It also logs "Attribute 'checksum' ... has changed!" for every
test cell of every submission, because it compares the handed-in cell (hidden tests
removed) with the instructor's (hidden tests in): the warning that should tell an
instructor about an edited test cell fires for untouched ones too (nbgrader issue #1961).

`RestoreCells` compares a locked cell with what the learner was given (the instructor's
cell with its hidden tests removed), warns only when they differ, and records the edit;
it records and restores deleted test cells as nbgrader does, and restores deleted locked
cells that are not graded (the set-up cell) too. What it records goes into the
notebook's metadata, where the grading report and the feedback read it.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells

from rnncourse.grading.execute import REPORT_KEY


def released_source(source: str) -> str:
    """A cell's source as the release has it: hidden-test regions removed."""
    cell = NotebookNode(cell_type="code", source=source, metadata={})
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


class RestoreCells(OverwriteCells):
    """OverwriteCells that warns about, and records, only what the learner changed."""

    def preprocess(self, nb, resources):
        self._events: list[dict] = []
        nb, resources = super().preprocess(nb, resources)
        report = nb.metadata.setdefault(REPORT_KEY, {})
        report["events"] = report.get("events", []) + self._events
        return nb, resources

    def report_change(self, name, attr, old, new) -> None:
        if attr != "checksum":       # checksums are compared in preprocess_cell, below
            super().report_change(name, attr, old, new)

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and utils.is_locked(cell):
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                         self.assignment_id)
            except Exception:  # noqa: BLE001 - unknown cells are nbgrader's business
                source = None
            if source is not None and source.locked and _normal(cell.source) not in (
                    _normal(released_source(source.source)), _normal(source.source)):
                self.log.warning("Locked cell %s was edited by the learner; it is restored "
                                 "from the instructor's copy.", grade_id)
                self._events.append({"cell": grade_id, "what": "edited",
                                     "detail": "this locked cell was edited; the instructor's "
                                               "copy was used"})
        return super().preprocess_cell(cell, resources, cell_index)

    def add_missing_grade_cells(self, nb, resources):
        present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
        nb, resources = super().add_missing_grade_cells(nb, resources)
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        for cell in source_nb.grade_cells:
            if cell.name not in present:
                self._events.append({"cell": cell.name, "what": "deleted",
                                     "detail": "this test cell was deleted; the instructor's "
                                               "copy was put back"})
        self._restore_locked(nb, source_nb, present)
        return nb, resources

    def _restore_locked(self, nb, source_nb, present) -> None:
        """Put back deleted locked cells that are not graded (nbgrader leaves them out)."""
        graded = {c.name for c in source_nb.grade_cells}
        order = [c.name for c in source_nb.source_cells]
        for source in source_nb.source_cells:
            if source.name in present or source.name in graded or not source.locked:
                continue
            cell = NotebookNode({
                "cell_type": source.cell_type, "source": source.source,
                "metadata": {"deletable": False, "editable": False, "nbgrader": {
                    "grade": False, "solution": False, "locked": True,
                    "grade_id": source.name, "checksum": source.checksum,
                    "schema_version": 3}}})
            if source.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
            earlier = order[:order.index(source.name)]
            after = max((ids.index(n) for n in earlier if n in ids), default=-1)
            nb.cells.insert(after + 1, cell)
            self._events.append({"cell": source.name, "what": "deleted",
                                 "detail": "this locked cell was deleted; the instructor's "
                                           "copy was put back"})
