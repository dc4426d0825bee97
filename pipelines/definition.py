"""The match-scoring pipeline, written once with the SageMaker SDK.

    ExtractText ──► Preprocess ──► IngestFeatures
                        │
                        └──► Train ──► Evaluate ──► CheckModelQuality ─ yes ─► Register
                                                          └────────────── no ──► FailModelQuality

- ExtractText (Processing, ExtractInstanceCount instances): OCR of the CV pages without a text
  layer -> the text cache (raw zone), by file content hash.
- Preprocess (Processing): raw lake (JSON + CV files, the text cache) -> curated Parquet splits,
  profiles, report.
- IngestFeatures (Processing): job and applicant profiles -> feature store (offline + online).
- Train (Training, script mode): LightGBM, early stopping on the validation period, MLflow.
- Evaluate (Processing): test-period metrics and the champion comparison -> evaluation.json,
  read by the condition through a PropertyFile and JsonGet.
- CheckModelQuality (Condition): AUC >= MinAuc and not worse than the champion by more than
  MaxAucRegression.
- Register (Processing): MLflow model registry (and, on AWS, the model package group).

`get_pipeline()` is the one entry point: it returns the `Pipeline` for a target. The local
executor (`pipelines.local`) runs the very definition this compiles to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.shapes import (
    OutputDataConfig,
    ProcessingInput,
    ProcessingOutput,
    ProcessingS3Input,
    ProcessingS3Output,
)
from sagemaker.core.training.configs import Compute, InputData, SourceCode
from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import (
    ParameterFloat,
    ParameterInteger,
    ParameterString,
)
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.retry import (
    SageMakerJobExceptionTypeEnum,
    SageMakerJobStepRetryPolicy,
    StepExceptionTypeEnum,
    StepRetryPolicy,
)
from sagemaker.mlops.workflow.steps import CacheConfig, ProcessingStep, TrainingStep
from sagemaker.train import ModelTrainer

from pipelines.config import PROJECT_ROOT, Settings, Target

PROCESSING_ROOT = "/opt/ml/processing"
STEPS_DIR = PROJECT_ROOT / "steps"
TRAINING_DIR = PROJECT_ROOT / "training"
CACHE = CacheConfig(enable_caching=True, expire_after="P30D")
# Every job step retries what is transient (the local executor ignores these: nothing there is):
# - throttled or failed calls to the services a step uses, a few times, quickly;
# - no capacity for the instance type (GPU instances run out in a zone for minutes to hours):
#   new jobs with growing waits (1, 2, 4 ... minutes) for up to 4 hours;
# - a job that failed inside SageMaker, or the account's job quota reached by other jobs: a few
#   times. A quota of 0 (new accounts have 0 GPU training instances) never frees up: retrying
#   cannot help, raise it (README, "Service quotas").
RETRY_POLICIES = [
    StepRetryPolicy(
        exception_types=[StepExceptionTypeEnum.SERVICE_FAULT, StepExceptionTypeEnum.THROTTLING],
        interval_seconds=10,
        backoff_rate=2.0,
        max_attempts=5,
    ),
    SageMakerJobStepRetryPolicy(
        exception_types=[SageMakerJobExceptionTypeEnum.CAPACITY_ERROR],
        interval_seconds=60,
        backoff_rate=2.0,
        expire_after_mins=240,
    ),
    SageMakerJobStepRetryPolicy(
        exception_types=[
            SageMakerJobExceptionTypeEnum.INTERNAL_ERROR,
            SageMakerJobExceptionTypeEnum.RESOURCE_LIMIT,
        ],
        interval_seconds=60,
        backoff_rate=2.0,
        max_attempts=3,
    ),
]


@dataclass(frozen=True)
class PipelineParameters:
    """Every pipeline parameter, declared once and passed to the step builders."""

    input_data_url: ParameterString
    processing_instance_type: ParameterString
    training_instance_type: ParameterString
    training_device: ParameterString
    num_boost_round: ParameterInteger
    stale_after_days: ParameterInteger
    ocr_engine: ParameterString
    extract_instance_count: ParameterInteger
    min_auc: ParameterFloat
    max_auc_regression: ParameterFloat
    model_approval_status: ParameterString
    #: locally only: the registry's state the run starts from (set by `pipelines.run`)
    registry_state: ParameterString | None = None

    def as_list(self) -> list:
        return [value for value in self.__dict__.values() if value is not None]


@dataclass(frozen=True)
class PipelineContext:
    """What every step builder needs besides the parameters."""

    settings: Settings
    target: Target
    session: PipelineSession
    image_uri: str
    training_image_uri: str
    tracking_uri: str
    tracking_store_id: str = ""  # locally, the MLflow store's id (see training_step)

    def s3(self, bucket: str, *parts: str) -> str:
        return "s3://" + "/".join([bucket, self.settings.pipeline_name, *parts])

    def per_execution(self, bucket: str, *parts: str) -> Join:
        """``s3(...)/<execution id>``: an output each execution writes apart from the others."""
        return Join(
            on="/", values=[self.s3(bucket, *parts), ExecutionVariables.PIPELINE_EXECUTION_ID]
        )


def declare_parameters(settings: Settings, target: Target) -> PipelineParameters:
    """Pipeline parameters with defaults from the settings (overridable per execution)."""
    return PipelineParameters(
        input_data_url=ParameterString(
            "InputDataUrl", default_value=settings.input_data_url or settings.dataset_uri
        ),
        processing_instance_type=ParameterString(
            "ProcessingInstanceType", default_value=settings.processing_instance_type
        ),
        training_instance_type=ParameterString(
            "TrainingInstanceType", default_value=settings.training_instance_type
        ),
        training_device=ParameterString(
            "TrainingDevice", default_value="cpu" if target == "local" else settings.training_device
        ),
        num_boost_round=ParameterInteger("NumBoostRound", default_value=1000),
        # In-progress applications older than this many days (before the newest) count as not
        # hired; 0: applications in progress are never labels (the report counts both).
        stale_after_days=ParameterInteger("StaleAfterDays", default_value=0),
        # Reads the CV pages without a text layer: Textract on AWS, rapidocr on this machine
        # (also on AWS, to keep CVs in a region Textract does not serve); none: left unread.
        # rapidocr|textract|none: Preprocess refuses another value, naming the three (the
        # public definition schema has no EnumValues for a parameter).
        ocr_engine=ParameterString(
            "OcrEngine", default_value="rapidocr" if target == "local" else "textract"
        ),
        # ExtractText's instances: the data set's objects are shared out among them by key.
        extract_instance_count=ParameterInteger("ExtractInstanceCount", default_value=1),
        min_auc=ParameterFloat("MinAuc", default_value=0.70),
        max_auc_regression=ParameterFloat("MaxAucRegression", default_value=0.01),
        model_approval_status=ParameterString(
            "ModelApprovalStatus",
            default_value="Approved" if target == "local" else "PendingManualApproval",
        ),
        # Evaluate and Register read the registry (the champion), which their arguments do not
        # name: locally `pipelines.run` sets the registry's state here on every run
        # (`pipelines.registry_state`), so that they are reused only against the same state.
        registry_state=(
            ParameterString("RegistryState", default_value="unknown") if target == "local" else None
        ),
    )


def _processor(
    ctx: PipelineContext, params: PipelineParameters, name: str, instance_count: Any = 1
) -> ScriptProcessor:
    return ScriptProcessor(
        image_uri=ctx.image_uri,
        command=["python3"],
        role=ctx.settings.role_arn,
        instance_count=instance_count,
        instance_type=params.processing_instance_type,
        base_job_name=f"match-{name}",
        sagemaker_session=ctx.session,
        env={
            "MLFLOW_TRACKING_URI": ctx.tracking_uri,
            "MATCH_TARGET": ctx.target,
            "AWS_DEFAULT_REGION": ctx.settings.region,
            "PYTHONUNBUFFERED": "1",
        },
    )


def _input(name: str, source, local_dir: str, sharded: bool = False) -> ProcessingInput:
    """A prefix copied into the job; ``sharded``: each instance gets a share of its objects."""
    return ProcessingInput(
        input_name=name,
        s3_input=ProcessingS3Input(
            s3_uri=source,
            local_path=f"{PROCESSING_ROOT}/input/{local_dir}",
            s3_data_type="S3Prefix",
            s3_input_mode="File",
            s3_data_distribution_type="ShardedByS3Key" if sharded else "FullyReplicated",
        ),
    )


def _output(name: str, destination: str | Join) -> ProcessingOutput:
    return ProcessingOutput(
        output_name=name,
        s3_output=ProcessingS3Output(
            s3_uri=destination,
            local_path=f"{PROCESSING_ROOT}/output/{name}",
            s3_upload_mode="EndOfJob",
        ),
    )


def _output_uri(step: ProcessingStep, name: str):
    return step.properties.ProcessingOutputConfig.Outputs[name].S3Output.S3Uri


def text_cache_uri(ctx: PipelineContext) -> str:
    """Where OCR'd CV text is kept between runs: the raw zone, beside the CVs it came from.

    The text holds what the CVs hold (names, contacts), so it stays under the raw zone's
    access and retention; the curated zone gets features, never CV text.
    """
    return ctx.s3(ctx.settings.raw_bucket, "text-cache")


def extract_text_step(ctx: PipelineContext, params: PipelineParameters) -> ProcessingStep:
    """OCR of the CV pages without a text layer, on ``ExtractInstanceCount`` instances.

    The whole data set is the input, shared out by key: a data set prefix always holds objects
    (the JSON files), while its ``cvs/`` may hold none, and SageMaker refuses an input prefix
    with no object. The cache's prefix is never empty either (``FORMAT.json``).
    """
    processor = _processor(ctx, params, "extract-text", params.extract_instance_count)
    args = processor.run(
        code=str(STEPS_DIR / "extract_text.py"),
        inputs=[
            _input("raw", params.input_data_url, "raw", sharded=True),
            _input("text-cache", text_cache_uri(ctx), "text-cache"),
        ],
        outputs=[
            _output("text-cache", text_cache_uri(ctx)),
            _output("report", ctx.s3(ctx.settings.curated_bucket, "extract-text", "report")),
        ],
        arguments=["--raw-dir", f"{PROCESSING_ROOT}/input/raw"]
        + ["--ocr-engine", params.ocr_engine]
        + ["--text-cache-dir", f"{PROCESSING_ROOT}/input/text-cache"]
        + ["--text-cache-out-dir", f"{PROCESSING_ROOT}/output/text-cache"]
        + ["--report-dir", f"{PROCESSING_ROOT}/output/report"],
    )
    return ProcessingStep(
        name="ExtractText", step_args=args, cache_config=CACHE, retry_policies=RETRY_POLICIES
    )


def preprocess_step(
    ctx: PipelineContext, params: PipelineParameters, extract: ProcessingStep
) -> ProcessingStep:
    curated = ctx.settings.curated_bucket
    outputs = ["train", "validation", "test", "profiles", "report"]
    args = _processor(ctx, params, "preprocess").run(
        code=str(STEPS_DIR / "preprocess.py"),
        inputs=[
            _input("raw", params.input_data_url, "raw"),
            _input("text-cache", _output_uri(extract, "text-cache"), "text-cache"),
        ],
        outputs=[_output(name, ctx.s3(curated, "preprocess", name)) for name in outputs],
        arguments=["--raw-dir", f"{PROCESSING_ROOT}/input/raw"]
        + [arg for name in outputs for arg in (f"--{name}-dir", f"{PROCESSING_ROOT}/output/{name}")]
        + ["--stale-after-days", params.stale_after_days.to_string()]
        # a file ExtractText could not read is tried once more here (not kept)
        + ["--ocr-engine", params.ocr_engine]
        + ["--text-cache-dir", f"{PROCESSING_ROOT}/input/text-cache"],
    )
    return ProcessingStep(
        name="Preprocess", step_args=args, cache_config=CACHE, retry_policies=RETRY_POLICIES
    )


def ingest_step(
    ctx: PipelineContext, params: PipelineParameters, preprocess: ProcessingStep
) -> ProcessingStep:
    curated = ctx.settings.curated_bucket
    inputs = [_input("profiles", _output_uri(preprocess, "profiles"), "profiles")]
    outputs = [_output("report", ctx.s3(curated, "ingest", "report"))]
    arguments = [
        "--profiles-dir",
        f"{PROCESSING_ROOT}/input/profiles",
        "--report-dir",
        f"{PROCESSING_ROOT}/output/report",
        "--backend",
        "local" if ctx.target == "local" else "sagemaker",
        "--group-prefix",
        ctx.settings.pipeline_name,
    ]
    if ctx.target == "local":
        # The local store lives in the curated lake: read it in, write it back (upsert).
        store = f"s3://{curated}/feature-store"
        inputs.append(_input("store", store, "store"))
        outputs.append(_output("store", store))
        arguments += ["--store-in", f"{PROCESSING_ROOT}/input/store"]
        arguments += ["--store-out", f"{PROCESSING_ROOT}/output/store"]
    else:
        # SageMaker Feature Store: groups are created on first use, with their offline store
        # in the curated bucket, written by the execution role.
        arguments += ["--offline-store-uri", ctx.settings.offline_store_uri]
        arguments += ["--role-arn", ctx.settings.role_arn]
    args = _processor(ctx, params, "ingest").run(
        code=str(STEPS_DIR / "ingest_features.py"),
        inputs=inputs,
        outputs=outputs,
        arguments=arguments,
    )
    return ProcessingStep(
        name="IngestFeatures", step_args=args, cache_config=CACHE, retry_policies=RETRY_POLICIES
    )


def _training_environment(ctx: PipelineContext) -> dict[str, str]:
    """The tracking server the run is logged to; locally also the store's id, so that a new
    store (``.mlflow/`` removed) changes Train's cache key instead of reusing a run it lacks."""
    environment = {"MLFLOW_TRACKING_URI": ctx.tracking_uri, "PYTHONUNBUFFERED": "1"}
    if ctx.tracking_store_id:
        environment["MATCH_TRACKING_STORE_ID"] = ctx.tracking_store_id
    return environment


