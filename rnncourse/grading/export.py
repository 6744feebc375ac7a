"""`nbgrader export` that tells a real zero from a failed grading: `StatusExport`.

nbgrader's CSV export gives a learner who handed nothing in, a submission whose grading
failed and a submission that earned nothing the same 0.0. `StatusExport` writes the same
`grades.csv` with one more column, `status`:

- `graded`: the submission was autograded (its notebook carries the grading report);
- `not submitted`: the gradebook has no submission;
- `failed to grade`: a submission exists, but no autograded notebook with a report.

Beside it, `grading_report.csv` lists per learner and set what grading found (one row per
finding: crashes, time-outs, tampering, edited or deleted test cells, tasks not run) and,
for graded submissions without findings, one row saying so, with the time grading took.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.plugins import CsvExportPlugin

from rnncourse.grading.execute import REPORT_KEY

KEYS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
        "raw_score", "late_submission_penalty", "score", "max_score", "status"]
REPORT = "grading_report.csv"


class StatusExport(CsvExportPlugin):
    """grades.csv with a status column, and grading_report.csv beside it."""

    def _report(self, assignment, student_id: str) -> dict | None:
        coursedir = self.parent.coursedir
        folder = Path(coursedir.format_path(coursedir.autograded_directory, student_id,
                                            assignment.name))
        reports = []
        for notebook in assignment.notebooks:
            path = folder / f"{notebook.name}.ipynb"
            if not path.exists():
                return None
            report = json.loads(path.read_text()).get("metadata", {}).get(REPORT_KEY)
            if not report or report.get("status") != "graded":
                return None
            reports.append((notebook.name, report))
        return {"notebooks": reports}

    def export(self, gradebook) -> None:
        dest = Path(self.to or "grades.csv")
        wanted_sets = {str(a) for a in self.assignment}
        wanted_students = {str(s) for s in self.student}
        rows, findings = [], []
        for assignment in gradebook.assignments:
            if wanted_sets and assignment.name not in wanted_sets:
                continue
            for student in gradebook.students:
                if wanted_students and student.id not in wanted_students:
                    continue
                row = {"assignment": assignment.name, "duedate": assignment.duedate,
                       "student_id": student.id, "last_name": student.last_name,
                       "first_name": student.first_name, "email": student.email,
                       "max_score": assignment.max_score}
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0,
                               score=0.0, status="not submitted")
                else:
                    penalty = submission.late_submission_penalty or 0.0
                    report = self._report(assignment, student.id)
                    row.update(timestamp=submission.timestamp, raw_score=submission.score,
                               late_submission_penalty=penalty,
                               score=max(0.0, submission.score - penalty),
                               status="graded" if report else "failed to grade")
                    findings += self._findings(assignment.name, student.id, report)
                rows.append({k: "" if row.get(k) is None else str(row.get(k)) for k in KEYS})
        with dest.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=KEYS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        with (dest.parent / REPORT).open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=["assignment", "student_id", "notebook",
                                                    "cell", "finding", "detail", "seconds"],
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(findings)
        self.log.info("Wrote %s and %s", dest, dest.parent / REPORT)

    @staticmethod
    def _findings(assignment: str, student: str, report: dict | None) -> list[dict]:
        base = {"assignment": assignment, "student_id": student}
        if report is None:
            return [{**base, "notebook": "", "cell": "", "finding": "failed to grade",
                     "detail": "autograde did not produce a graded notebook: run "
                               "`nbgrader autograde` again and read its log", "seconds": ""}]
        out = []
        for name, r in report["notebooks"]:
            events = r.get("events", [])
            for event in events or [{"cell": "", "what": "none", "detail": "nothing to report"}]:
                out.append({**base, "notebook": name, "cell": event.get("cell") or "",
                            "finding": event["what"], "detail": event["detail"],
                            "seconds": r.get("seconds", "")})
        return out
