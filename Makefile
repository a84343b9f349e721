# bcci-logistics: the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test lint-imports migrate seed worker beat bench-routing clean help

help:
	@echo "make run   - create .venv, install, migrate, seed a demo province, serve http://$(HOST):$(PORT)"
	@echo "make test  - install test dependencies and run the whole suite"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (apt-get install python3 python3-venv)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "python venv failed: on Debian/Ubuntu run 'apt-get install python3-venv'"; exit 1; }
	@$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/logistics serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint-imports: install-test
	$(BIN)/lint-imports

migrate: install
	$(BIN)/logistics db upgrade

seed: install
	$(BIN)/logistics seed

worker: install
	$(BIN)/logistics worker

beat: install
	$(BIN)/logistics beat

clean:
	rm -rf $(VENV) var .pytest_cache
