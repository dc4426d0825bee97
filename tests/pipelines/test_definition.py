"""The compiled definition, checked the way SageMaker reads it.

- top level and Parameters: the public JSON schema (tests/data; it lags the service, so the
  keys it does not know yet are set aside, and steps are checked against botocore instead);
- each job step's Arguments: the SageMaker API model botocore ships (CreateProcessingJob /
  CreateTrainingJob), with pipeline expressions replaced by values of the type the API expects;
- every Get / Std:JsonGet refers to something that exists;
- identical code and parameters compile to an identical file.

Every check runs on both targets: the local one and the AWS one (ECR images, execution role,
managed MLflow, SageMaker Feature Store, model packages).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import botocore.session
import jsonschema
import pytest
from botocore.validate import ParamValidator

import pipelines.compile as compile_module
from cvtext.cache import MARKER_CONTENT
from pipelines.compile import compile_cached, compile_pipeline
from pipelines.config import PROJECT_ROOT as ROOT
from pipelines.config import MissingSettingError, Settings
from pipelines.local.expressions import Scope, resolve
from pipelines.local.graph import build_graph

SCHEMA = Path(__file__).parents[1] / "data" / "sagemaker-pipeline-definition.schema.json"
# Top-level keys the SDK 3.x emits and the service accepts, absent from the public schema.
KEYS_NEWER_THAN_SCHEMA = ("PipelineExperimentConfig", "MlflowConfig")
API_SHAPES = {"Processing": "CreateProcessingJobRequest", "Training": "CreateTrainingJobRequest"}
JOB_NAME_KEYS = {"Processing": "ProcessingJobName", "Training": "TrainingJobName"}
# The execution variables SageMaker resolves (ExecutionVariables in the SDK).
EXECUTION_VARIABLES = {
    "PipelineExecutionId",
    "PipelineExecutionArn",
    "PipelineName",
    "StartDateTime",
    "CurrentDateTime",
}


ACCOUNT = "123456789012"
ECR = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
AWS_SETTINGS = {
    "role_arn": f"arn:aws:iam::{ACCOUNT}:role/match-sagemaker-execution",
    "steps_image_uri": f"{ECR}/datathon-mlet03-steps:1f2e3d",
    "training_image_uri": f"{ECR}/datathon-mlet03-training:1f2e3d",
    "serving_image_uri": f"{ECR}/datathon-mlet03-serving:1f2e3d",
    "mlflow_tracking_uri": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:mlflow-tracking-server/match",
}


@pytest.fixture(scope="module", params=["local", "aws"])
def target(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def settings(tmp_path_factory, target) -> Settings:
    root = tmp_path_factory.mktemp("definition")
    extra = AWS_SETTINGS if target == "aws" else {}
    return Settings(
        lake_dir=root / "lake", mlflow_dir=root / "mlflow", build_dir=root / "build", **extra
    )


@pytest.fixture(scope="module")
def compiled(settings, target):
    return compile_pipeline(settings, target)


@pytest.fixture(scope="module")
def definition(compiled) -> dict:
    return compiled.definition


def all_steps(definition: dict) -> dict[str, dict]:
    return {name: node.spec for name, node in build_graph(definition).steps.items()}


def placeholder_values(value, parameters: dict):
    """Replace expressions by values of the type the API expects (strings, numbers)."""
    if isinstance(value, list):
        return [placeholder_values(v, parameters) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Get"}:
        reference = value["Get"]
        if reference.startswith("Parameters."):
            return parameters[reference.split(".", 1)[1]]
        return "s3://placeholder-bucket/placeholder-key"
    if set(value) in ({"Std:Join"}, {"Std:JsonGet"}):
        return "placeholder"
    return {k: placeholder_values(v, parameters) for k, v in value.items()}


def test_top_level_and_parameters_match_the_public_schema(definition):
    schema = json.loads(SCHEMA.read_text())
    top = {k: v for k, v in definition.items() if k not in KEYS_NEWER_THAN_SCHEMA}
    top["Steps"] = []  # steps are checked against the API model below
    jsonschema.validate(top, schema)


def test_schema_check_catches_a_bad_parameter(definition):
    schema = json.loads(SCHEMA.read_text())
    top = {
        "Version": definition["Version"],
        "Steps": [],
        "Parameters": [{"Name": "MinAuc", "Type": "Float", "DefaultValue": "high"}],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(top, schema)


@pytest.mark.parametrize("step_type", ["Processing", "Training"])
def test_job_arguments_match_the_sagemaker_api_model(definition, step_type):
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.shape_for(API_SHAPES[step_type])
    parameters = {p["Name"]: p["DefaultValue"] for p in definition["Parameters"]}
    jobs = [s for s in all_steps(definition).values() if s["Type"] == step_type]
    assert jobs
    for step in jobs:
        request = placeholder_values(copy.deepcopy(step["Arguments"]), parameters)
        request[JOB_NAME_KEYS[step_type]] = f"pipelines-x-{step['Name']}"
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), f"{step['Name']}: {report.generate_report()}"


def test_api_model_check_catches_a_misspelt_key(definition):
    model = botocore.session.get_session().get_service_model("sagemaker")
    step = all_steps(definition)["Preprocess"]
    parameters = {p["Name"]: p["DefaultValue"] for p in definition["Parameters"]}
    request = placeholder_values(copy.deepcopy(step["Arguments"]), parameters)
    request["ProcessingJobName"] = "x"
    request["ProcessingResources"]["ClusterConfig"]["InstanceCnt"] = 1
    report = ParamValidator().validate(request, model.shape_for("CreateProcessingJobRequest"))
    assert report.has_errors()


def _references(value, found: list):
    if isinstance(value, list):
        for v in value:
            _references(v, found)
    elif isinstance(value, dict):
        if set(value) == {"Get"}:
            found.append(value["Get"])
        for v in value.values():
            _references(v, found)
    return found


def test_every_reference_resolves_to_something_that_exists(definition):
    steps = all_steps(definition)
    parameters = {p["Name"] for p in definition["Parameters"]}
    references = _references(definition["Steps"], [])
    assert references
    for reference in references:
        kind, _, rest = reference.partition(".")
        if kind == "Parameters":
            assert rest in parameters, reference
            continue
        if kind == "Execution":
            assert rest in EXECUTION_VARIABLES, reference
            continue
        assert kind == "Steps", reference
        name, _, path = rest.partition(".")
        step = steps[name]
        if path.startswith("ProcessingOutputConfig.Outputs["):
            output = path.split("'")[1]
            names = [
                o["OutputName"] for o in step["Arguments"]["ProcessingOutputConfig"]["Outputs"]
            ]
            assert output in names, reference
        elif path.startswith("PropertyFiles."):
            files = {f["PropertyFileName"]: f for f in step["PropertyFiles"]}
            spec = files[path.split(".", 1)[1]]
            outputs = step["Arguments"]["ProcessingOutputConfig"]["Outputs"]
            assert spec["OutputName"] in [o["OutputName"] for o in outputs]
        else:
            assert step["Type"] == "Training" and path == "ModelArtifacts.S3ModelArtifacts", (
                reference
            )


def test_pipeline_structure(definition):
    steps = all_steps(definition)
    assert {n: s["Type"] for n, s in steps.items()} == {
        "ExtractText": "Processing",
        "Preprocess": "Processing",
        "IngestFeatures": "Processing",
        "Train": "Training",
        "Evaluate": "Processing",
        "CheckModelQuality": "Condition",
        "Register": "Processing",
        "FailModelQuality": "Fail",
    }
    gate = steps["CheckModelQuality"]["Arguments"]
    assert [s["Name"] for s in gate["IfSteps"]] == ["Register"]
    assert [s["Name"] for s in gate["ElseSteps"]] == ["FailModelQuality"]
    paths = [c["LeftValue"]["Std:JsonGet"]["Path"] for c in gate["Conditions"]]
    assert paths == ["metrics.auc", "metrics.auc"]
    assert gate["Conditions"][0]["RightValue"] == {"Get": "Parameters.MinAuc"}
    assert steps["Evaluate"]["PropertyFiles"][0]["FilePath"] == "evaluation.json"
    assert steps["Train"]["Arguments"]["HyperParameters"]["device_type"] == {
        "Get": "Parameters.TrainingDevice"
    }
    assert steps["Preprocess"]["CacheConfig"]["Enabled"] is True
    assert steps["ExtractText"]["CacheConfig"]["Enabled"] is True
    # ExtractText: as many instances as asked, the data set shared out among them by key
    extract = steps["ExtractText"]["Arguments"]
    assert extract["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == {
        "Get": "Parameters.ExtractInstanceCount"
    }
    distribution = {
        i["InputName"]: i["S3Input"]["S3DataDistributionType"] for i in extract["ProcessingInputs"]
    }
    assert distribution == {
        "raw": "ShardedByS3Key",
        "text-cache": "FullyReplicated",
        "code": "FullyReplicated",
    }
    # Preprocess reads the cache ExtractText wrote, so it runs after it
    cache_input = next(
        i
        for i in steps["Preprocess"]["Arguments"]["ProcessingInputs"]
        if i["InputName"] == "text-cache"
    )
    assert cache_input["S3Input"]["S3Uri"] == {
        "Get": "Steps.ExtractText.ProcessingOutputConfig.Outputs['text-cache'].S3Output.S3Uri"
    }
    # it reads the registry's champion: cached only with the registry's state as a parameter
    assert ("CacheConfig" in steps["Evaluate"]) == ("RegistryState" in parameters_of(definition))


def test_compiling_twice_gives_identical_definitions(compiled, settings, target):
    again = compile_pipeline(settings, target)
    assert again.to_json() == compiled.to_json()
    assert again.uploaded == compiled.uploaded


def test_a_kept_compile_reads_back_as_the_compile_itself(compiled, settings, target, monkeypatch):
    # the first run keeps this compile; the next reads it back without compiling
    monkeypatch.setattr(compile_module, "compile_pipeline", lambda *_: compiled)
    first = compile_cached(settings, target)

    def refuse(*_args):
        raise AssertionError("compiled again although nothing changed")

    monkeypatch.setattr(compile_module, "compile_pipeline", refuse)
    again = compile_cached(settings, target)
    assert (first.reused, again.reused) == (False, True)
    assert again.to_json() == compiled.to_json()
    assert again.uploaded == compiled.uploaded


def test_uploaded_code_is_where_the_definition_says(definition, compiled):
    uris = [
        i["S3Input"]["S3Uri"]
        for s in all_steps(definition).values()
        if s["Type"] == "Processing"
        for i in s["Arguments"]["ProcessingInputs"]
        if i["InputName"] == "code"
    ]
    assert len(uris) == 5
    assert all(uri in compiled.uploaded for uri in uris)
    train = all_steps(definition)["Train"]["Arguments"]["InputDataConfig"]
    code = next(c for c in train if c["ChannelName"] == "code")["DataSource"]["S3DataSource"]
    assert any(key.startswith(code["S3Uri"] + "/train.py") for key in compiled.uploaded)


def _arguments(step: dict) -> list:
    return step["Arguments"]["AppSpecification"]["ContainerArguments"]


def _option(arguments: list, name: str):
    return arguments[arguments.index(name) + 1]


def test_aws_steps_use_the_images_role_and_services(definition, target):
    if target != "aws":
        pytest.skip("AWS target only")
    steps = all_steps(definition)
    for name in ("ExtractText", "Preprocess", "IngestFeatures", "Evaluate", "Register"):
        arguments = steps[name]["Arguments"]
        assert arguments["AppSpecification"]["ImageUri"] == AWS_SETTINGS["steps_image_uri"]
        assert arguments["RoleArn"] == AWS_SETTINGS["role_arn"]
        environment = arguments["Environment"]
        assert environment["MLFLOW_TRACKING_URI"] == AWS_SETTINGS["mlflow_tracking_uri"]
        assert environment["MATCH_TARGET"] == "aws"
    train = steps["Train"]["Arguments"]
    assert train["AlgorithmSpecification"]["TrainingImage"] == AWS_SETTINGS["training_image_uri"]
    assert train["RoleArn"] == AWS_SETTINGS["role_arn"]
    assert train["OutputDataConfig"]["S3OutputPath"].startswith("s3://datathon-mlet03-artifacts/")
    parameters = {p["Name"]: p["DefaultValue"] for p in definition["Parameters"]}
    assert parameters["TrainingDevice"] == "gpu"
    assert parameters["TrainingInstanceType"] == "ml.g4dn.xlarge"
    assert parameters["ModelApprovalStatus"] == "PendingManualApproval"

    ingest = _arguments(steps["IngestFeatures"])
    assert _option(ingest, "--backend") == "sagemaker"
    assert (
        _option(ingest, "--offline-store-uri")
        == "s3://datathon-mlet03-curated/feature-store-offline"
    )
    assert _option(ingest, "--role-arn") == AWS_SETTINGS["role_arn"]
    assert "--store-in" not in ingest
    inputs = [i["InputName"] for i in steps["IngestFeatures"]["Arguments"]["ProcessingInputs"]]
    assert "store" not in inputs  # the feature store is a service on AWS, not a folder

    register = _arguments(steps["Register"])
    assert _option(register, "--model-package-group") == "datathon-mlet03-match"
    assert _option(register, "--inference-image-uri") == AWS_SETTINGS["serving_image_uri"]
    assert _option(register, "--evaluation-uri") == {
        "Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"
    }
    assert _option(register, "--approval-status") == {"Get": "Parameters.ModelApprovalStatus"}


def test_every_fixed_input_prefix_on_aws_holds_an_object_before_the_first_run(definition, target):
    """SageMaker refuses a processing job whose input prefix has no object ("No S3 objects
    found under S3 URL"); the local lake does not. So on AWS an input is a step's output, the
    data set (InputDataUrl, checked before a run starts), the step's code (uploaded by the
    runner), or a prefix Terraform seeds."""
    if target != "aws":
        pytest.skip("AWS target only")
    fixed = {}
    for name, step in all_steps(definition).items():
        for item in step["Arguments"].get("ProcessingInputs", []):
            uri = item["S3Input"]["S3Uri"]
            if isinstance(uri, str) and item["InputName"] != "code":
                fixed[f"{name}.{item['InputName']}"] = uri
    assert fixed == {
        "ExtractText.text-cache": "s3://datathon-mlet03-raw/datathon-mlet03-match/text-cache"
    }
    seeded = (ROOT / "terraform" / "modules" / "sagemaker" / "text_cache.tf").read_text()
    assert 'bucket       = var.bucket_names["raw"]' in seeded
    assert 'key          = "${var.pipeline_name}/text-cache/FORMAT.json"' in seeded
    body = seeded.split("<<-EOT\n", 1)[1].split("\n  EOT", 1)[0].strip()
    assert body == json.dumps(MARKER_CONTENT, sort_keys=True)  # what every run writes back


def test_local_steps_keep_the_local_store_and_registry(definition, target):
    if target != "local":
        pytest.skip("local target only")
    steps = all_steps(definition)
    assert _option(_arguments(steps["IngestFeatures"]), "--backend") == "local"
    assert "--model-package-group" not in _arguments(steps["Register"])


@pytest.mark.parametrize(
    ("missing", "variable"),
    [
        ("role_arn", "MATCH_ROLE_ARN"),
        ("steps_image_uri", "MATCH_STEPS_IMAGE_URI"),
        ("training_image_uri", "MATCH_TRAINING_IMAGE_URI"),
        ("mlflow_tracking_uri", "MATCH_MLFLOW_TRACKING_URI"),
    ],
)
def test_the_aws_target_names_the_missing_setting(tmp_path, missing: str, variable: str):
    values = {k: v for k, v in AWS_SETTINGS.items() if k != missing}
    settings = Settings(lake_dir=tmp_path, **values)
    with pytest.raises(MissingSettingError, match=f"^{variable} is not set"):
        compile_pipeline(settings, "aws")


@pytest.mark.parametrize("region", ["sa-east-1", "eu-west-1"])
def test_the_aws_target_compiles_in_regions_besides_us_east_1(tmp_path, region: str):
    """S3 needs a LocationConstraint outside us-east-1, also in the offline compile's moto."""
    ecr = f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com"
    values = AWS_SETTINGS | {
        "steps_image_uri": f"{ecr}/datathon-mlet03-steps:1f2e3d",
        "training_image_uri": f"{ecr}/datathon-mlet03-training:1f2e3d",
        "mlflow_tracking_uri": f"arn:aws:sagemaker:{region}:{ACCOUNT}:mlflow-tracking-server/m",
    }
    settings = Settings(region=region, lake_dir=tmp_path, build_dir=tmp_path / "build", **values)

    definition = compile_pipeline(settings, "aws").definition

    processing = [s for s in all_steps(definition).values() if s["Type"] == "Processing"]
    assert {s["Arguments"]["Environment"]["AWS_DEFAULT_REGION"] for s in processing} == {region}


