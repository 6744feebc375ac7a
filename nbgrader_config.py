"""nbgrader configuration: `solutions/` is the source, `exercises/` the release.

Instructor workflow (guide/instructors.md): `make exercises` regenerates the release,
learners' notebooks go to `submitted/<student>/<set>/`, then `nbgrader autograde <set>`,
`nbgrader generate_feedback <set>` and `nbgrader export`. The grading steps are nbgrader's
own with the course's preprocessors (rnncourse/grading/) in place of three of them.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
)

from rnncourse.grading.cells import RestoreCells
from rnncourse.grading.execute import GuardedExecute, SaveVerdicts
from rnncourse.grading.export import StatusExport
from rnncourse.grading.feedback import HideTests

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

# The course root is the folder of this file, wherever nbgrader is started from.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.db"]

# Solution regions become this stub in the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: locked cells are restored from the gradebook (RestoreCells reports only the
# ones a learner edited or deleted), then the notebook runs under GuardedExecute: an error
# costs the cells that depend on it; a cell still running after `timeout` s is
# interrupted; a kernel that dies or will not stop is replaced and grading goes on; the
# whole submission gets `submission_timeout` s and each kernel `memory_limit_mb` MiB; test
# cells pass only if nothing the tests rely on was changed. SaveVerdicts scores them.
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      RestoreCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, SaveVerdicts, AssignLatePenalties,
                                       CheckCellMetadata]
c.GuardedExecute.timeout = 60
c.GuardedExecute.submission_timeout = 180
c.GuardedExecute.memory_limit_mb = 4096
c.OverwriteCells.add_missing_cells = True

# Feedback shows what the tests printed (ok/FAIL lines, hints), never the hidden tests:
# set c.HideTests.show_tests = True for nbgrader's page with the full test cells.
c.GenerateFeedback.preprocessors = [GetGrades, HideTests, CSSHTMLHeaderPreprocessor]
c.HideTests.show_tests = False

# grades.csv gets a status column (graded / not submitted / failed to grade), and
# grading_report.csv beside it lists what grading found per learner.
c.ExportApp.plugin_class = StatusExport

# Releases carry no outputs; grading starts from a clean kernel.
c.ClearOutput.enabled = True
