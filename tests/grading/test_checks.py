"""rnncourse.grading.checks: ok/FAIL lines, one AssertionError with hints, strict types,
the digits where values differ, hidden reports, errors located in the learner's code,
blame passed to an earlier task, and `separates`."""

import linecache

import numpy as np
import pytest

from rnncourse.grading import checks


def cell(source: str, name: str, ns: dict) -> None:
    """Run source as a notebook cell would run (a file of its own, lines for tracebacks)."""
    filename = f"/rnncourse-cells/{name}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), ns)


def test_all_ok_prints_ok_lines_and_summary(capsys):
    with checks.Report("yule_walker") as r:
        assert r.close("phi", np.array([0.6, -0.3]), np.array([0.6, -0.3]))
        assert r.equal("shape of phi", (2,), (2,))
        assert r.check("sigma2 positive", True)
    out = capsys.readouterr().out
    assert out.splitlines() == ["ok   phi", "ok   shape of phi", "ok   sigma2 positive",
                                "yule_walker: all checks passed."]


def test_failures_print_and_raise_one_error_with_hints(capsys):
    with pytest.raises(AssertionError) as info:
        with checks.Report("forward") as r:
            r.close("loglik", -10.0, -12.0, hint="sum the logs of the scale factors")
            r.equal("alpha shape", (3, 2), (4, 2), hint="one row per time step")
            r.close("scale", np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    msg = str(info.value)
    assert msg.startswith("forward: 2 check(s) failed.")
    assert "- loglik: sum the logs of the scale factors" in msg
    assert "- alpha shape: one row per time step" in msg
    out = capsys.readouterr().out
    assert "FAIL loglik: largest difference 2: got -10, expected -12" in out
    assert "ok   scale" in out and "all checks passed" not in out


def test_types_are_strict(capsys):
    with pytest.raises(AssertionError):
        with checks.Report("t") as r:
            assert not r.close("list", [1.0, 2.0], np.array([1.0, 2.0]))
            assert not r.close("float32", np.ones(2, np.float32), np.ones(2))
            assert not r.close("object", object(), 1.0)
            assert not r.close("shape", np.zeros(3), np.zeros(4))
            assert not r.equal("uint8 ids", np.array([1, 2], np.uint8), np.array([1, 2]))
            assert r.close("python float for a float", 1.0, 1.0)
            assert r.close("0-d float64 array for a float", np.float64(2.0), 2.0)
    out = capsys.readouterr().out
    assert "FAIL list: got a list, expected a NumPy array" in out
    assert "FAIL float32: got float32 values, expected float64" in out
    assert "FAIL object: got object, expected a float64 number" in out
    assert "FAIL shape: shape (3,), expected (4,)" in out
    assert "FAIL uint8 ids: got dtype uint8, expected int64" in out


def test_equal_says_where_long_arrays_differ(capsys):
    with pytest.raises(AssertionError):
        with checks.Report("t") as r:
            r.equal("path", np.zeros(30, np.int64), np.r_[np.zeros(20), 1, np.zeros(9)]
                    .astype(np.int64))
    assert "first difference at index [20]: got 0, expected 1" in capsys.readouterr().out


def test_printed_numbers_show_the_digits_that_differ(capsys):
    with pytest.raises(AssertionError):
        with checks.Report("t") as r:
            r.close("v", np.array([2.0, -4.0, 1.0 + 2e-7]), np.array([2.0, -4.0, 1.0]))
    out = capsys.readouterr().out
    assert "largest difference 2e-07 at index [2]: got 1.0000002, expected 1" in out


def test_hidden_reports_never_print_the_expected_values(capsys):
    with pytest.raises(AssertionError):
        with checks.Report("t (hidden)", hidden=True) as r:
            r.close("v", np.array([0.123456, 9.0]), np.array([0.654321, 9.0]))
            r.equal("ids", np.array([3, 1]), np.array([3, 2]))
    out = capsys.readouterr().out
    assert "0.654321" not in out and "0.6543" not in out and "[3, 2]" not in out
    assert "FAIL v: largest difference 0.53 at index [0]" in out
    assert "FAIL ids: first difference at index [1]" in out


def test_an_exception_in_the_learners_code_is_a_located_fail_line(capsys):
    ns: dict = {"np": np, "checks": checks}
    cell("def f(x, n):\n    y = x * 2\n    return y[n]\n", "answer", ns)
    with pytest.raises(AssertionError) as info:
        cell("@checks.tests('f', f)\ndef _(r):\n    r.call('case', f, np.zeros((3, 4)), 7)\n",
             "tests", ns)
    out = capsys.readouterr().out
    assert "FAIL f runs: `f` raised IndexError" in out
    assert "line 3 of `f`: `return y[n]`" in out
    assert "called with x: (3, 4) float64, n=7" in out
    assert "stopped with an error" in str(info.value)


def test_a_test_bug_is_not_blamed_on_the_learner():
    with pytest.raises(KeyError):
        with checks.Report("t") as r:
            r.check("x", True)
            raise KeyError("the test's own bug")


def test_a_failing_task_names_the_earlier_failing_task_it_calls(capsys):
    ns: dict = {"np": np, "checks": checks}
    cell("def inner(x):\n    return x + 1\n\n\ndef outer(x):\n    return inner(x) * 2\n",
         "answers", ns)
    with pytest.raises(AssertionError):
        cell("@checks.tests('inner', inner)\ndef _(r):\n"
             "    r.close('v', r.call('c', inner, np.ones(2)), np.full(2, 3.0))\n", "t1", ns)
    with pytest.raises(AssertionError) as info:
        cell("@checks.tests('outer', outer, inner)\ndef _(r):\n"
             "    r.close('v', r.call('c', outer, np.ones(2)), np.full(2, 6.0))\n", "t2", ns)
    assert "`outer` calls your `inner`, which failed its own checks above" in str(info.value)


def test_explain_replaces_the_per_quantity_hints():
    with pytest.raises(AssertionError) as info:
        with checks.Report("t") as r:
            r.close("a", 1.0, 2.0, hint="hint a")
            r.close("b", 1.0, 2.0, hint="hint b")
            r.explain("both come from the same slip")
    msg = str(info.value)
    assert "both come from the same slip" in msg and "hint a" not in msg


def test_calls_runs_every_case_before_comparing():
    seen = []

    def fn(x):
        seen.append(x.sum())
        return x * 2
    with checks.Report("t") as r:
        out = r.calls(fn, [("one", (np.ones(2),)), ("two", (np.zeros(2),))])
    assert seen == [2.0, 0.0] and [o.tolist() for o in out] == [[2.0, 2.0], [0.0, 0.0]]


def test_separates_raises_when_a_shortcut_agrees_nested_and_ragged():
    right = [np.ones(2), {"a": np.ones((2, 3)), "b": 1.5}]
    with pytest.raises(checks.TestDesignError):
        checks.separates("same", [np.ones(2), {"a": np.ones((2, 3)), "b": 1.5}], right)
    checks.separates("differs deep inside", [np.ones(2), {"a": np.ones((2, 3)), "b": 1.6}],
                     right)
    checks.separates("other shapes", [np.ones(3)], [np.ones(2)])
