# rnncourse: two commands do everything on a fresh machine.
#   make book   set up .venv, execute the chapters, write the HTML book to _build/html
#   make test   set up .venv, run the whole test suite (pytest --nbval-lax, grading
#               contract, a clean book build with warnings as errors)
# Other targets: venv, exercises (regenerate exercises/ from solutions/), budgets
# (measure notebook and autograding times against COURSE.md), lint, clean.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
STAMP  := $(VENV)/.installed

# Kernels started by jupyter-book, nbval and nbgrader must be this venv's python.
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter
# nbgrader calls helpers (alembic) by name: the venv's bin/ goes first on PATH.
export PATH := $(BIN):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# One BLAS/OpenMP/torch thread per process: the course's matrices are small, and one
# thread keeps the second core free (measure one against two on your machine with
# scripts/bench_bptt.py --threads 1,2). Override: `make test OMP_NUM_THREADS=2`.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

BOOK_FLAGS := --all -W -n --keep-going

.PHONY: venv book test exercises budgets lint clean freeze

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' \
		|| (echo "Set PYTHON=/path/to/python3.11"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (rnncourse)" > /dev/null
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo "Open $(CURDIR)/_build/html/index.html in a browser."

# Two parts: everything single-threaded on both cores (pytest-xdist, one worker per core;
# a file's tests stay on one worker, so a notebook's cells run in order in one kernel),
# then the tests that use two threads themselves (marker `alone`), with the machine to
# themselves: beside one busy process, Chapter 3's two-thread re-execution took over 600 s
# instead of 61 s. Both parts always run; the first non-zero exit code is kept.
test: $(STAMP)
	@status=0; \
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not alone" || status=$$?; \
	$(BIN)/python -m pytest -m alone || { s=$$?; [ $$status -ne 0 ] || status=$$s; }; \
	exit $$status

exercises: $(STAMP)
	@for d in solutions/*/; do \
		$(BIN)/nbgrader generate_assignment --force --log-level=WARN $$(basename $$d) || exit 1; \
	done


budgets: $(STAMP)
	$(BIN)/python scripts/budgets.py

lint: $(STAMP)
	$(BIN)/ruff check rnncourse tests

freeze: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable

clean:
	rm -rf _build .pytest_cache
