# causal-lessons: the two commands in the README are `make lab` and `make test`.
# Each creates .venv if it is missing and installs the pinned lock into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: lab test install install-dev benchmark student execute lock clean help

help:
	@echo "make lab        install the course (first time only) and open lesson 00 (student copy) in JupyterLab"
	@echo "make test       install the course and its test tools, then run the whole test suite"
	@echo "make execute    re-execute every lesson in place (after editing one)"
	@echo "make benchmark  time every lesson and every widget's update on one core; rewrite the README's tables"
	@echo "make student    rewrite the committed student copies in student/ (solutions removed) from notebooks/"
	@echo "make lock       regenerate requirements*.txt and environment.yml from pyproject.toml"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] in ((3, 11), (3, 12)), "causal-lessons needs Python 3.11 or 3.12, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=24"

$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# JupyterLab refuses to start as root unless told: allow it when this runs as root (e.g. in a container).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(VENV)/.installed
	$(BIN)/jupyter lab $(ALLOW_ROOT) student/00_start_here.ipynb

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

execute: $(VENV)/.installed-dev
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

benchmark: $(VENV)/.installed-dev
	$(BIN)/python tools/benchmark.py --readme README.md
	$(BIN)/python tools/bench_widgets.py --readme README.md

student: $(VENV)/.installed
	$(BIN)/python tools/student_copies.py --out student

lock: $(VENV)/.installed-dev
	$(BIN)/python tools/lock.py

clean:
	rm -rf build test-artifacts .pytest_cache
