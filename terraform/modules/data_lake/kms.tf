# The lake's customer managed key (SSE-KMS on raw, curated and artifacts; the Feature Store
# offline store and the MLflow artifact store live in those buckets and use it too).
#
# Why SSE-KMS with a CMK rather than SSE-S3: reading an object then needs two grants, s3 and
# kms:Decrypt on this key, so a role that is given s3:GetObject on the wrong bucket by mistake
# still reads nothing; every decrypt is in CloudTrail with the caller; the key can be disabled
# to cut access to all data at once; rotation is yearly and automatic. S3 Bucket Keys keep the
# KMS request cost flat (one data key per bucket and period, not one KMS call per object).

data "aws_iam_policy_document" "lake_key" {
  #checkov:skip=CKV_AWS_109:Key policy: "*" as resource means this key only; the account root statement is the AWS default that lets IAM policies grant use of the key.
  #checkov:skip=CKV_AWS_111:Key policy: "*" as resource means this key only; the account root statement is the AWS default that lets IAM policies grant use of the key.
  #checkov:skip=CKV_AWS_356:Key policy: "*" as resource means this key only, which is the only resource a key policy can name.
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${var.partition}:iam::${var.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "lake" {
  description             = "${var.name_prefix}: data lake (raw, curated, artifacts, feature store offline store, MLflow artifacts)"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.lake_key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "lake" {
  name          = "alias/${var.name_prefix}-lake"
  target_key_id = aws_kms_key.lake.key_id
}
