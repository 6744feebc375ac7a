"""rnncourse.studies: every study runs in its smoke setting through the one runner, writes a
results file in the one schema with its provenance, and reads back through the loader."""

import json

import pytest

from rnncourse.studies import AWAITING_RUN, STUDIES, record, runner


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_every_study_runs_small_and_records_where_it_came_from(name, tmp_path):
    out = tmp_path / f"{name}.json"
    made = runner.run_study(name, seeds=1, workers=1, smoke=True, out=out,
                            command=f"python -m rnncourse.studies {name} --smoke")
    study = runner.module(name)
    back = record.load(name, out)
    assert back.runs == json.loads(json.dumps(made.runs))
    assert len(back.runs) == len(study.VARIANTS) and back.seeds == [0]
    assert {"variant", "seed", "run_cpu_s"} <= set(back.runs[0])
    prov = back.provenance
    assert prov["command"].endswith("--smoke") and prov["versions"]["numpy"]
    assert prov["machine"]["cpus"] >= 1 and prov["wall_s"] >= 0 and prov["commit"]
    back.check_config(made.config)
    with pytest.raises(ValueError, match="another configuration"):
        back.check_config({**made.config, "an_unknown_field": 1})


@pytest.mark.parametrize("name", sorted(set(STUDIES) - AWAITING_RUN))
def test_the_committed_results_are_in_the_schema_and_match_the_package(name):
    """results/<name>.json was made by this study with the configuration the package
    holds now (a chapter quoting it asserts the same)."""
    from dataclasses import asdict

    results = record.load(name)
    results.check_config(asdict(runner.module(name).Config()))
    assert len(results.seeds) >= 1 and results.runs


def test_loading_a_missing_or_foreign_file_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m rnncourse.studies pooling"):
        record.load("pooling", tmp_path / "none.json")
    (tmp_path / "old.json").write_text(json.dumps({"config": {}, "runs": []}))
    with pytest.raises(ValueError, match="schema"):
        record.load("pooling", tmp_path / "old.json")


def test_a_study_awaiting_its_run_has_no_results_in_the_schema_yet():
    """Once results/<name>.json is in the schema, the name comes off AWAITING_RUN (and the
    test above checks it). One test over the whole list, so an empty list is no skip."""
    assert AWAITING_RUN <= set(STUDIES)
    for name in sorted(AWAITING_RUN):
        with pytest.raises((FileNotFoundError, ValueError)):
            record.load(name)