def _outputs(step: dict) -> dict[str, dict]:
    return {o["OutputName"]: o for o in step["Arguments"]["ProcessingOutputConfig"]["Outputs"]}


def parameters_of(definition: dict) -> set[str]:
    return {p["Name"] for p in definition["Parameters"]}


def _in_execution(execution_id: str) -> Scope:
    return Scope(parameters={}, execution={"PipelineExecutionId": execution_id})


@pytest.mark.parametrize(
    ("step", "output"), [("Evaluate", "evaluation"), ("Register", "registration")]
)
def test_evaluation_and_registration_are_written_per_execution(definition, target, step, output):
    """On SageMaker per execution (each model package names its own evaluation); locally per
    registry state, the one thing besides their inputs that they read: a reused evaluation is
    the one made against the registry as it is."""
    uri = _outputs(all_steps(definition)[step])[output]["S3Output"]["S3Uri"]
    first, second = _in_execution("exec-1"), _in_execution("exec-2")
    first.parameters, second.parameters = {"RegistryState": "s1"}, {"RegistryState": "s2"}

    first, second = resolve(uri, first), resolve(uri, second)

    prefix = f"s3://datathon-mlet03-artifacts/datathon-mlet03-match/{output}"
    if target == "aws":
        assert (first, second) == (f"{prefix}/exec-1", f"{prefix}/exec-2")
    else:
        assert (first, second) == (f"{prefix}/s1", f"{prefix}/s2")


