# The three lake buckets of the architecture decision record: <prefix>-raw (the Decision JSON
# and CV files as delivered), <prefix>-curated (Parquet from the Preprocess step and the Feature
# Store offline store), <prefix>-artifacts (step code, models, evaluations, MLflow artifacts).

locals {
  buckets = {
    raw       = "${var.bucket_prefix}-raw"
    curated   = "${var.bucket_prefix}-curated"
    artifacts = "${var.bucket_prefix}-artifacts"
  }
  # Raw data is read again by every pipeline run (InputDataUrl), so it stays in S3 Standard;
  # curated data and artifacts are read mostly while they are recent.
  tiered = toset(["curated", "artifacts"])
}

resource "aws_s3_bucket" "lake" {
  #checkov:skip=CKV_AWS_144:Single-region system: versioning plus noncurrent-version retention protect against deletion and overwrite; raw data is the firm's export (re-deliverable) and curated data and artifacts are rebuilt by the pipeline; cross-region replication would double storage for no stated recovery objective.
  #checkov:skip=CKV2_AWS_62:No consumer of object events: the pipeline is started by schedule or by make pipeline-run, not by uploads.
  for_each = local.buckets

  bucket        = each.value
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { DataZone = each.key })
}

resource "aws_s3_bucket_ownership_controls" "lake" {
  for_each = aws_s3_bucket.lake

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "lake" {
  for_each = aws_s3_bucket.lake

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "lake" {
  for_each = aws_s3_bucket.lake

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.lake.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "lake" {
  for_each = aws_s3_bucket.lake

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "lake" {
  for_each = aws_s3_bucket.lake

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${each.value.id}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "lake" {
  for_each = aws_s3_bucket.lake

  bucket = each.value.id

  # One rule per action type: S3 refuses overlapping rules (here, all with an empty filter)
  # that share an action such as AbortIncompleteMultipartUpload.
  rule {
    id     = "abort-uploads-and-expire-old-versions"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_multipart_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }

    expiration {
      expired_object_delete_marker = true
    }
  }

  dynamic "rule" {
    for_each = contains(local.tiered, each.key) ? [each.key] : []

    content {
      id     = "tier-old-${rule.value}-objects"
      status = "Enabled"

      filter {}

      transition {
        days          = var.infrequent_access_days
        storage_class = "STANDARD_IA"
      }

      transition {
        days          = var.archive_days
        storage_class = "GLACIER_IR"
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.lake]
}

data "aws_iam_policy_document" "lake" {
  for_each = aws_s3_bucket.lake

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]

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

resource "aws_s3_bucket_policy" "lake" {
  for_each = aws_s3_bucket.lake

  bucket = each.value.id
  policy = data.aws_iam_policy_document.lake[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.lake]
}
