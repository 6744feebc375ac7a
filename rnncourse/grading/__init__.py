"""grading/: the exercise sets' checks and the nbgrader extension that grades them.

In the learner's kernel (test cells import these):
    checks    `task(...)`: ok/FAIL lines with hints, one AssertionError per failed task,
              errors inside answers located, blame passed to a failing earlier task
    watch     the own-work watch: calls and references to rnncourse, locked cells,
              excluded libraries and the interpreter's machinery are violations
    locate    where a hand-written backward pass goes wrong: the step, the parameter and
              the likely mistake (sets 03, 05, 10)
In the grader (nbgrader_config.py plugs these into nbgrader):
    probe     the baseline of the kernel and the tamper checks around test cells
    execute   GuardedExecute (crash recovery, time and memory limits, verdicts) and
              SaveVerdicts
    cells     RestoreCells: locked cells restored, only real edits reported
    feedback  HideTests: feedback without hidden tests or tracebacks, with a note of what
              grading found
    export    StatusExport: grades.csv with a status column, and grading_report.csv

The instructor's guide (guide/instructors.md) says how to use them.
"""
