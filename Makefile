# Two commands for a newcomer: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The suite runs on two workers, a test module per worker at a time (its nodes and module
# fixtures stay together); most of its time is real processes waiting on real epochs.
TEST_WORKERS ?= 2

SOURCES := servicelayer contracts node tests migrations testnet

.PHONY: demo test lint venv clean bytecode

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "needs $(PYTHON) on PATH"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Compiled once here: where PYTHONDONTWRITEBYTECODE is set (it is on the machines this
# project is built on) every node and CLI process would compile its sources again, about
# 0.6 s of CPU each.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q $(SOURCES)

demo: bytecode
	$(BIN)/acenode demo

test: bytecode
	@scripts/system-deps
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
