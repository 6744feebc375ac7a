"""data.pysource against tokenize's own view, on inputs crafted to fool a regular
expression: escaped quotes, f-strings, brackets and quotes inside strings and comments,
triple-quoted strings over several lines, nested brackets over lines, dedents."""

import numpy as np
import pytest

from rnncourse.data import pysource

SRC = '''def f(a, b=")"):  # a comment with "quotes" and (brackets
    s = 'it\\'s' + f"{a!r} [x]"
    t = """line one
(not code) # not a comment
"""
    return [a,
            (b, {1: 2})]
x = 1.5e3
'''


def at(src, needle, k=0):
    i = src.index(needle) + k
    return i


def test_kinds_of_crafted_source():
    L = pysource.label_source(SRC)
    assert len(L) == len(SRC)
    kind = lambda i: pysource.KINDS[L.kind[i]]   # noqa: E731
    assert kind(at(SRC, '")"', 1)) == "string"             # ) inside a string
    assert kind(at(SRC, "# a comment")) == "comment"
    assert L.in_comment[at(SRC, '"quotes"')]                  # quotes inside a comment
    assert L.in_string[at(SRC, "\\'s")] and L.in_string[at(SRC, "\\'s", 2)]  # escaped quote
    assert L.in_string[at(SRC, "[x]")]                        # brackets in an f-string
    assert L.in_string[at(SRC, "(not code)")] and L.in_string[at(SRC, "# not a comment")]
    assert not L.in_comment[at(SRC, "# not a comment")]
    assert kind(at(SRC, "1.5e3", 4)) == "number" and kind(at(SRC, "return")) == "name"
    assert kind(at(SRC, "= 1.5")) == "operator"


def test_depth_indent_column():
    L = pysource.label_source(SRC)
    assert L.depth[at(SRC, "(a, b")] == 1 and L.depth[at(SRC, "b=")] == 1
    assert L.depth[at(SRC, '")"', 1)] == 1                    # the string's ) closes nothing
    assert L.depth[at(SRC, "):")] == 0                        # the real closing bracket
    assert L.depth[at(SRC, "(brackets")] == 0                 # a comment's ( opens nothing
    assert L.depth[at(SRC, "{1: 2}", 1)] == 3                 # [ ( { nested over two lines
    assert L.depth[at(SRC, "x = 1.5")] == 0
    assert L.indent[at(SRC, "def")] == 0 and L.indent[at(SRC, "s = ")] == 1
    assert L.indent[at(SRC, "    s = ")] == 1                 # leading blanks too
    assert L.indent[at(SRC, "x = 1.5")] == 0                  # after the dedent
    assert L.column[at(SRC, "s = ")] == 4 and L.column[0] == 0
    assert L.column[at(SRC, "(not code)")] == 0


def test_properties_and_stdlib():
    text, L = pysource.labelled_stdlib(("textwrap", "heapq"))
    assert len(text) == len(L) and 0.05 < L.in_string.mean() < 0.6
    props = L.properties()
    assert set(props) == {"inside a string", "inside a comment", "bracket depth",
                          "block depth", "position in line"}
    assert all(v.shape == (len(text),) for v in props.values())
    assert L.depth.min() == 0 and L.indent.min() == 0 and L.depth.max() >= 2
    cut_text, cut = pysource.labelled_stdlib(("textwrap",), max_chars=500)
    assert len(cut_text) == 500 and np.array_equal(cut.kind, L.kind[:500])


def test_incomplete_source_is_refused():
    with pytest.raises(ValueError, match="not complete Python"):
        pysource.label_source('x = "unterminated\n')
    with pytest.raises(ValueError, match="str"):
        pysource.label_source(b"x = 1\n")


def test_called_names_and_tags():
    src = "x = f(a) + g (b)\nif len(x):\n    print(x.y(1))  # not(a call)\nclass C(B): pass\n"
    L = pysource.label_source(src)
    called = {src[i] for i in np.flatnonzero(L.called)}
    words = ["".join(src[i] for i in range(len(src)) if L.called[i])]
    assert words == ["fglenprintyC"] and called <= set("fglenprintyC")
    assert not L.called[src.index("x = f")] and not L.called[src.index("x.y")]
    assert not L.called[src.index("not(a")]                   # inside a comment
    tags = L.tags()
    assert pysource.TAGS[tags[src.index("f(a)")]] == "called name"
    assert pysource.TAGS[tags[src.index("a) +")]] == "name"
    assert pysource.TAGS[tags[src.index("# not")]] == "comment"
    assert pysource.TAGS[tags[src.index("1))")]] == "number"
