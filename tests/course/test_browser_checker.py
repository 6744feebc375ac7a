"""The browser check finds what it is meant to find: a small site with one planted
defect of every kind it looks for, and one clean page."""

from __future__ import annotations

import browser
import pytest

BROKEN = """<!DOCTYPE html><html><head>
<script src="https://cdn.example.org/lib.js"></script>
<script>console.error("planted console error");</script>
</head><body><main>
<h1>Alpha page</h1>
<img src="missing.png" alt="a missing figure">
<p>Raw TeX left in the text: \\(x_t\\) and $\\alpha$.</p>
<span class="math">\\(y\\)</span>
<a href="beta.html#nowhere">a missing anchor</a> <a href="gamma.html">a missing page</a>
</main></body></html>"""

CLEAN = """<!DOCTYPE html><html><head></head><body><main>
<h1 id="top">Beta page</h1><p>Nothing wrong here. <a href="#top">top</a></p>
</main></body></html>"""

# A stand-in for Sphinx's search page: it lists beta.html for every query.
SEARCH = """<!DOCTYPE html><html><body><main><h1>Search</h1>
<div id="search-results"><p class="search-summary">Search finished</p>
<ul class="search"><li><a href="beta.html">Beta</a></li></ul></div>
</main></body></html>"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    executable = browser.chromium()
    if executable is None:
        pytest.skip("headless Chromium not found: install Debian's `chromium` package")
    site = tmp_path_factory.mktemp("site")
    (site / "alpha.html").write_text(BROKEN)
    (site / "beta.html").write_text(CLEAN)
    (site / "search.html").write_text(SEARCH)
    problems, stats = browser.check_book(site, site / "shots", executable, log=lambda _: None)
    return problems, stats, site


@pytest.mark.parametrize("planted", [
    "request outside the book: https://cdn.example.org/lib.js",
    "console error: planted console error",
    "image did not load: missing.png",
    "HTTP 404",
    "raw TeX in the text: '\\\\(x_t\\\\)'",
    "raw TeX in the text: '$\\\\alpha$'",
    "1 of 1 equations not typeset",
    "the page has equations and no typeset math",
    "beta.html#nowhere (no such anchor)",
    "gamma.html (no such file)",
    "searching for 'Alpha' does not list the page",
])
def test_each_planted_defect_is_reported(report, planted):
    problems, _, _ = report
    alpha = [p for p in problems if p.startswith("alpha.html: ")]
    assert any(planted in p for p in alpha), f"{planted!r} not among {alpha}"


def test_the_clean_page_passes_and_every_page_is_photographed(report):
    problems, stats, site = report
    assert not [p for p in problems if p.startswith("beta.html")], problems
    assert stats["pages"] == 3
    assert sorted(p.name for p in (site / "shots").glob("*.png")) == \
        ["alpha.png", "beta.png", "search.png"]
