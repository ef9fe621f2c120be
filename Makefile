# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= demo-out
PYTEST_WORKERS ?= 2

.PHONY: install demo test bench lint docs validate clean

$(STAMP): pyproject.toml requirements.lock package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; fi
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/microneedling demo --out $(OUT)

test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder -q

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

docs: $(STAMP)
	$(BIN)/python docs/gen_pages.py
	$(BIN)/mkdocs build --strict --quiet

validate: $(STAMP)
	$(BIN)/microneedling validate --out validation-out

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
