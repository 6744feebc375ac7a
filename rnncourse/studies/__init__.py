"""studies/: every study whose results a chapter quotes, as package code.

A study is one module: a `Config` dataclass (the setting the committed results were made
with), `SMOKE` (a tiny one for tests), `VARIANTS`, `SEEDS` and `run(variant, seed,
config) -> dict`. The chapter calls `run` for its small live run and reads the committed
results through `record.load`; `python -m rnncourse.studies NAME` (`runner.py`) runs every
variant over the seeds and writes `results/NAME.json` with its provenance (`record.py`).
`make results` runs them all.

    record    the one schema of results files, provenance, and the chapters' loader
    runner    the one runner (worker processes, one thread each) and its command line
    (the studies are listed in STUDIES below, name -> module)

A study in AWAITING_RUN is ported and smoke-tested, but `results/<name>.json` has not yet
been made by it: its chapter still reads the file of the script it replaces. Running it
(`python -m rnncourse.studies NAME`) and porting the chapter takes the name off the list.
"""

# study name (results/<name>.json) -> module of this wing. A name is listed here once its
# module exists (tests run every listed study in its smoke setting).
STUDIES: dict[str, str] = {
    "pooling": "pooling",            # Chapter 6
    "baum_welch": "baum_welch",      # Chapter 1
    "bptt_gradcheck": "bptt_gradcheck",    # Chapter 3
    "bptt_truncation": "bptt_truncation",  # Chapter 3
    "char_lm": "char_lm",            # Chapter 3
    "tagging": "tagging",            # Chapter 6
    "hierarchical": "hierarchical",  # Chapter 6
    "char_lstm": "char_lstm",        # Chapter 6
    "skip_stacks": "skip_stacks",    # Chapter 6
    "packing": "packing",            # Chapter 6
    "long_range": "long_range",      # Chapter 5
    "decay_rates": "decay_rates",    # Chapter 5
    "adding_short": "adding_short",  # Chapter 5
    "divergence": "divergence",      # Chapter 2
    "remedies": "remedies",          # Chapter 4
    "dates": "dates",                # Chapter 7
    "reversal": "reversal",          # Chapter 7
    "copy_attention": "copy_attention",  # Chapter 7
    "toy_search": "toy_search",      # Chapter 7
    "captioning": "captioning",      # Chapter 8
    "penalty_sweep": "penalty_sweep",  # Chapter 8
    "hard_attention": "hard_attention",  # Chapter 8
    "tradeoffs": "tradeoffs",        # Chapter 9
    "scan_timing": "scan_timing",    # Chapter 10
    "parity": "parity",              # Chapter 10
    "selective_copy": "selective_copy",  # Chapter 10
    "recall": "recall",              # Chapter 10
    "adding_long": "adding_long",    # Chapter 10
    "tradeoffs_small": "tradeoffs_small",  # Chapter 9
}

# ported, smoke-tested, not yet run in full (tests assert each has no results file in the
# schema yet, so the list cannot go stale)
AWAITING_RUN: frozenset[str] = frozenset()
