"""The package's layout rules (see rnncourse/__init__.py), checked on the source with ast:
which wing may import what, and that every module lives in a wing or is a top-level
module every wing uses."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rnncourse"
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


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_import_rules(path):
    rel = path.relative_to(PACKAGE)
    banned_roots, banned_wings = RULES[rel.parts[0]] if len(rel.parts) == 2 else TOP_RULES
    for name, line in imports(path):
        parts = name.split(".")
        assert parts[0] not in banned_roots, f"{rel}:{line} imports {name}"
        if parts[0] == "rnncourse" and len(parts) > 1:
            assert parts[1] not in banned_wings, f"{rel}:{line} imports {name}"


def test_the_rules_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nfrom rnncourse import models\nfrom rnncourse.viz import style\n")
    names = [n for n, _ in imports(bad)]
    assert "torch" in names and "rnncourse.models" in names and "rnncourse.viz" in names


def test_same_idea_same_module_name_in_both_code_wings():
    scratch = {p.stem for p in (PACKAGE / "scratch").glob("*.py")}
    models = {p.stem for p in (PACKAGE / "models").glob("*.py")}
    for idea in ("rnn", "lstm", "gru", "remedies", "search"):
        assert idea in scratch and idea in models, idea
