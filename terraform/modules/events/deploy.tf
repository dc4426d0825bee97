# Approval -> deployment. Approving a model package in SageMaker Studio (or with
# UpdateModelPackage) emits "SageMaker Model Package State Change"; this rule sends the approvals
# of this environment's group to a small Lambda (deploy/on_approval.py) that points the scoring
# function at the approved model: MATCH_MODEL_URI = the package's ModelDataUrl,
# MATCH_MODEL_VERSION = its version, every other variable kept; and moves the MLflow registry's
# champion alias to the package's MLflow version, so that "champion" is what serving runs.
# New execution environments then load the new model at their cold start.

locals {
  deploy_function_name = "${var.name_prefix}-deploy-approved-model"
  deploy_log_group     = "/aws/lambda/${local.deploy_function_name}"
  deploy_log_group_arn = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:${local.deploy_log_group}"
  deploy_source_dir    = coalesce(var.deploy_source_dir, "${path.module}/../../../deploy")
  # The zip holds the deploy package as the repository has it: deploy.on_approval imports
  # deploy.mlflow_registry.
  deploy_files       = ["__init__.py", "on_approval.py", "mlflow_registry.py"]
  package_arn_prefix = "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:model-package/${lower(var.model_package_group_name)}"
}

data "archive_file" "deploy" {
  type        = "zip"
  output_path = "${path.root}/.build/on_approval.zip"

  dynamic "source" {
    for_each = local.deploy_files

    content {
      content  = file("${local.deploy_source_dir}/${source.value}")
      filename = "deploy/${source.value}"
    }
  }
}

resource "aws_sqs_queue" "deploy_dlq" {
  name                      = "${local.deploy_function_name}-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_cloudwatch_log_group" "deploy" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (log_retention_days): a year or more in prod, shorter in staging where the logs have no audit value.
  name              = local.deploy_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${local.deploy_function_name}-lambda"
  description          = "Points ${var.serving_function_name} at approved models of ${var.model_package_group_name}"
  assume_role_policy   = data.aws_iam_policy_document.lambda_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.deploy_log_group_arn}:*"]
  }

  # X-Ray's write actions have no resource type: "*" is the only resource they accept.
  statement {
    sid       = "SendTraces"
    effect    = "Allow"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadApprovedPackagesOfThisGroup"
    effect    = "Allow"
    actions   = ["sagemaker:DescribeModelPackage"]
    resources = ["${local.package_arn_prefix}/*"]
  }

  statement {
    sid    = "RepointTheScoringFunction"
    effect = "Allow"
    actions = [
      "lambda:GetFunctionConfiguration",
      "lambda:UpdateFunctionConfiguration",
    ]
    resources = [var.serving_function_arn]
  }

  # The scoring function's environment is encrypted with the operations key: reading it back
  # needs Decrypt, writing it Encrypt (through Lambda only).
  statement {
    sid       = "ScoringFunctionEnvironmentThroughLambda"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["lambda.${var.region}.amazonaws.com"]
    }
  }

  # The champion alias follows the approval (deploy/mlflow_registry.py): read the version, tag
  # it Approved, move the alias. Nothing else on the tracking server.
  statement {
    sid    = "MoveTheChampionAlias"
    effect = "Allow"
    actions = [
      "sagemaker-mlflow:GetModelVersion",
      "sagemaker-mlflow:GetRegisteredModel",
      "sagemaker-mlflow:SetModelVersionTag",
      "sagemaker-mlflow:SetRegisteredModelAlias",
    ]
    resources = [var.mlflow_tracking_server_arn]
  }

  statement {
    sid       = "DeadLetters"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.deploy_dlq.arn]
  }

  statement {
    sid       = "DeadLetterEncryptionThroughSqs"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sqs.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy-approved-model"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_lambda_function" "deploy" {
  #checkov:skip=CKV_AWS_117:The function calls only the Lambda, SageMaker and SageMaker MLflow public APIs; a VPC would need NAT or interface endpoints and secure nothing its role does not already scope.
  #checkov:skip=CKV_AWS_272:The zip is built by terraform from the reviewed repository (archive_file) in CI; signing would need an S3-staged artifact and a Signer job for a 200-line handler. Optional, and not done.
  function_name                  = local.deploy_function_name
  description                    = "Points ${var.serving_function_name} at each approved model package of ${var.model_package_group_name}"
  role                           = aws_iam_role.deploy.arn
  runtime                        = "python3.11"
  handler                        = "deploy.on_approval.handler"
  filename                       = data.archive_file.deploy.output_path
  source_code_hash               = data.archive_file.deploy.output_base64sha256
  architectures                  = ["arm64"]
  memory_size                    = 256
  timeout                        = 60
  reserved_concurrent_executions = 1 # one deployment at a time: no two updates race
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = {
      SERVING_FUNCTION_NAME      = var.serving_function_name
      MODEL_PACKAGE_GROUP        = var.model_package_group_name
      MODEL_URI_PREFIX           = var.model_uri_prefix
      MLFLOW_TRACKING_SERVER_ARN = var.mlflow_tracking_server_arn
    }
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.deploy_dlq.arn
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.deploy.name
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.deploy, aws_cloudwatch_log_group.deploy]
}

resource "aws_lambda_function_event_invoke_config" "deploy" {
  function_name                = aws_lambda_function.deploy.function_name
  maximum_event_age_in_seconds = 3600
  maximum_retry_attempts       = 2
}

resource "aws_cloudwatch_event_rule" "approved" {
  name        = "${var.name_prefix}-model-approved"
  description = "A model package of ${var.model_package_group_name} was approved"
  state       = "ENABLED"
  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Model Package State Change"]
    detail = {
      ModelPackageGroupName = [var.model_package_group_name]
      ModelApprovalStatus   = ["Approved"]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "approved" {
  rule      = aws_cloudwatch_event_rule.approved.name
  target_id = "deploy-approved-model"
  arn       = aws_lambda_function.deploy.arn
}

resource "aws_lambda_permission" "approved" {
  statement_id  = "AllowInvokeFromModelApprovedRule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.deploy.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.approved.arn
}
