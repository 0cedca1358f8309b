# Two commands on a fresh machine: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test proofs lint bench venv clean

PACKAGES := core desktop central
PY_DIRS := core/rhi_core desktop/rhi_desktop central/rhi_central tests benchmarks

# The workspace: the three packages editable, plus the test tools (pyproject.toml's groups).
$(STAMP): pyproject.toml core/pyproject.toml desktop/pyproject.toml central/pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/pip install --quiet $(foreach p,$(PACKAGES),-e ./$(p)) --group test
	@touch $(STAMP)

venv: $(STAMP)

# With no display (a server, CI), say so and prove the app works by rendering it offscreen.
run: $(STAMP)
	@if [ "$$(uname)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY$$QT_QPA_PLATFORM" ]; then \
	  echo "No display here, so the window cannot open: run 'xvfb-run make run' (or use a desktop session)."; \
	  $(BIN)/rhi-desktop screenshot --demo --view caseload --out out/caseload.png >/dev/null && \
	  echo "Meanwhile the demo caseload was rendered offscreen to out/caseload.png."; \
	else \
	  $(BIN)/rhi-desktop --demo; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -m "not slow"

# Long proofs (200-kill crash loop, API fuzzing): bounded, and run by CI after `make test`.
proofs: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -m slow

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build */build *.egg-info */*.egg-info
