# The scoring API: the FastAPI app of serving/ as a Lambda container image (serving/Dockerfile),
# invoked synchronously by API Gateway. It loads the model named by MATCH_MODEL_URI at the cold
# start and reads applicant and job profiles from the Feature Store online store.

locals {
  in_vpc         = length(var.vpc_subnet_ids) > 0
  log_group_name = "/aws/lambda/${var.function_name}"
  log_group_arn  = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:${local.log_group_name}"
  environment = merge(var.extra_environment, {
    MATCH_MODEL_URI            = var.model_uri
    MATCH_MODEL_NAME           = var.model_name
    MATCH_MODEL_VERSION        = var.model_version
    MATCH_ONLINE_STORE         = "sagemaker"
    MATCH_FEATURE_GROUP_PREFIX = var.feature_group_prefix
    MATCH_MAX_RANK_APPLICANTS  = tostring(var.max_rank_applicants)
    # One LightGBM thread per prediction keeps latency steady on Lambda's 1-2 vCPUs.
    MATCH_PREDICT_THREADS   = "1"
    POWERTOOLS_SERVICE_NAME = "match-scoring"
    # CV files sent with a request: scanned pages go to Textract in the function's region.
    MATCH_OCR_ENGINE = "textract"
    # /v1/explain (explain/): the LLM, and Langfuse for its prompt and traces
    MATCH_EXPLAIN_BACKEND       = var.explain_backend
    MATCH_EXPLAIN_MODEL_ID      = var.explain_bedrock_model_id
    MATCH_EXPLAIN_ENDPOINT_NAME = var.explain_sagemaker_endpoint_name
    MATCH_LANGFUSE_HOST         = var.langfuse_host
    MATCH_LANGFUSE_SECRET_ARN   = var.langfuse_secret_arn
  })
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (log_retention_days): a year or more in prod, shorter in staging where the logs have no audit value.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.ops_kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.function_name}-lambda"
  description          = "Execution role of the ${var.function_name} scoring function"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # X-Ray's write actions have no resource type: "*" is the only resource they accept.
  statement {
    sid    = "SendTraces"
    effect = "Allow"
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ReadApprovedModels"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [for prefix in var.model_prefixes : "${var.artifacts_bucket_arn}/${prefix}*"]
  }

  statement {
    sid       = "DecryptModels"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [var.lake_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "DecryptEnvironment"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [var.ops_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["lambda.${var.region}.amazonaws.com"]
    }
  }

  # Scanned pages of CV files sent to the API. DetectDocumentText has no resource-level
  # permissions: "*" is the only resource it accepts.
  statement {
    sid       = "OcrScannedCvFiles"
    effect    = "Allow"
    actions   = ["textract:DetectDocumentText"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadOnlineFeatureStore"
    effect    = "Allow"
    actions   = ["sagemaker:BatchGetRecord"]
    resources = var.feature_group_arns
  }

  # Converse needs bedrock:InvokeModel on the model (or inference profile) it names, and, through
  # a cross-region profile, on the foundation model in every region the profile routes to.
  dynamic "statement" {
    for_each = local.bedrock_statements

    content {
      sid       = statement.value.sid
      effect    = "Allow"
      actions   = ["bedrock:InvokeModel"]
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.profile_condition ? [1] : []

        content {
          test     = "StringEquals"
          variable = "bedrock:InferenceProfileArn"
          values   = [local.bedrock_profile_arn]
        }
      }
    }
  }

  dynamic "statement" {
    for_each = var.explain_backend == "sagemaker" ? [1] : []

    content {
      sid       = "InvokeExplanationEndpoint"
      effect    = "Allow"
      actions   = ["sagemaker:InvokeEndpoint"]
      resources = [local.sagemaker_endpoint_arn]
    }
  }

  dynamic "statement" {
    for_each = var.langfuse_secret_arn != "" ? [1] : []

    content {
      sid       = "ReadLangfuseKeys"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.langfuse_secret_arn]
    }
  }

  dynamic "statement" {
    for_each = var.langfuse_secret_arn != "" ? [1] : []

    content {
      sid       = "DecryptLangfuseKeys"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [var.langfuse_secret_kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${var.region}.amazonaws.com"]
      }
    }
  }

  # Lambda creates the function's network interfaces with the execution role. EC2's Describe
  # actions accept no resource but "*"; the others are limited to this account's subnets and
  # security groups and to interfaces in them.
  dynamic "statement" {
    for_each = local.in_vpc ? [1] : []

    content {
      sid       = "DescribeNetworkInterfaces"
      effect    = "Allow"
      actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.in_vpc ? [1] : []

    content {
      sid    = "ManageOwnNetworkInterfaces"
      effect = "Allow"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ]
      resources = [
        "arn:${var.partition}:ec2:${var.region}:${var.account_id}:network-interface/*",
        "arn:${var.partition}:ec2:${var.region}:${var.account_id}:subnet/*",
        "arn:${var.partition}:ec2:${var.region}:${var.account_id}:security-group/*",
      ]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "scoring-api"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by API Gateway only: the caller gets the error, and a dead-letter queue applies to asynchronous invocations only.
  #checkov:skip=CKV_AWS_117:In the VPC's private subnets when a self-hosted Langfuse is deployed (vpc_subnet_ids); without one the function reaches only AWS public endpoints and a managed Langfuse over HTTPS, and a VPC would protect nothing the IAM role does not already scope.
  #checkov:skip=CKV_AWS_272:Lambda code signing applies to .zip packages only; container images are pinned by immutable ECR tags and scanned on push.
  function_name                  = var.function_name
  description                    = "Match scoring API (FastAPI behind API Gateway)"
  role                           = aws_iam_role.this.arn
  package_type                   = "Image"
  image_uri                      = var.image_uri
  architectures                  = ["x86_64"]
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrency # null: the provider's -1, none
  kms_key_arn                    = var.ops_kms_key_arn

  environment {
    variables = local.environment
  }

  tracing_config {
    mode = "Active"
  }

  dynamic "vpc_config" {
    for_each = local.in_vpc ? [1] : []

    content {
      subnet_ids         = var.vpc_subnet_ids
      security_group_ids = var.vpc_security_group_ids
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  # The deploy Lambda (modules/events) points the function at each approved model by updating
  # these two variables; terraform must not put the initial values back at the next apply.
  lifecycle {
    ignore_changes = [
      environment[0].variables["MATCH_MODEL_URI"],
      environment[0].variables["MATCH_MODEL_VERSION"],
    ]
  }

  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}
