# causal-lessons: the two commands in the README are `make lab` and `make test`.
# Each creates .venv if it is missing and installs the pinned lock into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: lab test install install-dev install-site site benchmark student execute lock clean help

help:
	@echo "make lab        install the course (first time only) and open lesson 00 (student copy) in JupyterLab"
	@echo "make test       install the course and its test tools, then run the whole test suite"
	@echo "make site       build the course website into build/site/ from the committed notebooks, and check it"
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

$(VENV)/.installed-site: $(VENV)/.installed requirements-site.txt
	$(PIP) install -r requirements-site.txt
	touch $@

# MathJax for the website, served by the site itself (pinned in site/package-lock.json; needs Node.js and npm)
MATHJAX := site/node_modules/mathjax/es5/tex-mml-chtml.js
$(MATHJAX): site/package.json site/package-lock.json
	npm ci --prefix site --no-audit --no-fund
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-site: $(VENV)/.installed-site $(MATHJAX)

# JupyterLab refuses to start as root unless told: allow it when this runs as root (e.g. in a container).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(VENV)/.installed
	$(BIN)/jupyter lab $(ALLOW_ROOT) student/00_start_here.ipynb

test: $(VENV)/.installed-dev install-site
	$(BIN)/python -m pytest

# The website: the committed, executed notebooks (never re-executed), the README and docs/; any warning fails
# (-n: a missing page, anchor or cross-reference), then an offline check of every internal link and figure.
site: install-site
	rm -rf build/site build/site-doctrees
	$(BIN)/python -m sphinx -n -W --keep-going -c site -d build/site-doctrees -b html . build/site
	$(BIN)/python tools/check_site.py build/site

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
	rm -rf build test-artifacts .pytest_cache site/node_modules