def training_step(
    ctx: PipelineContext, params: PipelineParameters, preprocess: ProcessingStep
) -> TrainingStep:
    trainer = ModelTrainer(
        training_image=ctx.training_image_uri,
        role=ctx.settings.role_arn,
        sagemaker_session=ctx.session,
        base_job_name="match-train",
        source_code=SourceCode(source_dir=str(TRAINING_DIR), entry_script="train.py"),
        compute=Compute(instance_type=params.training_instance_type, instance_count=1),
        hyperparameters={
            "device_type": params.training_device,
            "num_boost_round": params.num_boost_round.to_string(),
            "early_stopping_rounds": 100,
            "learning_rate": 0.05,
            "num_leaves": 4,
            "min_data_in_leaf": 50,
            "lambda_l2": 10.0,
            "experiment_name": ctx.settings.pipeline_name,
        },
        environment=_training_environment(ctx),
        output_data_config=OutputDataConfig(
            s3_output_path=ctx.s3(ctx.settings.artifacts_bucket, "training")
        ),
    )
    args = trainer.train(
        input_data_config=[
            InputData(channel_name=channel, data_source=_output_uri(preprocess, channel))
            for channel in ("train", "validation")
        ]
    )
    return TrainingStep(
        name="Train", step_args=args, cache_config=CACHE, retry_policies=RETRY_POLICIES
    )