@pytest.mark.parametrize("step", ["Evaluate", "Register"])
def test_registry_readers_are_cached_only_where_the_registry_state_is_a_parameter(
    definition, target, step
):
    spec = all_steps(definition)[step]
    declared = {p["Name"] for p in definition["Parameters"]}
    environment = spec["Arguments"]["Environment"]
    if target == "aws":
        assert "CacheConfig" not in spec and "RegistryState" not in declared
        assert "MATCH_REGISTRY_STATE" not in environment
    else:
        assert spec["CacheConfig"]["Enabled"] is True
        assert environment["MATCH_REGISTRY_STATE"] == {"Get": "Parameters.RegistryState"}


def test_registration_reads_the_evaluation_of_its_own_execution(definition, target):
    """The evaluation Register reads, and on AWS the one its model package's ModelMetrics
    names (--evaluation-uri), is the one Evaluate wrote in the same execution."""
    steps = all_steps(definition)
    evaluation = _outputs(steps["Evaluate"])["evaluation"]
    scope = _in_execution("exec-7")
    scope.parameters = {p["Name"]: p["DefaultValue"] for p in definition["Parameters"]}
    written = resolve(evaluation["S3Output"]["S3Uri"], scope)
    scope.step_properties = {
        "Evaluate": {
            "ProcessingOutputConfig": {"Outputs": {"evaluation": {"S3Output": {"S3Uri": written}}}}
        },
        "Train": {"ModelArtifacts": {"S3ModelArtifacts": "s3://a/model.tar.gz"}},
    }
    register = resolve(steps["Register"]["Arguments"], scope)

    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in register["ProcessingInputs"]}
    assert inputs["evaluation"] == written
    if target == "aws":
        arguments = register["AppSpecification"]["ContainerArguments"]
        assert _option(arguments, "--evaluation-uri") == written


