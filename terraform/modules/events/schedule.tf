# The pipeline on a schedule: EventBridge starts an execution of the pipeline with the given
# parameters, through a role that can do exactly that and nothing else. One owner of the
# schedule: when Airflow schedules retraining (schedule_owner = "airflow"), this rule stays but
# is disabled.

data "aws_iam_policy_document" "events_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "start_pipeline" {
  name                 = "${var.name_prefix}-schedule-start-pipeline"
  description          = "EventBridge starts the pipeline on its schedule"
  assume_role_policy   = data.aws_iam_policy_document.events_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "start_pipeline" {
  statement {
    sid       = "StartThisPipelineOnly"
    effect    = "Allow"
    actions   = ["sagemaker:StartPipelineExecution"]
    resources = [var.pipeline_arn]
  }
}

resource "aws_iam_role_policy" "start_pipeline" {
  name   = "start-pipeline"
  role   = aws_iam_role.start_pipeline.id
  policy = data.aws_iam_policy_document.start_pipeline.json
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${var.name_prefix}-pipeline-schedule"
  description         = var.schedule_owner == "airflow" ? "Off: Airflow (the match_retraining DAG) schedules the pipeline" : "Starts the match scoring pipeline"
  schedule_expression = var.schedule_expression
  state               = var.schedule_enabled && var.schedule_owner == "eventbridge" ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule      = aws_cloudwatch_event_rule.schedule.name
  target_id = "sagemaker-pipeline"
  arn       = var.pipeline_arn
  role_arn  = aws_iam_role.start_pipeline.arn

  sagemaker_pipeline_target {
    dynamic "pipeline_parameter_list" {
      for_each = var.pipeline_parameters

      content {
        name  = pipeline_parameter_list.key
        value = pipeline_parameter_list.value
      }
    }
  }

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 3
  }
}
