"""nbgrader's Execute step, made to survive what learners do: `GuardedExecute`.

nbgrader runs a submission in one kernel, cell after cell. Here, as there, a cell that
raises costs the cells that need it, and a cell still running after `timeout` seconds is
interrupted. In addition:

- **A crash costs only what it breaks.** When the kernel dies (an exit, a segfault, a
  memory kill) or does not stop when interrupted (an `except` that swallows the
  interrupt), the cell gets an error saying so, a new kernel is started, the cells that
  ran before it (all but test cells and cells that crashed) are run again without
  output, and grading goes on with the next cell. Each kernel is limited to
  `memory_limit_mb` of address space, so a huge allocation fails in the learner's cell
  instead of taking the machine down.
- **The submission has a time limit** (`submission_timeout`): cells left when it runs
  out are not run, and their tests score zero with a line saying why.
- **Test cells are guarded.** Before any cell runs, a probe (`probe.py`) takes a baseline
  of the kernel; before and after every test cell it checks that nothing the tests rely
  on was rebound or patched. A test cell also passes only if it ran to its last line
  (the grader appends a line with a fresh nonce and reads it back), its reply says ok,
  it shows no error and prints no `FAIL` line.

The verdict of each test cell goes into its metadata (`rnncourse.verdict`), where
`SaveVerdicts` reads it; what happened (crashes, time-outs, tampering, edited or deleted
test cells, time used) goes into the notebook's metadata (`rnncourse_grading`), where the
feedback and the export read it.
"""

from __future__ import annotations

import ast
import asyncio
import re
import secrets
import time

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, SaveAutoGrades
from traitlets import Bool, Integer, List, Unicode

from rnncourse.grading import probe

REPORT_KEY = "rnncourse_grading"
_FAIL_LINE = re.compile(r"^FAIL ", re.MULTILINE)


def is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def is_locked_code(cell) -> bool:
    return cell.cell_type == "code" and utils.is_locked(cell) and not utils.is_grade(cell)


