# The pipeline operator: what `make pipeline-run TARGET=aws` needs, and nothing else. CI
# (GitHub Actions, through OIDC, in the GitHub environment named like this environment) assumes
# it to sync the raw data, upload the step code, create or update the pipeline, start an
# execution, follow it and read its result files. It cannot change infrastructure, read the
# curated data, or pass any role but the execution role.

locals {
  github_subject = "repo:${var.github_repository}:environment:${var.environment}"
}

data "aws_iam_policy_document" "operator_trust" {
  statement {
    sid     = "GitHubActionsInThisEnvironment"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [local.github_subject]
    }
  }

  dynamic "statement" {
    for_each = length(var.operator_trusted_role_arns) > 0 ? [1] : []

    content {
      sid     = "NamedOperatorRoles"
      effect  = "Allow"
      actions = ["sts:AssumeRole"]

      principals {
        type        = "AWS"
        identifiers = var.operator_trusted_role_arns
      }
    }
  }
}

resource "aws_iam_role" "pipeline_operator" {
  name                 = "${var.name_prefix}-pipeline-operator"
  description          = "Upserts and starts the ${var.pipeline_name} pipeline (make pipeline-run TARGET=aws)"
  assume_role_policy   = data.aws_iam_policy_document.operator_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "pipeline_operator" {
  statement {
    sid    = "UpsertAndStartThePipeline"
    effect = "Allow"
    actions = [
      "sagemaker:CreatePipeline",
      "sagemaker:UpdatePipeline",
      "sagemaker:DescribePipeline",
      "sagemaker:StartPipelineExecution",
      "sagemaker:ListPipelineExecutions",
      "sagemaker:AddTags",
      "sagemaker:ListTags",
    ]
    resources = [local.pipeline_arn]
  }

  statement {
    sid    = "FollowItsExecutions"
    effect = "Allow"
    actions = [
      "sagemaker:DescribePipelineExecution",
      "sagemaker:ListPipelineExecutionSteps",
      "sagemaker:DescribePipelineDefinitionForExecution",
      "sagemaker:StopPipelineExecution",
    ]
    resources = ["${local.pipeline_arn}/execution/*"]
  }

  statement {
    sid       = "PassTheExecutionRoleToSageMaker"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }

  statement {
    sid       = "ListRawAndArtifacts"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.bucket_arns["raw"], var.bucket_arns["artifacts"]]
  }

  # Data sync uploads content-addressed snapshots (pipelines/aws/snapshots.py), never
  # replacing or deleting data: no s3:DeleteObject.
  statement {
    sid       = "SyncRawData"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arns["raw"]}/*"]
  }

  statement {
    sid       = "UploadCodeAndReadResults"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arns["artifacts"]}/*"]
  }

  statement {
    sid       = "LakeEncryptionThroughS3"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.lake_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "pipeline_operator" {
  name   = "upsert-and-start-pipeline"
  role   = aws_iam_role.pipeline_operator.id
  policy = data.aws_iam_policy_document.pipeline_operator.json
}
