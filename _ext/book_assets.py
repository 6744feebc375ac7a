"""A Sphinx extension of the course's own: every page loads each of its scripts once.

jupyter-book 1 makes Sphinx fire `env-before-read-docs` twice, and sphinx-thebe and
sphinx-togglebutton add their inline configuration scripts on that event (once with the
file name None, once with ""; Sphinx's own check counts them as two), so every page
declared `const THEBE_JS_URL` twice: a script error in every browser console (found by
tests/browser.py). This drops the repeats from each page's script list, keeping the first.
"""

from __future__ import annotations


def _key(js) -> tuple:
    """What the page would load: the file (None and "" both mean an inline script) and the
    attributes, the inline body among them."""
    if isinstance(js, str):
        return js, ()
    attributes = getattr(js, "attributes", {}) or {}
    return (js.filename or "", tuple(sorted((k, str(v)) for k, v in attributes.items())))


def unique_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        key = _key(js)
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def setup(app):
    # Early: `html-page-context` stops at the first handler that returns a template name.
    app.connect("html-page-context", unique_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
