"""The package's layout rules (see rnncourse/__init__.py), checked on the source with ast:
which wing may import what, that every module lives in a wing or is a top-level module
every wing uses, and that the package's and wings' docstrings list exactly the modules
there are."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "rnncourse"
TOP_LEVEL = {"__init__", "shapes", "gradcheck", "repro"}
WINGS = {"classical", "scratch", "models", "data", "analysis", "viz", "grading", "studies"}

# wing -> (forbidden third-party roots, forbidden rnncourse wings)
RULES = {
    "classical": ({"torch"}, {"models", "analysis", "viz"}),
    "scratch": ({"torch"}, {"models", "analysis", "viz"}),
    "data": ({"torch"}, {"models", "scratch", "classical", "analysis", "viz"}),
    "viz": (set(), {"scratch", "models", "classical", "analysis"}),
    "models": (set(), {"analysis", "viz"}),
    "analysis": (set(), {"viz"}),
    "grading": ({"torch"}, {"classical", "scratch", "models", "data", "analysis", "viz"}),
    "studies": (set(), {"viz", "grading"}),
}
TOP_RULES = ({"torch", "matplotlib"}, WINGS)  # the top level imports no wing and no torch


def imports(path: Path) -> list[tuple[str, int]]:
    """Every imported module name in `path` (absolute names), with its line."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import on line {node.lineno}"
            out.append((node.module, node.lineno))
            if node.module == "rnncourse":  # from rnncourse import <wing or module>
                out += [(f"rnncourse.{a.name}", node.lineno) for a in node.names]
    return out


def modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_wing_or_at_the_top():
    for path in modules():
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) == 1:
            assert rel.stem in TOP_LEVEL, f"{rel}: a new top-level module belongs in a wing"
        else:
            assert len(rel.parts) == 2 and rel.parts[0] in WINGS, f"{rel}: not in a wing"
    for wing in WINGS:
        assert (PACKAGE / wing / "__init__.py").exists(), f"{wing}/ has no __init__.py"


def violations(path: Path, wing: str | None) -> list[str]:
    """The imports of `path` that the rules of `wing` (None: the top level) forbid."""
    banned_roots, banned_wings = RULES[wing] if wing is not None else TOP_RULES
    out = []
    for name, line in imports(path):
        parts = name.split(".")
        if parts[0] in banned_roots or (parts[0] == "rnncourse" and len(parts) > 1
                                        and parts[1] in banned_wings):
            out.append(f"{path.name}:{line} imports {name}")
    return out


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_import_rules(path):
    rel = path.relative_to(PACKAGE)
    assert violations(path, rel.parts[0] if len(rel.parts) == 2 else None) == []


def test_the_rules_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nfrom rnncourse import models\nfrom rnncourse.viz import style\n"
                   "import numpy\nfrom rnncourse.data import tasks\n")
    first_three = ["bad.py:1 imports torch", "bad.py:2 imports rnncourse.models",
                   "bad.py:3 imports rnncourse.viz"]
    assert violations(bad, "data") == first_three
    assert violations(bad, "models") == ["bad.py:3 imports rnncourse.viz"]
    assert violations(bad, None) == [*first_three, "bad.py:5 imports rnncourse.data"]


def mapped(doc: str) -> set[str]:
    """The names a docstring's map lists: lines `    name  sentence`, `    a, b  sentence`
    or `    wing/  sentence` (four spaces, then two or more before the sentence)."""
    names = set()
    for line in doc.splitlines():
        m = re.match(r"^    ([a-z_0-9]+(?:, [a-z_0-9]+)*)/?\s{2,}\S", line)
        if m:
            names |= set(m.group(1).split(", "))
    return names


def docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text()), clean=False) or ""


@pytest.mark.parametrize("wing", sorted(WINGS))
def test_every_wing_docstring_lists_exactly_its_modules(wing):
    files = {p.stem for p in (PACKAGE / wing).glob("*.py")} - {"__init__", "__main__"}
    listed = mapped(docstring(PACKAGE / wing / "__init__.py"))
    if wing == "studies":  # the studies themselves are listed in the registry
        from rnncourse.studies import STUDIES
        listed |= set(STUDIES.values())
    assert files - listed == set(), f"{wing}/__init__.py does not describe {files - listed}"
    assert listed - files == set(), f"{wing}/__init__.py names missing modules {listed - files}"


def test_the_package_docstring_lists_every_wing_and_top_level_module():
    listed = mapped(docstring(PACKAGE / "__init__.py"))
    assert listed == WINGS | TOP_LEVEL - {"__init__"}


def test_the_map_check_can_fail():
    assert mapped("x\n    a, b   two modules\n    wing/  a wing\n  c   too little indent\n"
                  "    d one space\n") == {"a", "b", "wing"}


def test_same_idea_same_module_name_in_both_code_wings():
    scratch = {p.stem for p in (PACKAGE / "scratch").glob("*.py")}
    models = {p.stem for p in (PACKAGE / "models").glob("*.py")}
    for idea in ("rnn", "lstm", "gru", "remedies", "search"):
        assert idea in scratch and idea in models, idea


GLOBAL_SEEDING = re.compile(r"torch\.(random\.)?manual_seed\(|fork_rng\(|torch\.seed\(|"
                            r"np\.random\.seed\(")


def global_seeding(text: str) -> list[str]:
    """The lines of `text` that seed or fork a global generator."""
    return [line.strip() for line in text.splitlines() if GLOBAL_SEEDING.search(line)]


def test_seeds_reach_torch_only_through_the_seeding_helper():
    """No `torch.manual_seed`, `fork_rng` or `np.random.seed` in the package (outside
    models/seeding.py), the scripts or the chapters: seeds are arguments, torch's global
    generator is seeded in one place. (`torch.Generator().manual_seed(s)` makes a generator
    of one's own and is not matched.)"""
    root = PACKAGE.parent
    files = [p for p in sorted(PACKAGE.rglob("*.py")) if p.name != "seeding.py"]
    files += sorted((root / "scripts").glob("*.py")) + sorted((root / "book").glob("*.ipynb"))
    found = {str(p.relative_to(root)): hits for p in files
             if (hits := global_seeding(p.read_text()))}
    assert not found, f"global seeding outside models/seeding.py: {found}"


def test_the_seeding_check_can_fail():
    assert global_seeding("with torch.random.fork_rng(devices=[]):\n    torch.manual_seed(3)")
    assert global_seeding("np.random.seed(0)")
    assert not global_seeding("g = torch.Generator().manual_seed(seed)\nrng = default_rng(0)")
