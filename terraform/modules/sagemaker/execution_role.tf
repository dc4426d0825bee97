# The SageMaker execution role (MATCH_ROLE_ARN): the pipeline runs under it (it creates the
# processing and training jobs), every job runs under it, and the Feature Store writes the
# offline store with it (the ingestion step passes it as the groups' RoleArn).
#
# Not in the trust policy: aws:SourceAccount / aws:SourceArn conditions. Feature Store, Pipelines
# and the jobs all assume this role and not all of them document sending those keys; a
# condition that one of them does not satisfy breaks a run in a way no plan shows.

resource "aws_iam_role" "execution" {
  name                 = "${var.name_prefix}-sagemaker-execution"
  description          = "SageMaker execution role of the ${var.pipeline_name} pipeline, its jobs and its feature groups' offline store"
  assume_role_policy   = data.aws_iam_policy_document.sagemaker_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "LakeBuckets"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = values(var.bucket_arns)
  }

  statement {
    sid       = "ReadRawData"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["raw"]}/*"]
  }

  # The curated zone, the artifacts, and the text OCR read from scanned CVs, which ExtractText
  # keeps beside the CVs (the raw zone: it holds what they hold) under this one prefix; the
  # rest of the raw zone stays read-only.
  statement {
    sid    = "ReadWriteCuratedArtifactsAndCvTextCache"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = [
      "${var.bucket_arns["curated"]}/*",
      "${var.bucket_arns["artifacts"]}/*",
      "${var.bucket_arns["raw"]}/${var.pipeline_name}/text-cache/*",
    ]
  }

  # OCR of CV pages without a text layer (OcrEngine=textract). Textract's text detection has
  # no resource-level permissions or condition keys: "*" is the only resource it accepts. The
  # asynchronous job reads the document from S3 with the caller's permissions (ReadRawData).
  statement {
    sid    = "OcrScannedCvs"
    effect = "Allow"
    actions = [
      "textract:DetectDocumentText",
      "textract:StartDocumentTextDetection",
      "textract:GetDocumentTextDetection",
    ]
    resources = ["*"]
  }

  statement {
    sid    = "LakeEncryption"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:DescribeKey",
    ]
    resources = [var.lake_kms_key_arn]
  }

  # GetAuthorizationToken has no resource type: "*" is the only resource it accepts.
  statement {
    sid       = "EcrLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid    = "PullStepAndTrainingImages"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = var.image_repository_arns
  }

  statement {
    sid    = "JobLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
    ]
    resources = [local.sagemaker_logs_arn, "${local.sagemaker_logs_arn}:log-stream:*"]
  }

  # PutMetricData has no resource type; the namespace condition confines it to SageMaker's.
  statement {
    sid       = "JobMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*", "aws/sagemaker/*"]
    }
  }

  statement {
    sid    = "PipelineCreatesItsJobs"
    effect = "Allow"
    actions = [
      "sagemaker:CreateProcessingJob",
      "sagemaker:DescribeProcessingJob",
      "sagemaker:StopProcessingJob",
      "sagemaker:CreateTrainingJob",
      "sagemaker:DescribeTrainingJob",
      "sagemaker:StopTrainingJob",
      "sagemaker:AddTags",
      "sagemaker:ListTags",
    ]
    resources = local.job_arns
  }

  statement {
    sid       = "PassThisRoleToSageMakerOnly"
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
    sid    = "RegisterModelPackages"
    effect = "Allow"
    actions = [
      "sagemaker:DescribeModelPackageGroup",
      "sagemaker:CreateModelPackage",
      "sagemaker:DescribeModelPackage",
      "sagemaker:UpdateModelPackage",
      "sagemaker:AddTags",
      "sagemaker:ListTags",
    ]
    resources = concat([local.package_group_arn], local.package_arns)
  }

  # ListModelPackages names model-package as its resource type, but not which ARN a list call
  # is checked against; it is scoped to this account's and region's packages. It returns
  # summaries only: describing a package still needs the statement above (this group only).
  statement {
    sid       = "ListModelPackages"
    effect    = "Allow"
    actions   = ["sagemaker:ListModelPackages"]
    resources = ["${local.sagemaker_arn}:model-package/*", local.package_group_arn]
  }

  statement {
    sid       = "TrackExperimentsAndModelsInMlflow"
    effect    = "Allow"
    actions   = ["sagemaker-mlflow:*"]
    resources = [aws_sagemaker_mlflow_tracking_server.this.arn]
  }

  statement {
    sid       = "DescribeTrackingServer"
    effect    = "Allow"
    actions   = ["sagemaker:DescribeMlflowTrackingServer"]
    resources = [aws_sagemaker_mlflow_tracking_server.this.arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pipeline-and-jobs"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role_policy_attachment" "execution_feature_store" {
  role       = aws_iam_role.execution.name
  policy_arn = var.feature_store_policy_arn
}
