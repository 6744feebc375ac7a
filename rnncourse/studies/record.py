"""One schema for every results file, and one loader for the chapters.

A study writes `results/<name>.json`:

    {"study": "pooling", "schema": 1,
     "provenance": {"command": ..., "commit": ..., "date": ..., "versions": {...},
                    "machine": {...}, "wall_s": ..., "workers": ..., "threads_per_run": 1},
     "config": {...},            # the study's Config, as run
     "variants": [...], "seeds": [...],
     "runs": [{"variant": ..., "seed": ..., ...}, ...],
     "extra": {...}}             # what does not depend on a seed (baselines, ...)

`load(name)` reads it back as a `Results`, checks the schema, and gives the runs a chapter
needs (`where`, `values`); `Results.check_config(config)` says, in words, how a file was
made with another configuration than the one the package holds now (a chapter asserts it
is not). Chapter: every chapter that quotes a study.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = 1
RESULTS = Path(os.environ.get("RNNCOURSE_RESULTS",
                              Path(__file__).resolve().parents[2] / "results"))


def _commit() -> tuple[str, list[str]]:
    """HEAD's hash, and the files of rnncourse/ that differ from it (the code that made a
    results file is HEAD's only if that list is empty)."""
    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--", "rnncourse"], cwd=root,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)", []
    return sha, sorted(line[3:] for line in status.splitlines() if line.strip())


def _versions() -> dict[str, str]:
    import numpy

    import rnncourse

    out = {"python": platform.python_version(), "numpy": numpy.__version__,
           "rnncourse": rnncourse.__version__}
    for name in ("torch", "scipy"):
        try:
            out[name] = importlib.import_module(name).__version__
        except ImportError:
            pass
    return out


def _machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"system": platform.system(), "machine": platform.machine(), "cpu": cpu,
            "cpus": os.cpu_count()}


def provenance(command: str, wall_s: float, workers: int) -> dict:
    """Who made a results file, with what, where and how long it took."""
    commit, uncommitted = _commit()
    return {"command": command, "commit": commit, "uncommitted": uncommitted,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "versions": _versions(), "machine": _machine(), "wall_s": round(wall_s, 1),
            "workers": workers, "threads_per_run": 1}


@dataclass
class Results:
    """A study's results as written by `write` (see the module docstring)."""

    study: str
    provenance: dict
    config: dict
    variants: list
    seeds: list[int]
    runs: list[dict]
    extra: dict = field(default_factory=dict)

    def where(self, **match) -> list[dict]:
        """The runs whose fields equal `match` (variant=..., seed=..., any run key)."""
        return [r for r in self.runs if all(r.get(k) == v for k, v in match.items())]

    def values(self, key: str, **match) -> list:
        """run[key] for every run matching `match`, in seed order."""
        return [r[key] for r in sorted(self.where(**match), key=lambda r: r["seed"])]

    def check_config(self, config: dict) -> None:
        """Raise ValueError, naming the fields, if this file was made with another
        configuration than `config` (what the package holds now)."""
        config = json.loads(json.dumps(config))
        differ = sorted(k for k in set(config) | set(self.config)
                        if config.get(k) != self.config.get(k))
        if differ:
            raise ValueError(
                f"results/{self.study}.json was made with another configuration "
                f"({', '.join(differ)} differ): run `python -m rnncourse.studies "
                f"{self.study}` again")

    def to_json(self) -> dict:
        return {"study": self.study, "schema": SCHEMA, "provenance": self.provenance,
                "config": self.config, "variants": self.variants, "seeds": self.seeds,
                "runs": self.runs, "extra": self.extra}


def write(results: Results, path: Path | None = None) -> Path:
    path = Path(path) if path is not None else RESULTS / f"{results.study}.json"
    path.write_text(json.dumps(results.to_json(), indent=1) + "\n")
    return path


def load(name: str, path: Path | None = None) -> Results:
    """The results of study `name` (results/<name>.json), checked against the schema."""
    path = Path(path) if path is not None else RESULTS / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python -m rnncourse.studies {name}`")
    data = json.loads(path.read_text())
    if data.get("schema") != SCHEMA or data.get("study") != name:
        raise ValueError(f"{path} is not a results file of study {name!r} in schema {SCHEMA}: "
                         f"run `python -m rnncourse.studies {name}` again")
    missing = [k for k in ("command", "commit", "date", "versions", "machine", "wall_s")
               if k not in data["provenance"]]
    if missing:
        raise ValueError(f"{path}: provenance lacks {missing}")
    return Results(data["study"], data["provenance"], data["config"], data["variants"],
                   data["seeds"], data["runs"], data.get("extra", {}))


def listed(names: Iterable[str]) -> list[Path]:
    return [RESULTS / f"{n}.json" for n in names]
