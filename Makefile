# rnncourse: two commands do everything on a fresh machine.
#   make book   set up .venv, execute the chapters, write the HTML book to _build/html
#   make test   set up .venv, run the whole test suite (pytest --nbval-lax, grading
#               contract, a clean book build with warnings as errors)
#   make check  the fast tier while working: package tests, grading contract, lint
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

.PHONY: venv book test check exercises budgets results lint clean freeze learner-tools instructor-tools

venv: $(STAMP)

# pip --no-compile: Python compiles what it imports on first use instead of every installed
# file up front (the requirements installed in 88 s instead of 152 s, side by side, 2026-12-07).
# That needs Python to be allowed to write its bytecode: where the environment forbids it
# (PYTHONDONTWRITEBYTECODE, set on some CI machines), every kernel and command would compile
# torch, NumPy, Jupyter and nbgrader from source again (importing them took 14-16 s instead of
# 5.5-6 s in a fresh clone's venv, 2026-12-07), so make's commands run without it.
unexport PYTHONDONTWRITEBYTECODE
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' \
		|| (echo "Set PYTHON=/path/to/python3.11"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (rnncourse)" > /dev/null
	$(MAKE) --no-print-directory learner-tools
	touch $(STAMP)

# nbgrader's JupyterLab tools: learners see Assignments and Validate, not the instructor's
# Formgrader, Create Assignment and Course List (`make instructor-tools` brings them back
# in this .venv).
NBGRADER_LAB := nbgrader:formgrader nbgrader:create-assignment nbgrader:course-list
NBGRADER_SERVER := nbgrader.server_extensions.formgrader nbgrader.server_extensions.course_list

learner-tools:
	@$(BIN)/jupyter labextension disable --level=sys_prefix $(NBGRADER_LAB) > /dev/null 2>&1
	@$(BIN)/jupyter labextension lock --level=sys_prefix $(NBGRADER_LAB) > /dev/null 2>&1
	@$(BIN)/jupyter server extension disable --sys-prefix $(NBGRADER_SERVER) > /dev/null 2>&1

instructor-tools: $(STAMP)
	@$(BIN)/jupyter labextension unlock --level=sys_prefix $(NBGRADER_LAB) > /dev/null 2>&1
	@$(BIN)/jupyter labextension enable --level=sys_prefix $(NBGRADER_LAB) > /dev/null 2>&1
	@$(BIN)/jupyter server extension enable --sys-prefix $(NBGRADER_SERVER) > /dev/null 2>&1
	@echo "nbgrader's instructor tools are on in $(VENV); 'make learner-tools' switches them off."

book: $(STAMP)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo "Open $(CURDIR)/_build/html/index.html in a browser."

# Everything on both cores (pytest-xdist, one single-threaded worker per core). With
# `--dist loadscope` a file's tests stay on one worker (a notebook's cells run in order in
# one kernel, the book is built once), and a test class is a unit of its own: the
# robustness re-executions are one class per chapter, so they spread over both cores.
# (`--dist loadgroup` would be the tool, but xdist 3.8 cannot rename pytest 9's node ids.)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope

# The fast tier, while working: package tests, the grading contract in process, lint
# (no book build, no chapter executions, no autograding; 2-3 minutes on 2 cores).
check: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow" tests
	$(BIN)/ruff check rnncourse tests

exercises: $(STAMP)
	@for d in solutions/*/; do \
		$(BIN)/nbgrader generate_assignment --force --log-level=WARN $$(basename $$d) || exit 1; \
	done


# Every results file the chapters read, from the studies in rnncourse/studies (hours on two
# cores; one study: .venv/bin/python -m rnncourse.studies NAME).
results: $(STAMP)
	$(BIN)/python -m rnncourse.studies all

budgets: $(STAMP)
	$(BIN)/python scripts/budgets.py

lint: $(STAMP)
	$(BIN)/ruff check rnncourse tests

freeze: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable

clean:
	rm -rf _build .pytest_cache
