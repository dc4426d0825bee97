# The "operations" customer managed key: CloudWatch log groups (Lambda, API access logs), the
# alarm SNS topic, the deploy Lambda's dead-letter queue, the ECR repositories and the Lambda
# functions' environment variables. Data in the lake has its own key (modules/data_lake), so
# access to data and access to telemetry are granted separately.

data "aws_iam_policy_document" "key" {
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

  statement {
    sid    = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    effect = "Allow"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:*"]
    }
  }

  # CloudWatch alarms and EventBridge publish to the KMS-encrypted alarm topic. AWS documents
  # this statement without conditions: neither service sends a caller account that a
  # kms:CallerAccount condition could match, and such a condition silently breaks alarm delivery.
  statement {
    sid       = "AlarmsAndEventsPublishToEncryptedTopic"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "ops" {
  description             = "${var.name_prefix}: CloudWatch Logs, SNS alarms, SQS, ECR and Lambda environment encryption"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "ops" {
  name          = "alias/${var.name_prefix}-ops"
  target_key_id = aws_kms_key.ops.key_id
}
