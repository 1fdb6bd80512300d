# Two commands do everything on a fresh machine: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: the embedded CJK font for PDFs, pdftoppm/pdftotext, Chromium for browser tests.
DOC_DEBS := fonts-wqy-zenhei poppler-utils
TEST_DEBS := $(DOC_DEBS) chromium chromium-driver
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv demo test lint bench bench-quick serve clean doc-debs test-debs

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

define install_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

doc-debs:
	$(call install_debs,$(DOC_DEBS))

test-debs:
	$(call install_debs,$(TEST_DEBS))

# The main job on the embedded default: a fresh SQLite database with the bundled county,
# the next day planned and confirmed, route packs and map sheets printed, a realistic day of
# signed notes and cash recorded, and next morning's reconciliation.
demo: venv doc-debs
	@rm -rf $(DATA)/dispatch.db $(DATA)/dispatch.db-wal $(DATA)/dispatch.db-shm $(DATA)/print $(DATA)/networks
	@DISPATCH_DATA_DIR=$(DATA) $(BIN)/dispatch db upgrade
	@DISPATCH_DATA_DIR=$(DATA) $(BIN)/dispatch scenario load
	@DISPATCH_DATA_DIR=$(DATA) $(BIN)/dispatch summary
	@echo
	@DISPATCH_DATA_DIR=$(DATA) $(BIN)/dispatch plan --time-limit 20 --confirm
	@echo
	@DISPATCH_DATA_DIR=$(DATA) $(BIN)/dispatch print --out $(DATA)/print
	@echo
	@DISPATCH_DATA_DIR=$(DATA) $(BIN)/dispatch outcome simulate
	@DISPATCH_DATA_DIR=$(DATA) $(BIN)/dispatch finance reconcile --xlsx $(DATA)/reconcile.xlsx
	@echo
	@echo "database:        $(abspath $(DATA))/dispatch.db"
	@echo "route packs, map sheets and the overview map: $(abspath $(DATA))/print/"
	@echo "reconciliation:  $(abspath $(DATA))/reconcile.xlsx"
	@echo "next: make serve (the API on http://127.0.0.1:8000/docs), dispatch --help"

# The whole suite, SQLite and PostgreSQL (DISPATCH_TEST_PG_URL; 127.0.0.1:5432 when CI is set).
test: venv test-debs
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy optimizer maps models services scenarios cli api ledger documents bench

# Benchmarks (figures, never assertions); results in bench-results/. `make bench-quick` is shorter.
bench: venv
	@mkdir -p bench-results
	$(BIN)/python -m bench.network_bench
	$(BIN)/dispatch bench --set X --max-n 400 --time-limit 30
	$(BIN)/dispatch bench --set solomon --set GH200 --time-limit 30
	$(BIN)/dispatch bench --set A --set B --set P --time-limit 10
	$(BIN)/python -m bench.dispatch_bench
	$(BIN)/python -m bench.day_after_day --days 15
	$(BIN)/python -m bench.day_after_day --days 15 --generated 23
	$(BIN)/python -m bench.api_load

bench-quick: venv
	@mkdir -p bench-results
	$(BIN)/python -m bench.network_bench
	$(BIN)/dispatch bench --set P --time-limit 5
	$(BIN)/python -m bench.dispatch_bench --quick

serve: venv
	DISPATCH_DATA_DIR=$(DATA) $(BIN)/python -m uvicorn api.main:app --host 127.0.0.1 --port 8000

clean:
	rm -rf $(VENV) $(DATA) bench-results .pytest_cache .mypy_cache .ruff_cache
