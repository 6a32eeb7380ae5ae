# Everything a newcomer needs: `make demo` and `make test`. The Makefile owns its virtualenv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EXAMPLE := examples/shop
NODE_STAMP := tests/backstage/node_modules/.installed-stamp
TECHDOCS := .venv-techdocs
TECHDOCS_STAMP := $(TECHDOCS)/.installed-stamp

.PHONY: demo test lint typecheck unit bench mutation golden docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "fmcat needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(STAMP)
	@echo "== fmcat lint $(EXAMPLE)  (findings are expected: the example has deliberate gaps)"
	@$(BIN)/fmcat lint $(EXAMPLE); status=$$?; [ $$status -le 1 ] || exit $$status
	@echo
	@echo "== fmcat render $(EXAMPLE) -o $(EXAMPLE)/site  (the catalog as a runbook site)"
	@$(BIN)/fmcat render $(EXAMPLE) -o $(EXAMPLE)/site
	@echo "Runbook site: $(EXAMPLE)/site/index.html"
	@echo
	@echo "== fmcat checklist $(EXAMPLE)  (the review checklist: Markdown for a pull request)"
	@$(BIN)/fmcat checklist $(EXAMPLE)
	@echo
	@echo "== fmcat alerts slo $(EXAMPLE)  (SLO burn-rate alerting rules from the catalog's objectives)"
	@$(BIN)/fmcat alerts slo $(EXAMPLE)
	@echo
	@echo "Next: open $(EXAMPLE)/site/index.html; 'fmcat explain FM017' explains a rule and"
	@echo "      'fmcat rules' lists them all; edit $(EXAMPLE)/failure-modes/*.yaml and run"
	@echo "      'make demo' again."

# The three installs first, side by side: each waits mostly on downloads, which pip and npm make
# one at a time, so together they take about the time of the longest (docs/testing.md says
# where a clean clone's `make test` spends its time).
test:
	@$(MAKE) --no-print-directory -j3 $(STAMP) $(NODE_STAMP) $(TECHDOCS_STAMP)
	@$(MAKE) --no-print-directory unit lint typecheck

# Most of the time goes into the CLI run as a subprocess, each run importing fmcat anew (the
# run ends with its 30 slowest tests). So fmcat's bytecode is compiled once here: with
# PYTHONDONTWRITEBYTECODE=1 (set on the project's machines) every subprocess would compile src/
# again; Python checks a .pyc against its source, so an edit is never missed.
# Two test processes by default (pytest-xdist), each test file whole in one of them, so that a
# module's one site build and one browser stay one: most tests wait on a subprocess, and two
# workers keep both cores busy (604 s of tests took 353 s). The tight time bounds
# (tests/test_bad_input.py) count CPU time, which a second worker does not inflate.
# TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= 2
unit: $(STAMP) $(NODE_STAMP) $(TECHDOCS_STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=30

# Backstage's own entity validators (npm) and TechDocs' builder (PyPI, in its own virtualenv:
# it pins an older mkdocs-material), for tests/test_backstage.py and tests/test_techdocs.py.
$(NODE_STAMP): tests/backstage/package-lock.json
	@if command -v npm >/dev/null; then \
		cd tests/backstage && npm ci --no-audit --no-fund --silent && touch node_modules/.installed-stamp; \
	else echo "npm not found: tests/test_backstage.py will be skipped (CI fails it)"; fi

$(TECHDOCS_STAMP): tests/techdocs/requirements.txt
	$(PYTHON) -m venv $(TECHDOCS)
	$(TECHDOCS)/bin/python -m pip install --quiet -r tests/techdocs/requirements.txt
	@touch $@

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The benchmark's peers (bandit; ruff comes with dev) and a pinned corpus it downloads itself.
BENCH_STAMP := $(VENV)/.bench-installed-stamp

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py

# Mutation testing of the code rules (bench/mutation.py, cosmic-ray), bounded in time; it edits
# src/fmcat/scan/ in place, one mutant at a time: run it on a clean tree and edit nothing meanwhile.
# A second run resumes; `bench/mutation.py --recheck` runs the survivors again with new tests.
MUTATION_MINUTES ?= 40
mutation: $(BENCH_STAMP)
	$(BIN)/python bench/mutation.py --minutes $(MUTATION_MINUTES)

# Regenerate the golden files and the rule reference; review the diff like code.
golden: $(STAMP)
	FMCAT_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py tests/test_formats.py tests/test_docs.py tests/test_schema.py \
		tests/test_render_golden.py tests/test_config_command.py tests/test_checklist.py tests/test_init.py \
		tests/test_slo.py tests/test_blast.py tests/test_backstage.py tests/test_org_render.py tests/test_interchange.py -q

docs: golden

clean:
	rm -rf $(VENV) $(TECHDOCS) tests/backstage/node_modules build dist .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
