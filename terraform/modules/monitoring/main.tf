# Alarms and notifications: one KMS-encrypted SNS topic receives every alarm's state change and
# every failed execution of the pipeline (an EventBridge rule), and mails the subscribers.

locals {
  alarm_arn_prefix = "arn:${var.partition}:cloudwatch:${var.region}:${var.account_id}:alarm:${var.name_prefix}-"
  lambda_dims      = { FunctionName = var.function_name }
  api_dims         = { ApiId = var.api_id, Stage = var.api_stage }
  actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  display_name      = "${var.name_prefix} alarms"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "alarms" {
  statement {
    sid       = "AccountManagesTopic"
    effect    = "Allow"
    actions   = ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${var.partition}:iam::${var.account_id}:root"]
    }
  }

  statement {
    sid       = "ThisEnvironmentsAlarmsPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["${local.alarm_arn_prefix}*"]
    }
  }

  statement {
    sid       = "PipelineFailureRulePublishes"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.pipeline_failed.arn]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# --- alarms ----------------------------------------------------------------------------------
# One alarm per entry of local.alarms: <name_prefix>-<name>, raised when the metric's statistic
# is above threshold and sent to the topic, its return to OK too where notify_ok.

locals {
  # How long a metric must breach. The scoring function's and the API's alarms are raised when
  # datapoints_to_alarm of evaluation_periods periods breach; those on deployment and the
  # schedule on the first breaching 5-minute period.
  sustained = {
    period              = var.period_seconds
    evaluation_periods  = var.evaluation_periods
    datapoints_to_alarm = var.datapoints_to_alarm
  }
  at_once = {
    period              = 300
    evaluation_periods  = 1
    datapoints_to_alarm = null
  }

  # statistic: Sum, Maximum, ... or a percentile (p99), which CloudWatch calls an extended
  # statistic. notify_ok: the return to OK is sent to the topic as well. The keys are the
  # resource keys (aws_cloudwatch_metric_alarm.this["<key>"]).
  alarms = {
    # --- scoring function
    lambda_errors = {
      name        = "scoring-lambda-errors"
      description = "The scoring function failed (crash, timeout, out of memory) more than ${var.lambda_errors_threshold} times per period."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = local.lambda_dims
      statistic   = "Sum"
      threshold   = var.lambda_errors_threshold
      window      = local.sustained
      notify_ok   = true
    }
    lambda_throttles = {
      name        = "scoring-lambda-throttles"
      description = "Requests to the scoring function were throttled: the account's concurrency (or the function's reserved concurrency, when set) is too small for the traffic."
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      dimensions  = local.lambda_dims
      statistic   = "Sum"
      threshold   = var.lambda_throttles_threshold
      window      = local.sustained
      notify_ok   = true
    }
    lambda_duration_p99 = {
      name        = "scoring-lambda-duration-p99"
      description = "p99 duration of the scoring function is above ${var.lambda_duration_p99_ms} ms (timeout ${var.function_timeout_ms} ms)."
      namespace   = "AWS/Lambda"
      metric      = "Duration"
      dimensions  = local.lambda_dims
      statistic   = "p99"
      threshold   = var.lambda_duration_p99_ms
      window      = local.sustained
      notify_ok   = true
    }

    # --- HTTP API
    api_5xx = {
      name        = "api-5xx"
      description = "The API answered more than ${var.api_5xx_threshold} server errors (5xx) per period."
      namespace   = "AWS/ApiGateway"
      metric      = "5xx"
      dimensions  = local.api_dims
      statistic   = "Sum"
      threshold   = var.api_5xx_threshold
      window      = local.sustained
      notify_ok   = true
    }
    api_latency_p99 = {
      name        = "api-latency-p99"
      description = "p99 API latency is above ${var.api_latency_p99_ms} ms."
      namespace   = "AWS/ApiGateway"
      metric      = "Latency"
      dimensions  = local.api_dims
      statistic   = "p99"
      threshold   = var.api_latency_p99_ms
      window      = local.sustained
      notify_ok   = true
    }

    # --- deployment of approved models
    deploy_errors = {
      name        = "deploy-lambda-errors"
      description = "Pointing the scoring function at an approved model failed; the event is retried, then kept in the dead-letter queue."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = var.deploy_function_name }
      statistic   = "Sum"
      threshold   = 0
      window      = local.at_once
      notify_ok   = true
    }
    deploy_dead_letters = {
      name        = "deploy-dead-letters"
      description = "An approval event could not be deployed after its retries: it waits in the dead-letter queue ${var.deploy_dlq_name}."
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = var.deploy_dlq_name }
      statistic   = "Maximum"
      threshold   = 0
      window      = local.at_once
      notify_ok   = false
    }

    # --- pipeline
    schedule_failed = {
      name        = "pipeline-schedule-failed"
      description = "The schedule could not start the pipeline (not upserted yet with make pipeline-run TARGET=aws, or a parameter it does not declare)."
      namespace   = "AWS/Events"
      metric      = "FailedInvocations"
      dimensions  = { RuleName = var.schedule_rule_name }
      statistic   = "Sum"
      threshold   = 0
      window      = local.at_once
      notify_ok   = false
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.value.name}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = startswith(each.value.statistic, "p") ? null : each.value.statistic
  extended_statistic  = startswith(each.value.statistic, "p") ? each.value.statistic : null
  period              = each.value.window.period
  evaluation_periods  = each.value.window.evaluation_periods
  datapoints_to_alarm = each.value.window.datapoints_to_alarm
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = each.value.notify_ok ? local.actions : null
  tags                = var.tags
}

# --- pipeline failures ---------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "pipeline_failed" {
  name        = "${var.name_prefix}-pipeline-failed"
  description = "A ${var.pipeline_arn} execution failed"
  state       = "ENABLED"
  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Model Building Pipeline Execution Status Change"]
    detail = {
      pipelineArn                    = [var.pipeline_arn]
      currentPipelineExecutionStatus = ["Failed"]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "pipeline_failed" {
  rule      = aws_cloudwatch_event_rule.pipeline_failed.name
  target_id = "alarm-topic"
  arn       = aws_sns_topic.alarms.arn

  input_transformer {
    input_paths = {
      execution = "$.detail.pipelineExecutionArn"
      name      = "$.detail.pipelineExecutionDisplayName"
      time      = "$.time"
    }
    input_template = "\"Pipeline execution <name> failed at <time>: <execution>. See Studio (Pipelines) or make pipeline-run TARGET=aws for the failed step and its reason.\""
  }
}