def evaluation_step(
    ctx: PipelineContext,
    params: PipelineParameters,
    preprocess: ProcessingStep,
    train: TrainingStep,
    evaluation_report: PropertyFile,
) -> ProcessingStep:
    args = _registry_reader(ctx, params, "evaluate").run(
        code=str(STEPS_DIR / "evaluate.py"),
        inputs=[
            _input("model", train.properties.ModelArtifacts.S3ModelArtifacts, "model"),
            _input("test", _output_uri(preprocess, "test"), "test"),
        ],
        outputs=[_output("evaluation", _registry_reader_output(ctx, params, "evaluation"))],
        arguments=[
            "--model-dir",
            f"{PROCESSING_ROOT}/input/model",
            "--test-dir",
            f"{PROCESSING_ROOT}/input/test",
            "--output-dir",
            f"{PROCESSING_ROOT}/output/evaluation",
            "--model-name",
            ctx.settings.model_name,
            "--max-auc-regression",
            params.max_auc_regression.to_string(),
        ],
    )
    return ProcessingStep(
        name="Evaluate",
        step_args=args,
        property_files=[evaluation_report],
        retry_policies=RETRY_POLICIES,
        cache_config=_registry_cache(params),
    )


def _registry_reader(ctx: PipelineContext, params: PipelineParameters, name: str):
    """A processor for a step that reads the registry: locally it carries the registry's state."""
    processor = _processor(ctx, params, name)
    if params.registry_state is not None:
        processor.env = {**processor.env, "MATCH_REGISTRY_STATE": params.registry_state}
    return processor


