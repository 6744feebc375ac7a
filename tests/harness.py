"""Harness for the grading contract: discovering exercise sets, running nbgrader in a
scratch course directory, running single test cells in process, and finding solution
lines that must never leak.

Conventions the exercise notebooks follow (checked by the tests):
- answer cells are nbgrader solution cells with grade_id `<task>`;
- the graded test cell of a task has grade_id `<task>_tests`;
- mutation fixtures live in `tests/mutations/<set>.py` as
  `MUTATIONS = {"<task>": {"what is wrong": "<replacement source of the answer cell>"}}`,
  beside `GENERIC` (what the generated wrong answers need) and `DELEGATING` (correct
  answers computed by rnncourse or an excluded library, which must earn nothing).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import linecache
import re
import shutil
import signal
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
MUTATIONS = Path(__file__).resolve().parent / "mutations"
NBGRADER = [sys.executable, "-m", "nbgrader"]


def exercise_sets() -> list[str]:
    """Names of the exercise sets: folders of solutions/ that hold a notebook."""
    return sorted(p.name for p in SOLUTIONS.iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")))


def source_notebook(set_name: str) -> Path:
    (nb,) = sorted((SOLUTIONS / set_name).glob("*.ipynb"))
    return nb


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and nbg(cell).get("grade") and not nbg(cell).get("solution")


def is_answer_cell(cell) -> bool:
    return cell.cell_type == "code" and bool(nbg(cell).get("solution"))


@dataclass
class Task:
    name: str        # grade_id of the answer cell
    test_id: str     # grade_id of its graded test cell
    points: float


def tasks(nb) -> list[Task]:
    """Answer cells paired with their `<task>_tests` cells, in notebook order."""
    tests = {nbg(c)["grade_id"]: nbg(c).get("points", 0) for c in nb.cells if is_test_cell(c)}
    out = []
    for c in nb.cells:
        if is_answer_cell(c):
            gid = nbg(c)["grade_id"]
            out.append(Task(gid, f"{gid}_tests", tests.get(f"{gid}_tests", 0)))
    return out


# What the grading contract rejected, per set: the tests record it as a property of their
# report ("contract", (set, counts)), conftest.py gathers the reports (from every worker
# when the run is parallel) and prints the tally at the end of the run.
REPORT: dict[str, dict[str, int]] = {}


def load_generic(set_name: str) -> dict:
    """GENERIC[task] -> mutations.generic.Spec, declared next to the set's mutations."""
    path = MUTATIONS / f"{set_name}.py"
    spec = importlib.util.spec_from_file_location(f"generic_{set_name.replace('-', '_')}",
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "GENERIC", {})


def load_delegating(set_name: str) -> dict[str, dict[str, str]]:
    """DELEGATING[task][what]: correct answers computed by rnncourse or an excluded library."""
    path = MUTATIONS / f"{set_name}.py"
    spec = importlib.util.spec_from_file_location(f"delegating_{set_name.replace('-', '_')}",
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "DELEGATING", {})


