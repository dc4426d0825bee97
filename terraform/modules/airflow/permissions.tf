# What the match_retraining DAG does on AWS, and nothing else: snapshot the raw data, start and
# describe this environment's pipeline and its executions, read the Evaluate and Register jobs'
# result files and the model package's status. Attached to the EC2 instance role or the MWAA
# execution role. It cannot create or change the pipeline (CI upserts it), pass a role, or read
# curated data.

data "aws_iam_policy_document" "run_pipeline" {
  statement {
    sid       = "StartThisPipeline"
    effect    = "Allow"
    actions   = ["sagemaker:StartPipelineExecution", "sagemaker:DescribePipeline"]
    resources = [local.pipeline_arn]
  }

  statement {
    sid    = "DescribeItsExecutions"
    effect = "Allow"
    actions = [
      "sagemaker:DescribePipelineExecution",
      "sagemaker:ListPipelineExecutionSteps",
    ]
    resources = ["${local.pipeline_arn}/execution/*"]
  }

  statement {
    sid       = "DescribeItsJobsAndPackages"
    effect    = "Allow"
    actions   = ["sagemaker:DescribeProcessingJob", "sagemaker:DescribeModelPackage"]
    resources = ["${local.sagemaker_arn}:processing-job/pipelines-*", "${local.sagemaker_arn}:model-package/${lower(var.model_package_group_name)}/*"]
  }

  # Unconditioned on s3:prefix: a HeadObject of a manifest not yet written answers 404 only to
  # a caller allowed to list the bucket (403 otherwise), and HeadObject carries no prefix.
  statement {
    sid       = "ListRawData"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.raw_bucket_arn]
  }

  statement {
    sid       = "ReadTheLandingArea"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.raw_bucket_arn}/landing/${var.dataset}/*"]
  }

  statement {
    sid       = "WriteSnapshots"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.raw_bucket_arn}/snapshots/${var.dataset}/*", "${var.raw_bucket_arn}/snapshot-manifests/${var.dataset}/*"]
  }

  statement {
    sid       = "ReadThePipelinesResults"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.artifacts_bucket_arn}/${var.pipeline_name}/*"]
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