def _registry_reader_output(ctx: PipelineContext, params: PipelineParameters, name: str) -> Join:
    """Per execution on SageMaker: each model package's ModelMetrics points at its own
    evaluation. Locally per registry state instead: an execution id in the arguments would make
    every cache key new. A later model under the same state writes over it, and then the cache
    refuses the older entry (its output changed), so nothing stale is reused."""
    if params.registry_state is None:
        return ctx.per_execution(ctx.settings.artifacts_bucket, name)
    return Join(on="/", values=[ctx.s3(ctx.settings.artifacts_bucket, name), params.registry_state])


def _registry_cache(params: PipelineParameters) -> CacheConfig | None:
    """Cached only where the registry's state is a parameter (locally): on SageMaker the step
    reads the champion afresh on every execution."""
    return CACHE if params.registry_state is not None else None


def register_step(
    ctx: PipelineContext,
    params: PipelineParameters,
    train: TrainingStep,
    evaluate: ProcessingStep,
) -> ProcessingStep:
    args = _registry_reader(ctx, params, "register").run(
        code=str(STEPS_DIR / "register.py"),
        inputs=[
            _input("model", train.properties.ModelArtifacts.S3ModelArtifacts, "model"),
            _input("evaluation", _output_uri(evaluate, "evaluation"), "evaluation"),
        ],
        outputs=[_output("registration", _registry_reader_output(ctx, params, "registration"))],
        arguments=[
            "--model-dir",
            f"{PROCESSING_ROOT}/input/model",
            "--evaluation-dir",
            f"{PROCESSING_ROOT}/input/evaluation",
            "--output-dir",
            f"{PROCESSING_ROOT}/output/registration",
            "--model-name",
            ctx.settings.model_name,
            "--approval-status",
            params.model_approval_status,
            "--model-data-url",
            train.properties.ModelArtifacts.S3ModelArtifacts,
            *_model_package_arguments(ctx, evaluate),
        ],
    )
    return ProcessingStep(
        name="Register",
        step_args=args,
        retry_policies=RETRY_POLICIES,
        cache_config=_registry_cache(params),
    )


