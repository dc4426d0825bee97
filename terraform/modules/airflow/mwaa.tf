# Amazon MWAA, when DAGs or the team grow: Airflow 3.0.6 (the version the EC2 instance and
# `make airflow-check` run), its web server reachable from the VPC only, every log type in
# CloudWatch, its data encrypted with the operations key. The DAG's MATCH_* settings reach the
# workers through a startup script in the DAG bucket. The execution role is the one AWS documents
# for a customer managed key, plus the pipeline permissions (permissions.tf).

locals {
  mwaa               = var.mode == "mwaa" ? 1 : 0
  mwaa_log_group_arn = "${local.logs_arn}:airflow-${local.environment}-*"
  startup_key        = "startup/match-retraining.sh"
}

resource "aws_s3_object" "mwaa_startup" {
  count = local.mwaa

  bucket = aws_s3_bucket.dags.id
  key    = local.startup_key
  content = join("\n", concat(
    ["#!/bin/sh", "# The match_retraining DAG's settings (terraform/modules/airflow)."],
    [for name, value in local.settings : "export ${name}='${value}'"],
    [""],
  ))
  content_type = "text/x-shellscript"
  tags         = var.tags

  depends_on = [aws_s3_bucket_versioning.dags, aws_s3_bucket_server_side_encryption_configuration.dags]
}

data "aws_iam_policy_document" "mwaa_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "mwaa" {
  count = local.mwaa

  name                 = "${local.environment}-mwaa-execution"
  description          = "MWAA environment ${local.environment}: runs the match_retraining DAG against ${var.pipeline_name}"
  assume_role_policy   = data.aws_iam_policy_document.mwaa_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "mwaa_runs_the_pipeline" {
  count = local.mwaa

  name   = "run-the-pipeline"
  role   = aws_iam_role.mwaa[0].id
  policy = data.aws_iam_policy_document.run_pipeline.json
}

data "aws_iam_policy_document" "mwaa" {
  statement {
    sid       = "PublishEnvironmentHealth"
    effect    = "Allow"
    actions   = ["airflow:PublishMetrics"]
    resources = ["arn:${var.partition}:airflow:${var.region}:${var.account_id}:environment/${local.environment}"]
  }

  statement {
    sid       = "NeverListEveryBucket"
    effect    = "Deny"
    actions   = ["s3:ListAllMyBuckets"]
    resources = [aws_s3_bucket.dags.arn, "${aws_s3_bucket.dags.arn}/*"]
  }

  statement {
    sid       = "ReadTheDagBucket"
    effect    = "Allow"
    actions   = ["s3:GetObject*", "s3:GetBucket*", "s3:List*"]
    resources = [aws_s3_bucket.dags.arn, "${aws_s3_bucket.dags.arn}/*"]
  }

  statement {
    sid    = "WriteAndReadItsLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:CreateLogGroup",
      "logs:PutLogEvents",
      "logs:GetLogEvents",
      "logs:GetLogRecord",
      "logs:GetLogGroupFields",
      "logs:GetQueryResults",
    ]
    resources = [local.mwaa_log_group_arn]
  }

  # DescribeLogGroups and PutMetricData have no resource type: "*" is the only resource they take.
  statement {
    sid       = "DescribeLogGroups"
    effect    = "Allow"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"]
  }

  statement {
    sid       = "PublishMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
  }

  # MWAA's Celery queues live in an account MWAA owns: their ARNs name any account.
  statement {
    sid    = "UseItsTaskQueue"
    effect = "Allow"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = ["arn:${var.partition}:sqs:${var.region}:*:airflow-celery-*"]
  }

  statement {
    sid       = "OperationsKeyThroughSqsAndS3"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["sqs.${var.region}.amazonaws.com", "s3.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "mwaa" {
  count = local.mwaa

  name   = "mwaa-environment"
  role   = aws_iam_role.mwaa[0].id
  policy = data.aws_iam_policy_document.mwaa.json
}

resource "aws_security_group" "mwaa" {
  count = local.mwaa

  name        = "${local.environment}-mwaa"
  description = "MWAA ${local.environment}: its components talk to each other; HTTPS and its database out"
  vpc_id      = local.vpc_id
  tags        = var.tags

  ingress {
    description = "MWAA's components (web server, scheduler, workers, database endpoint) among themselves"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  egress {
    description = "MWAA's components among themselves (database endpoint on 5432)"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  egress {
    description = "HTTPS to AWS APIs (SageMaker, S3, SQS, CloudWatch) and the package index"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_mwaa_environment" "this" {
  count = local.mwaa

  name                             = local.environment
  airflow_version                  = "3.0.6"
  environment_class                = var.mwaa_environment_class
  min_workers                      = 1
  max_workers                      = var.mwaa_max_workers
  execution_role_arn               = aws_iam_role.mwaa[0].arn
  kms_key                          = var.kms_key_arn
  source_bucket_arn                = aws_s3_bucket.dags.arn
  dag_s3_path                      = local.dag_prefix
  startup_script_s3_path           = aws_s3_object.mwaa_startup[0].key
  startup_script_s3_object_version = aws_s3_object.mwaa_startup[0].version_id
  webserver_access_mode            = "PRIVATE_ONLY"
  weekly_maintenance_window_start  = "SUN:03:00"

  airflow_configuration_options = {
    "core.load_examples" = "False"
  }

  network_configuration {
    security_group_ids = [aws_security_group.mwaa[0].id]
    subnet_ids         = local.private_subnet_ids
  }

  logging_configuration {
    dag_processing_logs {
      enabled   = true
      log_level = "INFO"
    }
    scheduler_logs {
      enabled   = true
      log_level = "INFO"
    }
    task_logs {
      enabled   = true
      log_level = "INFO"
    }
    webserver_logs {
      enabled   = true
      log_level = "WARNING"
    }
    worker_logs {
      enabled   = true
      log_level = "WARNING"
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.mwaa, aws_iam_role_policy.mwaa_runs_the_pipeline]
}