def load_mutations(set_name: str) -> dict[str, dict[str, str]]:
    path = MUTATIONS / f"{set_name}.py"
    spec = importlib.util.spec_from_file_location(f"mutations_{set_name.replace('-', '_')}",
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MUTATIONS


# ---------------------------------------------------------------- in-process runs

class CellTimeout(Exception):
    pass


def _python_only(source: str) -> str:
    """Drop IPython magics and shell escapes, which plain `exec` cannot run."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def compile_cell(source: str, name: str, index: int):
    """Compile a cell as the kernel would: under a file name of its own (not '<...>', so
    that the own-work watch sees it as notebook code) whose lines tracebacks can show."""
    filename = f"/rnncourse-cells/{index:02d}-{name}.py"
    source = _python_only(source)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return compile(source, filename, "exec")


def run_test_cell(nb, test_id: str, replace: dict[str, str] | None = None,
                  timeout: int = 20, namespace: dict | None = None,
                  stdout: list | None = None, watch: bool = True) -> BaseException | None:
    """Execute the notebook in process up to the test cell `test_id`, with answer cells
    replaced by `replace[grade_id]`; skip every other test cell. Return the exception
    the test cell raised, or None if it passed. Errors in earlier cells are ignored
    (the test cell then fails on its own, as it would under nbgrader). `namespace`, if
    given, is the dict the cells run in (so the caller can look at it afterwards). With
    `watch=False` the own-work watch hooks nothing (three times faster on call-heavy
    tests): the watch only ever adds failures, so a wrong answer rejected without it is
    rejected with it; answers that only the watch can reject must be run with it."""
    if not watch:
        from rnncourse.grading.watch import Watch
        hook, Watch._hook = Watch._hook, lambda self, profile: None
        try:
            return run_test_cell(nb, test_id, replace, timeout, namespace, stdout)
        finally:
            Watch._hook = hook
    replace = replace or {}
    ns: dict = namespace if namespace is not None else {}
    ns["__name__"] = "__main__"

    def on_alarm(signum, frame):
        raise CellTimeout(f"{test_id} did not finish within {timeout} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                gid = nbg(cell).get("grade_id")
                if is_test_cell(cell):
                    if gid != test_id:
                        continue
                    try:
                        exec(compile_cell(cell.source, gid, index), ns)
                    except Exception as err:  # noqa: BLE001 - any failure is a rejection
                        return err
                    if stdout is not None:
                        stdout.append(out.getvalue())
                    return None
                src = replace.get(gid, cell.source)
                try:
                    exec(compile_cell(src, gid or "cell", index), ns)
                except Exception:  # noqa: BLE001, S110
                    pass
        raise LookupError(f"no test cell with grade_id {test_id!r}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        sys.setprofile(None)  # a watch (rnncourse.grading.watch) cut short by the alarm


# ---------------------------------------------------------------- nbgrader runs

def make_course(tmp: Path, set_name: str) -> Path:
    """A scratch course directory with the repository's nbgrader_config.py and one set."""
    course = tmp / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copytree(SOLUTIONS / set_name, course / "solutions" / set_name)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    return course


def generate_in_process(tmp: Path, set_names: list[str]) -> Path:
    """One scratch course with every given set released by nbgrader's own API, in this
    process (the command line starts a Python and a gradebook per set: ten times slower)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    course = tmp / "course"
    (course / "solutions").mkdir(parents=True)
    for set_name in set_names:
        shutil.copytree(SOLUTIONS / set_name, course / "solutions" / set_name)
    config = Config()
    path = ROOT / "nbgrader_config.py"
    exec(path.read_text(), {"get_config": lambda: config, "__file__": str(path)})
    config.CourseDirectory.root = str(course)
    api = NbGraderAPI(config=config)
    for set_name in set_names:
        result = api.generate_assignment(set_name, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not release {set_name}:\n{result['log']}")
    return course


def nbgrader(course: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([*NBGRADER, *args, "--log-level=WARN"], cwd=course,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def submit(course: Path, student: str, set_name: str, nb) -> None:
    folder = course / "submitted" / student / set_name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / source_notebook(set_name).name)


def scores(course: Path, set_name: str, student: str,
           notebook: str | None = None) -> dict[str, tuple[float, float]]:
    """grade_id -> (score, max_score) for every graded cell, read from the gradebook."""
    from nbgrader.api import Gradebook

    notebook = notebook or source_notebook(set_name).stem
    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(notebook, set_name, student)
        for grade in submission.grades:
            out[grade.name] = (grade.score, grade.max_score)
    return out


# ---------------------------------------------------------------- leakage

_MARKERS = {
    "solution": ("### BEGIN SOLUTION", "### END SOLUTION"),
    "hidden": ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
}


def _regions(source: str, kind: str) -> tuple[list[str], list[str]]:
    """Split a cell's lines into those inside `kind` regions and those outside."""
    begin, end = _MARKERS[kind]
    inside, outside, depth = [], [], False
    for line in source.splitlines():
        if line.strip() == begin:
            depth = True
        elif line.strip() == end:
            depth = False
        else:
            (inside if depth else outside).append(line)
    return inside, outside


def normalise(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip()


def code_part(line: str) -> str:
    """A line without its trailing comment (a comment is not what a solution leaks)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return line
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            return line.strip()[:tok.start[1]].rstrip()
    return line


def secret_lines(nb_path: Path, min_len: int = 12, kinds=("solution", "hidden")) -> set[str]:
    """Lines (their code, comments left out) that appear only inside solution or
    hidden-test regions of a source notebook, long enough to be meaningful: none of them
    may appear in the release or in the built HTML (see `leaks`)."""
    nb = nbformat.read(nb_path, as_version=4)
    secret, public = set(), set()
    for cell in nb.cells:
        text = cell.source
        for kind in kinds:
            inside, _ = _regions(text, kind)
            secret.update(normalise(code_part(x)) for x in inside)
        public_text = text
        for kind in _MARKERS:
            public_text = "\n".join(_regions(public_text, kind)[1])
        public.update(normalise(code_part(x)) for x in public_text.splitlines())
    # Comments, docstring delimiters, imports, bare loop headers over a range and shape
    # unpacking, returning named results are not solution logic (a chapter may well say
    # `B, T, H = h.shape`).
    skip = ("#", '"""', "'''", "import ", "from ")
    generic = re.compile(r"for \w+ in (reversed\()?range\([\w\s,+-]*\)\)?:"
                         r"|[\w\s,]+ = \w+\.shape|return [\w, ()]+")
    return {s for s in secret - public
            if len(s) >= min_len and not s.startswith(skip) and not generic.fullmatch(s)}


def leaks(text: str, nb_path: Path) -> list[str]:
    """What of a source notebook's secrets `text` shows: a solution line anywhere (inside a
    hint too), or a whole hidden-test line."""
    lines = set(text.splitlines())
    found = [s for s in secret_lines(nb_path, kinds=("solution",)) if s in text]
    found += [s for s in secret_lines(nb_path, kinds=("hidden",)) if s in lines]
    return sorted(set(found))


def notebook_text(path: Path) -> str:
    nb = json.loads(path.read_text())
    return "\n".join(normalise(line) for c in nb["cells"]
                     for line in "".join(c["source"]).splitlines())
