# The README's two commands: `make demo` and `make test`. CI runs `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CCHC := $(BIN)/cchc
CONFORMANCE := ../shared/conformance/run

# The main job: the shipped national and provincial rulesets on real reported figures.
DEMO_RULESET := rulesets/tuyen-quang/cchc-2021-2030.yaml
DEMO_DATA := $(sort $(wildcard examples/demo/*.yaml))
DEMO_ARGS := $(DEMO_RULESET) $(addprefix --data ,$(DEMO_DATA))

.PHONY: demo demo-records demo-index test lint unit conformance bench fuzz system-deps clean report-screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	@mkdir -p out
	$(CCHC) validate rulesets
	$(CCHC) evaluate $(DEMO_ARGS) --format table || test $$? -eq 1
	$(CCHC) report $(DEMO_ARGS) --format html --output out/report.html
	$(CCHC) report $(DEMO_ARGS) --format pdf --output out/report.pdf
	@echo "wrote out/report.html and out/report.pdf"

# docs/records.md: the Decision 766 figures counted from a Parquet export of dossier records.
RECORDS_ARGS := rulesets/national/qd766-records.yaml --units examples/records/units.csv \
  --records 'dossiers=examples/records/*.parquet'
demo-records: $(VENV)/.installed
	@mkdir -p out
	$(CCHC) validate rulesets/national/qd766-records.yaml
	$(CCHC) evaluate $(RECORDS_ARGS) --period 2025 --format table || test $$? -eq 1
	$(CCHC) report $(RECORDS_ARGS) --format html --output out/records-report.html
	@echo "wrote out/records-report.html"

# docs/index-workbooks.md: the province's CCHC index, from the blank workbooks to the annex.
# The returned workbooks are ILLUSTRATIVE (examples/index/generate.py fills them from a seed:
# openpyxl, the dev extra); the criteria set follows the structure of Hà Nội's QĐ 5666.
INDEX_RULESET := rulesets/examples/province-index.yaml
INDEX_UNITS := examples/index/don-vi.csv
INDEX_ARGS := $(INDEX_RULESET) --data out/index/figures.csv --data out/index/khao-sat.csv \
  --data out/index/nam-truoc.csv --units $(INDEX_UNITS) --evidence out/index/evidence.csv
demo-index: $(VENV)/.installed-dev
	@mkdir -p out/index
	$(CCHC) validate $(INDEX_RULESET)
	$(BIN)/python examples/index/generate.py out/index
	$(CCHC) collect $(INDEX_RULESET) out/index/da-tham-dinh --units $(INDEX_UNITS) \
	  --period 2025 --output out/index/figures.csv --evidence out/index/evidence.csv \
	  || test $$? -eq 1
	$(CCHC) publish $(INDEX_ARGS) --format xlsx --output out/index/phu-luc.xlsx
	$(CCHC) publish $(INDEX_ARGS) --format pdf --output out/index/phu-luc.pdf
	@echo "wrote out/index/phu-luc.pdf and out/index/phu-luc.xlsx"

# The picture in docs/report.md: the demo's HTML report in headless Chromium.
report-screenshot: $(VENV)/.installed-dev system-deps
	@mkdir -p out docs/img
	$(CCHC) report $(DEMO_ARGS) --format html --output out/report.html
	$(BIN)/python -c "import sys; sys.path.insert(0, 'tests'); \
	  from test_browser import screenshot; screenshot('out/report.html', 'docs/img/report.png')"

# Debian's chromium (browser tests), libharfbuzz-subset0 (WeasyPrint font subsetting) and
# libreoffice-calc-nogui (the form opened in LibreOffice: tests/test_form_libreoffice.py).
system-deps:
	@if ! command -v chromium >/dev/null || ! ldconfig -p | grep -q libharfbuzz-subset \
	    || ! command -v soffice >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium libharfbuzz-subset0 poppler-utils \
	    libreoffice-calc-nogui; \
	fi
	@# The records agreement test: a throw-away PostgreSQL 15 cluster and Spark's Java runtime.
	@if ! command -v java >/dev/null || [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 openjdk-17-jre-headless; \
	fi

# ruff, then the layers of docs/architecture.md (import-linter contracts in pyproject.toml),
# then the types of the package (mypy; its config is [tool.mypy] in pyproject.toml).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check cchc_rules tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

unit: $(VENV)/.installed-dev system-deps
	$(BIN)/python -m pytest

# Spec v2 cases (../shared/conformance/v2) join here as their issue makes them pass.
V2_PASSING := merger-baseline-restated scoring-proportional-rank time-quarters-sum-last
# Spec v3 cases (../shared/conformance/v3), the same way.
V3_PASSING := before-baseline merger-quarter-restated
conformance: $(VENV)/.installed
	@if [ -d ../shared/conformance ]; then CCHC=$(CURDIR)/$(CCHC) $(BIN)/python $(CONFORMANCE) \
	  ../shared/conformance/cases $(addprefix ../shared/conformance/v2/,$(V2_PASSING)) \
	  $(addprefix ../shared/conformance/v3/,$(V3_PASSING)); \
	else echo "skipped the shared conformance cases: ../shared/conformance not found" \
	  "(tests/conformance covers the same ground, run by make unit)"; fi

test: lint unit conformance

bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.serve_latency
	$(BIN)/python -m bench.records
	nice -n 10 $(BIN)/python -m bench.incremental
	$(BIN)/python -m bench.index

# The standing fuzz suite with a large budget (make test runs it with a small one).
fuzz: $(VENV)/.installed-dev
	CCHC_FUZZ_EXAMPLES=$${CCHC_FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest tests/trust/test_fuzz.py -p no:cacheprovider

clean:
	rm -rf out .pytest_cache .ruff_cache
