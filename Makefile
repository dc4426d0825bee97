# Every target sets itself up on first use: a project-local uv (from PyPI) and a virtual
# environment with the exact versions in uv.lock.
SHELL := /bin/bash
PYTHON_BOOTSTRAP ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

TARGET ?= local
DATA ?=
PARAMS ?=
SCALE ?= 0.1
SEED ?= 42
OUT ?= .lake/datathon-mlet03-raw/decision
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: help setup pipeline-run pipeline-definition data serve test lint format bench clean \
	serving-requirements bench-serving

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON_BOOTSTRAP) -m venv .uv
	.uv/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON_BOOTSTRAP)
	@touch $@

setup: $(VENV)/.synced ## create the virtual environment from uv.lock

pipeline-run: setup ## run the whole pipeline (TARGET=local|aws, DATA=folder, PARAMS="K=V ...")
	$(PY) -m pipelines.run --target $(TARGET) $(if $(DATA),--data $(DATA)) $(foreach p,$(PARAMS),--param $(p))

pipeline-definition: setup ## compile the definition JSON to build/pipeline-definition.json
	$(PY) -m pipelines.build_definition --target $(TARGET)

data: setup ## generate demo data (SCALE, SEED, OUT, NO_SIGNAL=1)
	$(PY) -m datagen --out $(OUT) --seed $(SEED) --scale $(SCALE) $(if $(NO_SIGNAL),--no-signal)

serve: setup ## serve the champion of the last pipeline run on http://127.0.0.1:$(PORT) (PORT=8000)
	$(PY) -m pipelines.export_model --out build/serving/model
	set -a && source build/serving/serving.env && set +a && exec $(PY) -m serving --port $(PORT)

test: setup ## run the test suite
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

serving-requirements: $(UV) ## export the Lambda image's pinned requirements from uv.lock
	$(UV) export --only-group serving --no-emit-project --no-hashes --frozen \
		--output-file serving/requirements.txt

bench: setup ## time every step at the default and a larger scale
	$(PY) -m benchmarks.pipeline_bench

bench-serving: setup ## time the scoring API: cold start, warm latency, raw predict, targets
	$(PY) -m benchmarks.serving_bench --uv $(UV) --json build/bench/serving-bench.json

clean: ## remove generated data, runs, models and build outputs (not the environment)
	rm -rf .lake .mlflow build
