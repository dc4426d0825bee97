# Feature Store prerequisites. The feature groups themselves (<pipeline>-jobs and
# <pipeline>-applicants) are created at run time by the IngestFeatures step
# (featurestore/sagemaker.py: CreateFeatureGroup on first use, online store on, offline store
# under s3://<curated>/feature-store-offline with a Glue table, RoleArn = the SageMaker execution
# role), because their definition comes from the code (featurestore/spec.py) and changes with it:
# a new definition gets a new group name, it is never altered in place. Terraform therefore owns
# what must exist before the first run: the permissions (this policy, attached to the execution
# role by modules/sagemaker), the bucket and key (modules/data_lake) and, optionally, the Glue
# database. An S3 "prefix" needs no resource: it exists once the first object is written.

locals {
  group_names = {
    jobs       = "${var.group_prefix}-jobs"
    applicants = "${var.group_prefix}-applicants"
  }
  group_arn_prefix = "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:feature-group"
  # SageMaker lower-cases resource names in ARNs.
  group_arns         = { for kind, name in local.group_names : kind => "${local.group_arn_prefix}/${lower(name)}" }
  group_arn_wildcard = "${local.group_arn_prefix}/${lower(var.group_prefix)}-*"
  offline_store_uri  = "s3://${var.curated_bucket_name}/${var.offline_store_prefix}"
  # Glue table names are the group name with underscores and a creation timestamp.
  table_stem = lower(replace(var.group_prefix, "-", "_"))
  glue_arn   = "arn:${var.partition}:glue:${var.region}:${var.account_id}"
}

resource "aws_glue_catalog_database" "feature_store" {
  count = var.create_glue_database ? 1 : 0

  name        = var.glue_database
  description = "SageMaker Feature Store offline store tables"
  tags        = var.tags
}

data "aws_iam_policy_document" "writer" {
  statement {
    sid    = "ManageThisPipelinesFeatureGroups"
    effect = "Allow"
    actions = [
      "sagemaker:CreateFeatureGroup",
      "sagemaker:DescribeFeatureGroup",
      "sagemaker:AddTags",
      "sagemaker:ListTags",
    ]
    resources = [local.group_arn_wildcard]
  }

  statement {
    sid    = "ReadAndWriteRecords"
    effect = "Allow"
    actions = [
      "sagemaker:PutRecord",
      "sagemaker:GetRecord",
      "sagemaker:BatchGetRecord",
    ]
    resources = [local.group_arn_wildcard]
  }

  statement {
    sid       = "OfflineStoreBucket"
    effect    = "Allow"
    actions   = ["s3:GetBucketAcl", "s3:GetBucketLocation"]
    resources = [var.curated_bucket_arn]
  }

  statement {
    sid       = "OfflineStoreListing"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.curated_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.offline_store_prefix}/*", var.offline_store_prefix]
    }
  }

  statement {
    sid       = "OfflineStoreObjects"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:PutObjectAcl", "s3:GetObject"]
    resources = ["${var.curated_bucket_arn}/${var.offline_store_prefix}/*"]
  }

  statement {
    sid    = "OfflineStoreEncryption"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:DescribeKey",
    ]
    resources = [var.lake_kms_key_arn]
  }

  statement {
    sid    = "OfflineStoreGlueTables"
    effect = "Allow"
    actions = [
      "glue:GetDatabase",
      "glue:CreateDatabase",
      "glue:GetTable",
      "glue:CreateTable",
      "glue:UpdateTable",
    ]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${var.glue_database}",
      "${local.glue_arn}:table/${var.glue_database}/${local.table_stem}*",
    ]
  }
}

resource "aws_iam_policy" "writer" {
  name        = "${var.name_prefix}-feature-store-writer"
  description = "Create and write the ${var.group_prefix}-* feature groups and their offline store"
  policy      = data.aws_iam_policy_document.writer.json
  tags        = var.tags
}
