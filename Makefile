# IEP Guide. Two commands matter:
#   make run    install what is missing, train if data changed, start the bot, print the URL
#   make test   everything CI runs: lint, data validation, pytest (server, PostgreSQL,
#               browser, conversation scripts, the NLU gate), Rasa test stories (end to end)
# While working: `make lint` (ruff and mypy, seconds) and `make unit` (the fast tests).
# Every step is skipped when its inputs have not changed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(PY) -m rasa
# make needs these file names for its dependency graph; the bot's own settings live in
# bot/settings.py, and tests/test_settings.py checks that these agree with them.
MODELS_DIR ?= $(or $(IEP_MODELS_DIR),models)
MODEL     := $(MODELS_DIR)/iep-guide.tar.gz
SPACY     := var/spacy/iep_en/meta.json
MINILM    := var/minilm/.built
VENV_OK   := $(VENV)/.installed
NPM_OK    := node_modules/.installed
BENCH_OK  := .venv-bench/.installed

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) \
                   $(wildcard bot/server/nlu/*.py) $(wildcard bot/nlp/*.py)

.PHONY: help run test setup lint unit system validate train pytest stories bench eval lock clean

help:
	@echo "make run    start IEP Guide (installs and trains as needed), then open the URL it prints"
	@echo "make test   run every check: lint, rasa data validate, pytest, Rasa test stories"
	@echo "make lint   ruff (lint and format check) and mypy"
	@echo "make unit   the fast tests only: no server, browser or PostgreSQL"
	@echo "make bench  speed, memory and NLU quality, side by side with a vanilla rasa init bot"
	@echo "make eval   NLU cross-validation: accuracy, macro-F1, out-of-scope recall/precision"

run: setup $(MODEL)
	@$(PY) -m bot run --models $(MODELS_DIR)

test: setup lint system $(BENCH_OK) validate $(MODEL) pytest stories
	@echo "==> All checks passed."

setup: $(VENV_OK) $(NPM_OK) $(SPACY) $(MINILM)

$(VENV_OK): requirements.txt requirements-model.txt constraints.txt scripts/setup-venv.sh
	@scripts/setup-venv.sh
	@touch $@

$(NPM_OK): package.json package-lock.json
	@echo "==> Installing the web widget (npm ci)"
	@npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# Runs every time (no stamp): it looks for the real programs, so one removed since the
# last run is installed again; when all are there it only says so.
system:
	@scripts/setup-system.sh

# Locust lives in its own venv so gevent/Flask never touch Rasa's pinned packages.
$(BENCH_OK): bot/tools/bench/requirements.txt bot/tools/bench/constraints.txt
	@echo "==> Installing the load tool (Locust) into .venv-bench"
	@"$$(scripts/find-python310.sh)" -m venv .venv-bench
	@.venv-bench/bin/python -m pip install --quiet --disable-pip-version-check \
		-r bot/tools/bench/requirements.txt -c bot/tools/bench/constraints.txt
	@touch $@

$(SPACY): $(VENV_OK) bot/nlp/spacy_pipeline.py $(wildcard bot/vocabulary/*.yml)
	@$(PY) -m bot.nlp.spacy_pipeline

# The sentence model as an ONNX graph, written from the pip-installed weights.
$(MINILM): $(VENV_OK) bot/nlp/minilm_onnx.py
	@$(PY) -m bot.nlp.minilm_onnx
	@touch $@

$(MODEL): $(VENV_OK) $(SPACY) $(MINILM) $(TRAINING_INPUTS)
	@echo "==> Training the model (data or config changed; about a minute on 2 cores)"
	@$(RASA) train --fixed-model-name iep-guide --out $(MODELS_DIR) --quiet
	@touch $@

# Settings in pyproject.toml; .pre-commit-config.yaml runs the same on commit.
lint: $(VENV_OK)
	@echo "==> ruff check, ruff format --check, mypy"
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/ruff format --check --quiet .
	@$(VENV)/bin/mypy

# Everything but the tests that start the bot, a browser or PostgreSQL (markers in
# pyproject.toml; the folders too, so an unmarked test there cannot slip in).
unit: $(VENV_OK) $(SPACY) $(MINILM) $(MODEL)
	@echo "==> fast tests"
	@$(PY) -m pytest -q -m "not server and not postgres and not browser" \
		--ignore=tests/system --ignore=tests/browser

validate: $(VENV_OK) $(SPACY) $(MINILM)
	@echo "==> rasa data validate"
	@$(RASA) data validate --fail-on-warnings --quiet

# Every test runs here: IEP_TEST_SKIP (tests/conftest.py) is for running pytest by hand.
# PYTEST_ARGS adds options, e.g. PYTEST_ARGS=-x, or PYTEST_ARGS="-p no:randomly" (file order).
pytest: $(VENV_OK) $(MODEL)
	@if [ -n "$$IEP_TEST_SKIP" ]; then \
		echo "ERROR: make test runs every test; unset IEP_TEST_SKIP (it is for pytest by hand)." >&2; \
		exit 1; fi
	@echo "==> pytest"
	@$(PY) -m pytest $(PYTEST_ARGS)

# --e2e: the classifier reads each story's parent text, so a wrong intent (or a missed
# IEP word, written [iep](program) in the story) fails the run, not only a wrong action.
stories: $(VENV_OK) $(MODEL)
	@echo "==> Rasa test stories (end to end: real parent text through NLU, then the rules)"
	@$(RASA) test core --model $(MODEL) --stories tests/stories --e2e \
		--fail-on-prediction-errors --out results/stories --quiet

# About 10 minutes: trains both bots, loads each at 1/5/20/50 parents, runs `make eval`,
# writes results/bench/report.md and latency.png, prints a one-line summary last.
bench: setup $(BENCH_OK) $(MODEL)
	@$(PY) -m bot.tools.bench

# NLU cross-validation (3 folds; about 3 minutes on 2 cores): intent accuracy, macro-F1,
# out_of_scope recall/precision and a FallbackClassifier threshold sweep; writes
# results/nlu_eval/confusion_matrix.png, errors.txt and report.json.
eval: $(VENV_OK) $(SPACY) $(MINILM)
	@$(PY) -m bot.tools.nlu_eval --folds 3 --out results/nlu_eval

# Re-resolve every pinned version (run after editing requirements.txt).
lock:
	@rm -rf /tmp/iep-lock && "$$(scripts/find-python310.sh)" -m venv /tmp/iep-lock
	@/tmp/iep-lock/bin/pip install -q "pip==24.0" && /tmp/iep-lock/bin/pip install -q -r requirements.txt
	@{ echo "# Full lock of every Python package (generated by 'make lock' from requirements.txt)."; \
	   echo "# Installs use: pip install -r requirements.txt -c constraints.txt"; \
	   /tmp/iep-lock/bin/pip freeze; } > constraints.txt
	@echo "==> constraints.txt updated"

clean:
	rm -rf models results var/spacy var/minilm var/run var/log