def retry_policy_schema() -> dict:
    """The public schema's RetryPolicy with ExceptionType as the service takes it: a list.

    The schema in tests/data has a single string there; SageMaker's documentation ("Retry
    Policy for Pipeline Steps") gives ``"ExceptionType": [String]`` (what the SDK writes), with
    IntervalSeconds up to 43200, ExpireAfterMin up to 14400, and the SDK caps MaxAttempts at 20.
    """
    schema = json.loads(SCHEMA.read_text())["definitions"]["RetryPolicy"]
    schema = copy.deepcopy(schema)
    properties = schema["properties"]
    properties["ExceptionType"] = {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"enum": properties["ExceptionType"]["enum"]},
    }
    properties["IntervalSeconds"] |= {"minimum": 1, "maximum": 43200}
    properties["MaxAttempts"] |= {"minimum": 1, "maximum": 20}
    properties["ExpireAfterMin"] |= {"minimum": 1, "maximum": 14400}
    properties["BackoffRate"] |= {"minimum": 1}
    # one of MaxAttempts and ExpireAfterMin (the SDK refuses both and neither)
    schema["oneOf"] = [{"required": ["MaxAttempts"]}, {"required": ["ExpireAfterMin"]}]
    return schema


def test_job_steps_retry_what_is_transient(definition):
    schema = retry_policy_schema()
    steps = all_steps(definition)
    jobs = {n: s for n, s in steps.items() if s["Type"] in ("Processing", "Training")}
    assert set(jobs) == {
        "ExtractText",
        "Preprocess",
        "IngestFeatures",
        "Train",
        "Evaluate",
        "Register",
    }
    for name, step in jobs.items():
        policies = step.get("RetryPolicies", [])
        for policy in policies:
            jsonschema.validate(policy, schema)
        retried = {kind for policy in policies for kind in policy["ExceptionType"]}
        assert retried == {
            "Step.SERVICE_FAULT",
            "Step.THROTTLING",
            "SageMaker.CAPACITY_ERROR",
            "SageMaker.RESOURCE_LIMIT",
            "SageMaker.JOB_INTERNAL_ERROR",
        }, name
    capacity = next(
        p
        for p in jobs["Train"]["RetryPolicies"]
        if "SageMaker.CAPACITY_ERROR" in p["ExceptionType"]
    )
    assert capacity["ExpireAfterMin"] >= 60, "GPU capacity comes back in minutes to hours"


def test_retry_policy_check_catches_a_misspelt_exception_type():
    policy = {"ExceptionType": ["SageMaker.CAPACITY_ERRORS"], "MaxAttempts": 3}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(policy, retry_policy_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"ExceptionType": "Step.THROTTLING", "MaxAttempts": 3}, retry_policy_schema()
        )


def test_terraform_allows_exactly_the_definitions_parameters(definition: dict) -> None:
    """The events module refuses scheduled parameters the pipeline lacks; one added to the
    definition (StaleAfterDays) must be allowed there too, and its message must list it.
    RegistryState is the local runner's own (the AWS definition has none)."""
    declared = {p["Name"] for p in definition["Parameters"]} - {"RegistryState"}
    text = (ROOT / "terraform" / "modules" / "events" / "variables.tf").read_text()
    block = text[text.index('variable "pipeline_parameters"') :]
    block = block[: block.index("\n}\n")]
    listed = block[block.index("contains([") : block.index("], name)")]
    allowed = set(re.findall(r'"(\w+)"', listed))
    message = re.search(r'error_message\s*=\s*"([^"]+)"', block).group(1)
    assert allowed == declared
    assert set(re.findall(r"\b([A-Z]\w+)\b", message.split(":", 1)[1])) == declared
