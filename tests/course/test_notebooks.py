"""Notebook hygiene: committed without outputs, one kernel, no leaks into exercises/."""

from __future__ import annotations

import json
import subprocess

import pytest

from harness import (
    EXERCISES,
    ROOT,
    exercise_sets,
    leaks,
    notebook_text,
    secret_lines,
    source_notebook,
)


def tracked_notebooks() -> list[str]:
    out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True,
                         text=True, check=False).stdout.split()
    if out:
        return out
    # Not a git checkout (e.g. an unpacked archive): every notebook in the three folders.
    return sorted(str(p.relative_to(ROOT)) for d in ("book", "solutions", "exercises")
                  for p in (ROOT / d).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


NOTEBOOKS = tracked_notebooks()


def test_there_are_notebooks():
    assert any(n.startswith("book/") for n in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_committed_without_outputs(path):
    nb = json.loads((ROOT / path).read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path} cell {i} has outputs: strip them"
            assert cell.get("execution_count") is None, f"{path} cell {i} has an execution count"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", \
        f"{path}: kernelspec must be 'python3'"


@pytest.mark.parametrize("path", [n for n in NOTEBOOKS if n.startswith("book/")])
def test_chapter_first_cell_is_imports_and_seed(path):
    nb = json.loads((ROOT / path).read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    src = "".join(first["source"])
    assert "import *" not in src
    assert "seed" in src.lower() or "default_rng" in src, f"{path}: first code cell sets no seed"


@pytest.mark.parametrize("set_name", exercise_sets())
def test_no_solution_in_release(set_name):
    release = sorted((EXERCISES / set_name).glob("*.ipynb"))
    assert release, f"exercises/{set_name} is missing: run `make exercises`"
    text = "\n".join(notebook_text(p) for p in release)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    assert secret_lines(source_notebook(set_name)), "the leak check found nothing to look for"
    leaked = leaks(text, source_notebook(set_name))
    assert not leaked, f"solution lines in exercises/{set_name}: {leaked[:5]}"


def test_leak_check_can_fail(tmp_path):
    """The leak check finds a solution line when one is planted in a release."""
    set_name = exercise_sets()[0]
    secrets = secret_lines(source_notebook(set_name))
    planted = sorted(secrets)[0]
    nb = json.loads(next((EXERCISES / set_name).glob("*.ipynb")).read_text())
    nb["cells"][0]["source"] = [planted]
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    assert planted in leaks(notebook_text(path), source_notebook(set_name))
    solution = sorted(secret_lines(source_notebook(set_name), kinds=("solution",)))[0]
    hint = f"hint='write {solution} here'"
    assert leaks(hint, source_notebook(set_name)) == [solution], "a solution line in a hint"


def test_every_chapter_and_exercise_set_is_in_the_book():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]} | {ch["file"] for part in toc.get("parts", [])
                             for ch in part.get("chapters", [])}
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        assert f"book/{nb.stem}" in files, f"{nb.name} is not in _toc.yml"
    for set_name in exercise_sets():
        stem = source_notebook(set_name).stem
        assert f"exercises/{set_name}/{stem}" in files, f"set {set_name} is not in _toc.yml"
    assert not any(f.startswith("solutions/") for f in files), "a solution is in the book"


@pytest.mark.parametrize("set_name", exercise_sets())
def test_each_chapter_links_its_exercise_set_and_back(set_name):
    """Chapter NN links exercises/NN-name/NN-name.ipynb, and the set links its chapter."""
    (chapter,) = sorted((ROOT / "book").glob(f"{set_name[:2]}-*.ipynb"))
    stem = source_notebook(set_name).stem
    assert f"../exercises/{set_name}/{stem}.ipynb" in chapter.read_text(), \
        f"{chapter.name} does not link exercise set {set_name}"
    assert f"../../book/{chapter.name}" in source_notebook(set_name).read_text(), \
        f"exercise set {set_name} does not link {chapter.name}"