def imported_modules(sources: list[str]) -> list[str]:
    """Absolute module names imported anywhere in `sources` (the locked cells)."""
    names: list[str] = []
    for source in sources:
        try:
            tree = ast.parse("\n".join(line for line in source.splitlines()
                                       if not line.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                names += [f"{node.module}.{a.name}" for a in node.names]
    return list(dict.fromkeys(names))


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


def _exit_reason(code) -> str:
    if code is None:
        return "the kernel died"
    if code < 0:
        names = {-11: "a segmentation fault", -9: "it was killed (SIGKILL, as when a machine "
                 "runs out of memory)", -6: "it aborted", -7: "a bus error"}
        return "the kernel died: " + names.get(code, f"signal {-code}")
    return f"the kernel exited with status {code} (os._exit, exit() or a crash in C code)"


class _Outcome:
    __slots__ = ("reply", "dead", "stuck", "interrupted")

    def __init__(self, reply=None, dead=False, stuck=False, interrupted=False):
        self.reply, self.dead, self.stuck, self.interrupted = reply, dead, stuck, interrupted


class GuardedExecute(Execute):
    """nbgrader's Execute preprocessor with crash recovery, a submission time limit, a
    memory limit and tamper checks around test cells (see the module docstring)."""

    submission_timeout = Integer(
        300, help="Seconds the whole submission may run, restarts included.").tag(config=True)
    memory_limit_mb = Integer(
        4096, help="Address space of each kernel in MiB (0: no limit).").tag(config=True)
    interrupt_grace = Integer(
        5, help="Seconds a kernel has to stop after an interrupt before it is killed."
    ).tag(config=True)
    max_restarts = Integer(
        12, help="Kernels a submission may use up before its remaining cells are skipped."
    ).tag(config=True)
    preload = List(Unicode(), [], help="Modules imported before any cell runs, besides "
                   "those the locked cells import.").tag(config=True)
    fence = Bool(True, help="Keep the learner's code from reading the course folder outside "
                 "its submission (solutions, gradebook, other learners' notebooks) and from "
                 "starting processes.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        from nbclient.client import NotebookClient

        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.raise_on_iopub_timeout = False
        run_sync(self._grade)()
        return self.nb, self.resources

    # ------------------------------------------------------------- the kernel

    async def _start_kernel(self) -> None:
        if self.km is None:
            self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()
        self._nonce = secrets.token_hex(8)
        source = probe.install_source(self._nonce, self._preload, self.memory_limit_mb,
                                      self._fence())
        reply = await self._quiet(source, timeout=120)
        if reply is None or reply["status"] != "ok":
            raise RuntimeError(f"the grader could not set up the kernel: {reply}")

    def _fence(self) -> list[str] | None:
        """[course root, the submission's folder, the environment's folders]: what the
        kernel may read under the course root (see probe.fence_files)."""
        if not self.fence:
            return None
        import os
        import sys

        from rnncourse.grading import watch

        url = self.resources.get("nbgrader", {}).get("db_url", "")
        root = (os.path.dirname(url[len("sqlite:///"):]) if url.startswith("sqlite:///")
                else self.config.get("CourseDirectory", {}).get("root"))
        here = self.resources.get("metadata", {}).get("path") or os.getcwd()
        if not root:
            return None
        return [root, here, sys.prefix, sys.base_prefix, watch.PACKAGE]

    async def _stop_kernel(self) -> None:
        if self.km is not None:
            try:
                await self._async_cleanup_kernel()
            except Exception:  # noqa: BLE001 - a dead kernel cleans up badly; start afresh
                self.km = self.kc = None
        self.km = self.kc = None

    async def _exit_code(self):
        try:
            process = self.km.provisioner.process
            for _ in range(20):
                if process.poll() is not None:
                    return process.returncode
                await asyncio.sleep(0.05)
        except Exception:  # noqa: BLE001 - the provisioner may not expose its process
            return None
        return None

    async def _quiet(self, code: str, timeout: float, user_expressions=None) -> dict | None:
        """Run code without recording anything in the notebook; the reply's content, or
        None if the kernel died or did not answer in time."""
        msg_id = self.kc.execute(code, silent=False, store_history=False, allow_stdin=False,
                                 user_expressions=user_expressions or {}, stop_on_error=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=0.5))
            except Exception:  # noqa: BLE001 - queue.Empty: check the kernel is alive
                if not await ensure_async(self.km.is_alive()):
                    return None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]
        return None

    async def _probe(self, lock: str | bool = False) -> list[str] | None:
        """The probe's findings; None if the kernel did not answer. Around a locked cell,
        lock="before" and lock="after" record the names the cell binds."""
        reply = await self._quiet("pass", timeout=60,
                                  user_expressions={"probe": probe.probe_expression(lock)})
        if reply is None:
            return None
        return probe.read(reply, "probe", self._nonce)

    async def _run(self, cell, index: int, code: str, timeout: float,
                   user_expressions: dict) -> _Outcome:
        """Execute one cell, recording its outputs as nbclient does."""
        parent = self.kc.execute(code, store_history=True, stop_on_error=False,
                                 allow_stdin=False, user_expressions=user_expressions)
        cell.outputs = []
        self.clear_before_next_output = False
        if self.record_timing:
            cell["metadata"]["execution"] = {}
        alive = asyncio.ensure_future(self._async_poll_kernel_alive())
        outputs = asyncio.ensure_future(self._async_poll_output_msg(parent, cell, index))
        self.task_poll_for_reply = asyncio.ensure_future(
            self._async_poll_for_reply(parent, cell, None, outputs, alive))
        reply_task = self.task_poll_for_reply
        try:
            reply = await asyncio.wait_for(asyncio.shield(reply_task), max(timeout, 1))
            return _Outcome(reply=reply)
        except TimeoutError:
            await ensure_async(self.km.interrupt_kernel())
            try:
                reply = await asyncio.wait_for(asyncio.shield(reply_task), self.interrupt_grace)
                return _Outcome(reply=reply, interrupted=True)
            except TimeoutError:
                return _Outcome(stuck=True)
            except (asyncio.CancelledError, DeadKernelError):
                return _Outcome(dead=True)
        except (asyncio.CancelledError, DeadKernelError, CellTimeoutError):
            return _Outcome(dead=True)
        finally:
            for task in (reply_task, outputs, alive):
                if not task.done():
                    task.cancel()
            await asyncio.gather(reply_task, outputs, alive, return_exceptions=True)

    async def _restart(self, upto: int) -> bool:
        """A new kernel with the cells before `upto` run again; False if none could be had."""
        self._restarts += 1
        await self._stop_kernel()
        if self._restarts > self.max_restarts or self._left() <= 0:
            return False
        await self._start_kernel()
        for index in [i for i in self._replay if i < upto]:
            cell = self.nb.cells[index]
            locked = is_locked_code(cell)
            if locked:
                await self._probe("before")
            reply = await self._quiet(cell.source, timeout=max(self._left(), 1))
            if reply is None:                      # crashed again: leave it out from now on
                self._replay.remove(index)
                self._event(cell, "crash", "it crashed again when run after a restart")
                return await self._restart(upto)
            if locked:
                await self._probe("after")
        return True

    def _left(self) -> float:
        return self._deadline - time.monotonic()

    # ------------------------------------------------------------- grading

    def _event(self, cell, what: str, detail: str) -> None:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        self._events.append({"cell": gid, "what": what, "detail": detail})

    def _fail(self, cell, ename: str, evalue: str, what: str | None = None) -> None:
        cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
        cell.outputs.append(_error(ename, evalue))
        if is_test_cell(cell):
            cell.metadata.setdefault("rnncourse", {})["verdict"] = "failed"
            cell.metadata["rnncourse"]["why"] = evalue
        if what is not None:
            self._event(cell, what, evalue)

    async def _grade(self) -> None:
        cells = self.nb.cells
        self._events: list[dict] = list(self.nb.metadata.get(REPORT_KEY, {}).get("events", []))
        self._restarts = 0
        self._replay: list[int] = []
        self._preload = list(dict.fromkeys(
            ["numpy", "rnncourse.grading.checks", "rnncourse.grading.watch", *self.preload,
             *imported_modules([c.source for c in cells if c.cell_type == "code"
                                and utils.is_locked(c)])]))
        started = time.monotonic()
        self._deadline = started + self.submission_timeout
        await self._start_kernel()
        try:
            info = await ensure_async(self.kc.kernel_info())
            reply = await self.async_wait_for_reply(info)
            if reply is not None and "language_info" in reply["content"]:
                self.nb.metadata["language_info"] = reply["content"]["language_info"]
            alive = True
            for index, cell in enumerate(cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                if not alive or self._left() <= 0:
                    why = ("the submission ran out of its time limit of "
                           f"{self.submission_timeout} s" if alive else
                           "the kernel kept dying, so grading stopped")
                    if is_test_cell(cell):
                        self._fail(cell, "NotGraded", f"not run: {why}", "skipped")
                    continue
                alive = await self._grade_cell(cell, index)
        finally:
            await self._stop_kernel()
        self.nb.metadata[REPORT_KEY] = {
            "status": "graded", "events": self._events, "restarts": self._restarts,
            "seconds": round(time.monotonic() - started, 2)}

    async def _grade_cell(self, cell, index: int) -> bool:
        """Run one cell; False when no kernel can be had any more."""
        test = is_test_cell(cell)
        locked = is_locked_code(cell)
        if test or locked:
            found = await self._probe("before" if locked else False)
            if found is None:                      # the kernel died after the last cell
                return await self._restart(index)
            if found and test:
                self._fail(cell, "TamperingDetected", "this task's tests were not run, because "
                           "the grading environment was changed before them: "
                           + "; ".join(found), "tamper")
                return True
        nonce = secrets.token_hex(8)
        code = cell.source + (f"\n{probe.DONE} = {nonce!r}\n" if test else "")
        expressions = {"done": probe.DONE} if test else {}
        limit = min(self.timeout or 60, self._left())
        outcome = await self._run(cell, index, code, limit, expressions)
        if outcome.dead or outcome.stuck:
            if outcome.stuck:
                why = (f"interrupted after the time limit of {int(limit)} s, the code did not "
                       "stop (an `except` that catches everything swallows the interrupt), so "
                       "the kernel was restarted")
                self._fail(cell, "KernelStuck", why, "stuck")
            else:
                why = await self._exit_code()
                self._fail(cell, "KernelDied", f"{_exit_reason(why)} while this cell ran; the "
                           "kernel was restarted and grading went on", "crash")
            return await self._restart(index)
        if outcome.interrupted:
            self._fail(cell, "TimeoutError", f"interrupted after the time limit of {int(limit)} "
                       "s: the code did not finish", "timeout")
            return True
        content = outcome.reply["content"] if outcome.reply else {}
        if not test:
            if content.get("status") == "ok":
                self._replay.append(index)
                if locked:
                    await self._probe("after")
            return True
        return await self._verdict(cell, index, content, nonce)

    async def _verdict(self, cell, index: int, content: dict, nonce: str) -> bool:
        found = await self._probe()
        if found is None:
            why = await self._exit_code()
            self._fail(cell, "KernelDied", f"{_exit_reason(why)} at the end of this cell; the "
                       "kernel was restarted and grading went on", "crash")
            return await self._restart(index)
        done = content.get("user_expressions", {}).get("done", {})
        finished = done.get("status") == "ok" and done.get("data", {}).get(
            "text/plain") == repr(nonce)
        stdout = "".join(o.get("text", "") for o in cell.outputs
                         if o.get("output_type") == "stream" and o.get("name") == "stdout")
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if found:
            self._fail(cell, "TamperingDetected", "this task scores zero, because the grading "
                       "environment was changed while its tests ran: " + "; ".join(found),
                       "tamper")
        elif content.get("status") != "ok" or errors:
            cell.metadata.setdefault("rnncourse", {})["verdict"] = "failed"
            if not errors:
                cell.outputs.append(_error(content.get("ename", "Error"),
                                           content.get("evalue", "the tests failed")))
        elif not finished:
            self._fail(cell, "GradingError", "the test cell did not run to its end", "tamper")
        elif _FAIL_LINE.search(stdout):
            self._fail(cell, "GradingError", "a check printed FAIL, yet the cell raised no "
                       "error", "tamper")
        else:
            cell.metadata.setdefault("rnncourse", {})["verdict"] = "passed"
        return True


class SaveVerdicts(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, scoring guarded test cells by their verdict (a warning on
    standard error does not cost a passed task its marks; a cell that did not pass scores
    zero whatever it printed)."""

    def _add_score(self, cell, resources) -> None:
        verdict = cell.metadata.get("rnncourse", {}).get("verdict")
        if verdict is None:
            return super()._add_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"],
                                          self.notebook_id, self.assignment_id,
                                          self.student_id)
        points = float(cell.metadata["nbgrader"]["points"])
        grade.auto_score = points if verdict == "passed" else 0.0
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()


