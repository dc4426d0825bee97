locals {
  sagemaker_arn      = "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}"
  pipeline_arn       = "${local.sagemaker_arn}:pipeline/${lower(var.pipeline_name)}"
  package_group_arn  = "${local.sagemaker_arn}:model-package-group/${lower(var.model_package_group_name)}"
  package_arns       = ["${local.sagemaker_arn}:model-package/${lower(var.model_package_group_name)}", "${local.sagemaker_arn}:model-package/${lower(var.model_package_group_name)}/*"]
  sagemaker_logs_arn = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:/aws/sagemaker/*"
  job_arns = flatten([
    for prefix in var.job_name_prefixes : [
      "${local.sagemaker_arn}:processing-job/${prefix}*",
      "${local.sagemaker_arn}:training-job/${prefix}*",
    ]
  ])
  mlflow_prefix = "mlflow"
}

# --- model registry --------------------------------------------------------------------------

resource "aws_sagemaker_model_package_group" "this" {
  model_package_group_name        = var.model_package_group_name
  model_package_group_description = "Match scoring models registered by the ${var.pipeline_name} pipeline; approving a version deploys it to the scoring API"
  tags                            = var.tags
}

# --- managed MLflow ----------------------------------------------------------------------------

data "aws_iam_policy_document" "sagemaker_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "mlflow" {
  name                 = "${var.name_prefix}-mlflow-server"
  description          = "Assumed by the managed MLflow tracking server to read and write its artifact store"
  assume_role_policy   = data.aws_iam_policy_document.sagemaker_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "mlflow" {
  statement {
    sid       = "ArtifactStoreBucket"
    effect    = "Allow"
    actions   = ["s3:GetBucketLocation"]
    resources = [var.bucket_arns["artifacts"]]
  }

  statement {
    sid       = "ArtifactStoreListing"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arns["artifacts"]]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.mlflow_prefix}/*", local.mlflow_prefix]
    }
  }

  statement {
    sid       = "ArtifactStoreObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.bucket_arns["artifacts"]}/${local.mlflow_prefix}/*"]
  }

  statement {
    sid       = "ArtifactStoreEncryption"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.lake_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "mlflow" {
  name   = "artifact-store"
  role   = aws_iam_role.mlflow.id
  policy = data.aws_iam_policy_document.mlflow.json
}

resource "aws_sagemaker_mlflow_tracking_server" "this" {
  tracking_server_name            = "${var.name_prefix}-mlflow"
  role_arn                        = aws_iam_role.mlflow.arn
  artifact_store_uri              = "s3://${var.bucket_names["artifacts"]}/${local.mlflow_prefix}"
  tracking_server_size            = var.mlflow_server_size
  mlflow_version                  = var.mlflow_version
  weekly_maintenance_window_start = var.mlflow_maintenance_window
  # The Register step creates the model package itself (steps/model_package.py), with the
  # evaluation report and the run id; automatic registration would add a second package.
  automatic_model_registration = false
  tags                         = var.tags

  depends_on = [aws_iam_role_policy.mlflow]
}
