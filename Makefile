# The Almere International Desk assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SPACY     := models/spacy/almere_en/meta.json
MODEL     := models/almere.tar.gz
# Debian packages the end-to-end tests use: a browser, and the proxy of the production layout.
TEST_TOOLS := /usr/bin/chromium /usr/sbin/haproxy
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name "*.yml") $(SPACY)
# Rasa and TensorFlow are chatty; keep their logs to warnings.
export TF_CPP_MIN_LOG_LEVEL := 2
export LOG_LEVEL ?= WARNING
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false
export TQDM_DISABLE := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: help setup spacy train run shell test check unit validate conversations e2e lint format eval bench load audit clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(INSTALLED) ## Create .venv with Python 3.10 and the pinned dependencies

$(INSTALLED): requirements.lock pyproject.toml scripts/find-python310
	@python=$$(scripts/find-python310) || exit 1; \
	echo "==> Creating $(VENV) with $$python"; \
	[ -x $(BIN)/python ] || $$python -m venv $(VENV)
	@echo "==> Installing pinned dependencies (requirements.lock)"
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

spacy: $(SPACY) ## Build the project's spaCy pipeline from bot/entities.yml

$(SPACY): bot/entities.yml bot/conversation/spacy_pipeline.py | $(INSTALLED)
	@echo "==> Building the spaCy pipeline"
	$(BIN)/almere build-spacy

train: $(MODEL) ## Train the Rasa model (only when data, config or domain changed)

$(MODEL): $(TRAINING_INPUTS) | $(INSTALLED)
	@echo "==> Training the Rasa model"
	$(BIN)/python -m bot.rasa.command train --fixed-model-name almere --out models
	@touch $@

run: train ## Start the action, Rasa (REST and socket.io) and desk servers; Ctrl-C stops them
	$(BIN)/almere run

shell: train ## Chat in the terminal (starts the action server too)
	$(BIN)/almere shell

test: ## Run every check (what CI runs); fails when the checks changed files of the checkout
	@before=$$(scripts/worktree-state) && \
	$(MAKE) --no-print-directory lint validate unit conversations e2e && \
	after=$$(scripts/worktree-state) && \
	if [ "$$before" != "$$after" ]; then \
	  echo "==> The checks changed these files (tests must write under var/ or a temporary directory):"; \
	  diff <(echo "$$before") <(echo "$$after"); exit 1; \
	fi
	@echo "==> All checks passed"

PYTHON_SOURCES := bot actions tests measure evaluation operations

lint: $(INSTALLED) ## Static checks: ruff's rules (pyproject.toml), its formatter and mypy on bot/ and actions/
	@echo "==> Lint"
	$(BIN)/ruff check $(PYTHON_SOURCES)
	$(BIN)/ruff format --check $(PYTHON_SOURCES)
	$(BIN)/python -m mypy

format: $(INSTALLED) ## Format the Python sources and apply ruff's safe fixes
	$(BIN)/ruff check --fix $(PYTHON_SOURCES)
	$(BIN)/ruff format $(PYTHON_SOURCES)

validate: $(INSTALLED) ## rasa data validate, failing on any warning
	@echo "==> Validating the training data and domain"
	$(BIN)/rasa data validate --fail-on-warnings

check: lint validate unit ## The quick checks before a commit: lint, validate and the unit tests

unit: $(SPACY) ## Unit tests (tests/unit/, no servers), one worker per core
	@echo "==> Unit tests"
	$(BIN)/python -m pytest -m "not e2e" -q -n auto --dist loadfile

conversations: $(MODEL) ## Rasa conversation tests (intents, entities, actions) on the trained model
	@echo "==> Conversation tests"
	$(BIN)/python -m bot.rasa.command test --stories tests/conversations --model $(MODEL) \
	  --fail-on-prediction-errors --out var/results/conversations

$(TEST_TOOLS):
	@echo "==> Installing Chromium and HAProxy for the end-to-end tests (Debian's packages)"
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) \
	  apt-get install -y -qq --no-install-recommends chromium haproxy

e2e: $(MODEL) | $(TEST_TOOLS) ## End-to-end tests: real servers, a real browser, scale-out and load
	@echo "==> End-to-end tests"
	$(BIN)/python -m pytest -m e2e -q

eval: $(MODEL) ## Answer quality report (reports/eval.md): in-scope questions, conversations, declines, per-intent F1
	$(BIN)/python -m evaluation.quality

bench: $(MODEL) ## Speed and memory report (reports/bench.md) against baselines
	$(BIN)/python -m evaluation.bench

load: $(MODEL) ## Load and open-loop tests on their own local stacks; write reports/load.md, reports/open-loop.md and reports/open-loop-scaled.md
	$(BIN)/python -m operations.load --start postgres --rasa-servers 2
	$(BIN)/python -m operations.open_loop
	$(BIN)/python -m operations.open_loop --scaled

audit: ## Known vulnerabilities of the pinned packages (pip-audit in .venv-audit); see SECURITY.md
	scripts/audit

clean: ## Remove trained models and local state (keeps .venv)
	rm -rf models/*.tar.gz models/spacy var .rasa
