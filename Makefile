# Two commands set everything up on a fresh machine: `make` and `make test`.
# Each step is skipped when its stamp is newer than what it depends on, so a second `make`
# with nothing changed takes seconds.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ACE_VERSION := 1.4.6
SMS_CALCULATOR_VERSION := 1.3.0
# Report format for validate and lint: text, github (annotations) or json.
FORMAT ?= text

# Debian packages: WeasyPrint's libraries (HarfBuzz subsetting keeps PDFs fast and reproducible).
BUILD_SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
# The tests also drive a real browser and read PDFs.
TEST_SYSTEM_PACKAGES := chromium poppler-utils
# Java (EPUBCheck) and npm (DAISY Ace) ship with this machine image outside dpkg; only when
# the command is missing is the Debian package installed.
TEST_COMMANDS := java:default-jre-headless npm:npm

.DEFAULT_GOAL := all
.PHONY: all help install validate lint build test bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

all: install validate lint build ## Install what is needed, check and lint the sources, build every output

# Installs only the Debian packages that are missing; `apt-get update` only when needed.
define ensure_system_packages
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

$(STAMPS)/system: Makefile
	$(call ensure_system_packages,$(BUILD_SYSTEM_PACKAGES))
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/test-system: Makefile
	$(call ensure_system_packages,$(TEST_SYSTEM_PACKAGES))
	@for pair in $(TEST_COMMANDS); do \
	  command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi
	@mkdir -p $(STAMPS) && touch $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMPS)/install: pyproject.toml $(STAMPS)/system | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(STAMPS)/test-install: pyproject.toml $(STAMPS)/install $(STAMPS)/test-system
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

# DAISY Ace checks the EPUBs; it runs on Debian's Chromium (no browser download).
$(STAMPS)/ace: $(STAMPS)/test-system
	PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install --silent --no-audit --no-fund \
	  --prefix .tools @daisy/ace@$(ACE_VERSION) >/dev/null
	@touch $@

# Twilio's segment calculator: the SMS counts are compared with it (tests/test_sms_encoding.py).
# After Ace, never beside it: two npm installs into one prefix at once would clash.
$(STAMPS)/sms-calculator: $(STAMPS)/ace
	PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install --silent --no-audit --no-fund \
	  --prefix .tools sms-segments-calculator@$(SMS_CALCULATOR_VERSION) >/dev/null
	@touch $@

install: $(STAMPS)/install ## Create .venv and install the project and its system packages

validate: $(STAMPS)/install ## Check every source against its schema and the others
	$(BIN)/handouts validate --format $(FORMAT)

lint: $(STAMPS)/install ## Check plain language, care levels and governance (errors fail)
	$(BIN)/handouts lint --format $(FORMAT)

build: $(STAMPS)/install ## Build every output into outputs/ (only what changed)
	$(BIN)/handouts build

# Every test, in parallel (pytest-xdist); the slow ones are spread across the workers as
# they free up. PYTEST_ARGS adds options, e.g. PYTEST_ARGS="-x -k build".
PYTEST_ARGS ?=
# Two test processes a core: most tests wait on builds' worker processes, Chromium, Java or the
# disk (one process a core kept the CPUs under half busy), so more processes finish sooner.
TEST_WORKERS ?= $(shell echo $$(( 2 * $$(nproc) )))
test: $(STAMPS)/test-install $(STAMPS)/ace $(STAMPS)/sms-calculator ## Install what the tests need and run them all
	$(BIN)/handouts validate
	$(BIN)/handouts lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

bench: $(STAMPS)/install ## Print build timings and memory (writes outputs/.bench/results.json)
	$(BIN)/python -m pipeline.bench

clean: ## Remove outputs and caches (keeps .venv)
	rm -rf outputs .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
