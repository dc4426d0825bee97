# Airflow for the match_retraining DAG (dags/), on an EC2 instance (dev/test: one private
# instance running `airflow standalone`, reached through SSM Session Manager) or on Amazon MWAA,
# chosen by `mode`. Both read the DAGs from a versioned S3 bucket (`dags/`, synced by the deploy
# workflow: `make airflow-dags-sync`) and run under a role that may start and describe only
# this environment's pipeline (permissions.tf). They get their settings as MATCH_* variables.

locals {
  dag_bucket     = "${var.bucket_prefix}-airflow"
  dag_prefix     = "dags"
  sagemaker_arn  = "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}"
  pipeline_arn   = "${local.sagemaker_arn}:pipeline/${lower(var.pipeline_name)}"
  logs_arn       = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group"
  environment    = "${var.name_prefix}-airflow"
  log_group_root = "/airflow/${var.name_prefix}"
  # What the DAG reads (dags/match_retraining_lib/settings.py).
  settings = {
    MATCH_AIRFLOW_TARGET   = "aws"
    MATCH_PIPELINE_NAME    = var.pipeline_name
    MATCH_BUCKET_PREFIX    = var.bucket_prefix
    MATCH_DATASET          = var.dataset
    MATCH_REGION           = var.region
    MATCH_AIRFLOW_SCHEDULE = var.schedule
    MATCH_STUDIO_DOMAIN_ID = var.studio_domain_id
  }
}

# --- the DAG bucket -----------------------------------------------------------------------------

resource "aws_s3_bucket" "dags" {
  #checkov:skip=CKV_AWS_18:Holds only DAG code that CI syncs from the reviewed repository, plus start-up files Terraform writes; writes are by CI and Terraform alone and are audited by CloudTrail. The lake's access-log bucket accepts the lake buckets only.
  #checkov:skip=CKV_AWS_144:DAG code is rebuilt from the repository by the deploy workflow; a replica adds nothing to recovery.
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events: MWAA and the instance read the bucket themselves.
  bucket        = local.dag_bucket
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { Purpose = "airflow-dags" })
}

resource "aws_s3_bucket_ownership_controls" "dags" {
  bucket = aws_s3_bucket.dags.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "dags" {
  bucket                  = aws_s3_bucket.dags.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "dags" {
  bucket = aws_s3_bucket.dags.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

# MWAA requires a versioned bucket; versions also keep every DAG that ran.
resource "aws_s3_bucket_versioning" "dags" {
  bucket = aws_s3_bucket.dags.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "dags" {
  bucket = aws_s3_bucket.dags.id

  rule {
    id     = "abort-uploads-and-expire-old-versions"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.dags]
}

data "aws_iam_policy_document" "dags" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.dags.arn, "${aws_s3_bucket.dags.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "dags" {
  bucket = aws_s3_bucket.dags.id
  policy = data.aws_iam_policy_document.dags.json

  depends_on = [aws_s3_bucket_public_access_block.dags]
}