def _model_package_arguments(ctx: PipelineContext, evaluate: ProcessingStep) -> list:
    """On AWS, registration also creates a model package (approval in Studio drives deploys)."""
    if ctx.target == "local":
        return []
    arguments: list = ["--model-package-group", ctx.settings.package_group]
    arguments += ["--evaluation-uri", _output_uri(evaluate, "evaluation")]
    if ctx.settings.serving_image_uri:
        arguments += ["--inference-image-uri", ctx.settings.serving_image_uri]
    return arguments


def quality_gate(
    params: PipelineParameters,
    evaluate: ProcessingStep,
    evaluation_report: PropertyFile,
    register: ProcessingStep,
) -> ConditionStep:
    def metric(path: str) -> JsonGet:
        return JsonGet(step_name=evaluate.name, property_file=evaluation_report, json_path=path)

    auc = metric("metrics.auc")
    champion_floor = metric("gate.champion_floor")
    fail = FailStep(
        name="FailModelQuality",
        error_message=Join(
            on=" ",
            values=[
                "Model not registered: test AUC",
                auc,
                "must be >= MinAuc",
                params.min_auc,
                "and >= the champion's AUC less MaxAucRegression,",
                champion_floor,
            ],
        ),
    )
    return ConditionStep(
        name="CheckModelQuality",
        conditions=[
            ConditionGreaterThanOrEqualTo(left=auc, right=params.min_auc),
            ConditionGreaterThanOrEqualTo(left=auc, right=champion_floor),
        ],
        if_steps=[register],
        else_steps=[fail],
    )


def _local_store_id(settings: Settings, target: Target) -> str:
    local_store = target == "local" and settings.tracking_uri_for(target).startswith("sqlite:")
    return settings.local_tracking_store_id() if local_store else ""


def get_pipeline(
    settings: Settings,
    target: Target,
    session: PipelineSession,
    image_uri: str,
    training_image_uri: str,
) -> Pipeline:
    """The pipeline for a target; compiling it gives the definition SageMaker runs."""
    ctx = PipelineContext(
        settings=settings,
        target=target,
        session=session,
        image_uri=image_uri,
        training_image_uri=training_image_uri,
        tracking_uri=settings.tracking_uri_for(target),
        tracking_store_id=_local_store_id(settings, target),
    )
    params = declare_parameters(settings, target)
    evaluation_report = PropertyFile(
        name="EvaluationReport", output_name="evaluation", path="evaluation.json"
    )
    extract = extract_text_step(ctx, params)
    preprocess = preprocess_step(ctx, params, extract)
    ingest = ingest_step(ctx, params, preprocess)
    train = training_step(ctx, params, preprocess)
    evaluate = evaluation_step(ctx, params, preprocess, train, evaluation_report)
    register = register_step(ctx, params, train, evaluate)
    gate = quality_gate(params, evaluate, evaluation_report, register)
    return Pipeline(
        name=settings.pipeline_name,
        parameters=params.as_list(),
        steps=[extract, preprocess, ingest, train, evaluate, gate],
        sagemaker_session=session,
    )
