variable "name_prefix" {
  description = "Prefix of every name in the environment, e.g. datathon-mlet03-staging."
  type        = string
}

variable "account_id" {
  description = "AWS account id."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "pipeline_arn" {
  description = "ARN of the SageMaker pipeline the schedule starts (it exists once make pipeline-run TARGET=aws has upserted it)."
  type        = string
}

variable "schedule_expression" {
  description = "When the pipeline runs: an EventBridge cron() or rate() expression (UTC)."
  type        = string
  default     = "cron(0 5 ? * MON *)"

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be cron(...) or rate(...)."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule starts the pipeline (ENABLED) or only exists (DISABLED)."
  type        = bool
  default     = true
}

variable "schedule_owner" {
  description = "Who schedules retraining: eventbridge (this rule, per schedule_enabled) or airflow (the match_retraining DAG; this rule is then DISABLED, so the pipeline never runs twice)."
  type        = string
  default     = "eventbridge"

  validation {
    condition     = contains(["eventbridge", "airflow"], var.schedule_owner)
    error_message = "schedule_owner must be eventbridge or airflow."
  }
}

variable "pipeline_parameters" {
  description = "Parameters of the scheduled executions (names from the pipeline definition)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for name in keys(var.pipeline_parameters) : contains([
        "InputDataUrl", "ProcessingInstanceType", "TrainingInstanceType", "TrainingDevice",
        "NumBoostRound", "StaleAfterDays", "OcrEngine", "ExtractInstanceCount", "MinAuc", "MaxAucRegression", "ModelApprovalStatus",
      ], name)
    ])
    error_message = "pipeline_parameters may only name the pipeline's parameters: InputDataUrl, ProcessingInstanceType, TrainingInstanceType, TrainingDevice, NumBoostRound, StaleAfterDays, OcrEngine, ExtractInstanceCount, MinAuc, MaxAucRegression, ModelApprovalStatus."
  }
}

variable "model_package_group_name" {
  description = "Model package group whose approvals are deployed."
  type        = string
}

variable "serving_function_name" {
  description = "Scoring Lambda function the deploy Lambda points at each approved model."
  type        = string
}

variable "serving_function_arn" {
  description = "ARN of the scoring Lambda function."
  type        = string
}

variable "model_uri_prefix" {
  description = "The deploy Lambda refuses a package whose ModelDataUrl does not start with this (s3://<artifacts>/<pipeline>/training/): the scoring function can read nothing else."
  type        = string

  validation {
    condition     = startswith(var.model_uri_prefix, "s3://")
    error_message = "model_uri_prefix must be an s3:// prefix."
  }
}

variable "kms_key_arn" {
  description = "Operations key: the deploy Lambda's log group, environment and dead-letter queue (and the scoring function's environment, which the deploy Lambda rewrites)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the deploy Lambda's log group, in days."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts."
  }
}

variable "deploy_source_dir" {
  description = "Folder of the deploy handler's package (deploy/: on_approval.py, mlflow_registry.py); default: the repository's."
  type        = string
  default     = null
}

variable "mlflow_tracking_server_arn" {
  description = "ARN of the managed MLflow tracking server whose champion alias follows each approval (the deploy Lambda moves it)."
  type        = string
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
