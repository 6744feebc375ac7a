"""Tests for rnncourse.checks.Report: ok/FAIL lines and one AssertionError with hints."""

import numpy as np
import pytest

from rnncourse import checks


def test_all_ok_prints_ok_lines_and_summary(capsys):
    with checks.Report("yule_walker") as r:
        assert r.close("phi", np.array([0.6, -0.3]), [0.6, -0.3])
        assert r.equal("shape of phi", (2,), (2,))
        assert r.check("sigma2 positive", True)
    out = capsys.readouterr().out
    assert out.splitlines() == ["ok   phi", "ok   shape of phi", "ok   sigma2 positive",
                                "yule_walker: all checks passed."]
    assert "FAIL" not in out


def test_failures_print_and_raise_one_error_with_hints(capsys):
    with pytest.raises(AssertionError) as info:
        with checks.Report("forward") as r:
            r.close("loglik", -10.0, -12.0, hint="sum the logs of the scale factors")
            r.equal("alpha shape", (3, 2), (4, 2), hint="one row per time step")
            r.close("scale", [0.5, 0.5], [0.5, 0.5])
    msg = str(info.value)
    assert msg.startswith("forward: 2 check(s) failed.")
    assert "- loglik: sum the logs of the scale factors" in msg
    assert "- alpha shape: one row per time step" in msg
    out = capsys.readouterr().out
    assert "FAIL loglik: max abs difference 2" in out
    assert "FAIL alpha shape: got" in out
    assert "ok   scale" in out
    assert "all checks passed" not in out


def test_close_reports_shape_and_type_mismatch(capsys):
    with pytest.raises(AssertionError):
        with checks.Report("t") as r:
            assert not r.close("a", np.zeros(3), np.zeros(4))
            assert not r.close("b", object(), 1.0)
            assert not r.equal("c", [1, 2], "xy")
    out = capsys.readouterr().out
    assert "FAIL a: shape (3,), expected (4,)" in out
    assert "FAIL b: got object, expected numbers" in out


def test_exception_inside_report_propagates_unchanged():
    with pytest.raises(KeyError):
        with checks.Report("t") as r:
            r.check("x", False, hint="h")
            raise KeyError("learner bug")


def test_own_work_accepts_own_code_and_test_side_package_calls():
    import numpy as np

    from rnncourse import checks
    from rnncourse.classical import ar

    def mine(x):
        def inner(v):
            return v - v.mean()
        return inner(np.asarray(x)) @ inner(np.asarray(x)) / len(x)

    with checks.own_work(mine):
        got = mine(np.arange(5.0))
        want = ar.autocovariance(np.arange(5.0), 0)[0]   # the test may use the package
    assert np.isclose(got, want)


def test_own_work_rejects_delegation_however_it_is_spelled():
    import functools

    import numpy as np

    import rnncourse.classical.ar
    from rnncourse import checks

    def direct(x):
        return rnncourse.classical.ar.autocovariance(x, 1)

    def via_helper(x):
        def helper(y):
            return getattr(rnncourse.classical.ar, "autocov" + "ariance")(y, 1)
        return helper(x)

    for fn in (direct, via_helper):
        with pytest.raises(AssertionError, match="calls `rnncourse.classical.ar.autocovariance`"):
            with checks.own_work(fn):
                fn(np.arange(6.0))
    acov = rnncourse.classical.ar.autocovariance
    for fn in (acov, functools.partial(acov, max_lag=1)):
        with pytest.raises(AssertionError, match="not a function you wrote"):
            with checks.own_work(fn):
                pass


def test_own_work_allows_the_learner_helpers_and_restores_the_profiler():
    import sys

    from rnncourse import checks

    def uses_checks(x):
        with checks.Report("inner") as r:
            r.check("positive", x > 0)
        return x

    before = sys.getprofile()
    with checks.own_work(uses_checks):
        uses_checks(1.0)
    assert sys.getprofile() is before


def test_call_catches_changed_inputs_and_aliasing(capsys):
    x = np.arange(4.0)

    def clean(a):
        return a * 2

    def in_place(a):
        a *= 2
        return a.copy()

    def view(a):
        return a[:]

    with checks.Report("clean") as r:
        assert np.array_equal(r.call("clean", clean, x), [0.0, 2.0, 4.0, 6.0])
    for fn, what in ((in_place, "inputs left unchanged"), (view, "returns new arrays")):
        with pytest.raises(AssertionError, match=what):
            with checks.Report(fn.__name__) as r:
                r.call(fn.__name__, fn, np.arange(4.0))
    rng = np.random.default_rng(0)
    with checks.Report("generator") as r:   # drawing from a generator is not a change
        r.call("draw", lambda g, d: g.random() + d["a"].sum(), rng, {"a": np.ones(2)})


def test_close_is_tight_enough_to_see_one_part_in_a_million():
    with pytest.raises(AssertionError):
        with checks.Report("scaled") as r:
            r.close("x", np.array([1.0, 2.0]) * (1 + 1e-6), [1.0, 2.0])
    with checks.Report("rounding") as r:
        r.close("x", np.array([1.0, 2.0]) * (1 + 1e-13), [1.0, 2.0])
