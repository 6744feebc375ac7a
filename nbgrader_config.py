"""nbgrader configuration: `solutions/` is the source, `exercises/` the release.

Instructor workflow (see README): `make exercises` regenerates the release, learners'
notebooks go to `submitted/<student>/<set>/`, then `nbgrader autograde <set>`.
"""

import os

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

# The course root is the folder of this file, wherever nbgrader is started from.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.db"]

# Solution regions become this stub in the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading must survive what learners do: a looping answer is interrupted after
# `timeout` seconds (that cell's tests fail, later cells still run); an error in one
# cell costs only the cells that depend on it; deleted test cells are restored from the
# gradebook, and edited ones are overwritten by it.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.allow_errors = True
c.OverwriteCells.add_missing_cells = True

# Releases carry no outputs; grading starts from a clean kernel.
c.ClearOutput.enabled = True
