# Two commands on a fresh machine: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run run-central test proofs lint bench venv clean

PY_DIRS := core/rhi_core desktop/rhi_desktop central/rhi_central tests benchmarks

# The workspace: the three packages editable, plus the test tools (pyproject.toml's groups).
$(STAMP): pyproject.toml core/pyproject.toml desktop/pyproject.toml central/pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/pip install --quiet -e ./core -e ./desktop -e './central[pdf]' --group test
	@touch $(STAMP)

# Test-only node tools for the console's browser tests (axe-core, a real OpenID provider),
# exactly as pinned in the lockfile.
NODE_TOOLS := tests/console/node
NODE_STAMP := $(NODE_TOOLS)/node_modules/.package-lock.json
$(NODE_STAMP): $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the console's browser tests: apt-get install nodejs npm"; exit 1; }
	cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $(NODE_STAMP)

venv: $(STAMP) $(NODE_STAMP)

# With no display (a server, CI), say so and prove the app works by rendering it offscreen.
# `make run CENTRAL=1` (or `make run-central`) starts the central store with a fresh demo and its
# console instead, and prints the console's address and a demo sign-in.
run: $(STAMP)
	@if [ -n "$(CENTRAL)" ]; then \
	  $(BIN)/rhi-central demo serve; \
	elif [ "$$(uname)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY$$QT_QPA_PLATFORM" ]; then \
	  echo "No display here, so the window cannot open: run 'xvfb-run make run' (or use a desktop session)."; \
	  $(BIN)/rhi-desktop screenshot --demo --view caseload --out out/caseload.png >/dev/null && \
	  echo "Meanwhile the demo caseload was rendered offscreen to out/caseload.png."; \
	else \
	  $(BIN)/rhi-desktop --demo; \
	fi

run-central: $(STAMP)
	$(BIN)/rhi-central demo serve

lint: $(STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint $(NODE_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -m "not slow"

# Long proofs (200-kill crash loop, API fuzzing): bounded, and run by CI after `make test`.
proofs: $(STAMP) $(NODE_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -m slow

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build */build *.egg-info */*.egg-info
