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

variable "kms_key_arn" {
  description = "Key that encrypts the alarm topic (its key policy lets CloudWatch and EventBridge use it)."
  type        = string
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "function_name" {
  description = "Scoring Lambda function to watch."
  type        = string
}

variable "function_timeout_ms" {
  description = "Timeout of the scoring function in milliseconds (the duration alarm must be below it to mean anything)."
  type        = number
}

variable "api_id" {
  description = "HTTP API to watch."
  type        = string
}

variable "api_stage" {
  description = "Stage of the HTTP API to watch."
  type        = string
  default     = "$default"
}

variable "deploy_function_name" {
  description = "Deploy Lambda (model approval -> scoring function) to watch."
  type        = string
}

variable "deploy_dlq_name" {
  description = "Dead-letter queue of the deploy Lambda (failed deployments)."
  type        = string
}

variable "schedule_rule_name" {
  description = "EventBridge rule that starts the pipeline; its failed invocations raise an alarm."
  type        = string
}

variable "pipeline_arn" {
  description = "ARN of the SageMaker pipeline whose failed executions are reported."
  type        = string
}

variable "period_seconds" {
  description = "Period of the alarms' metrics."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 300, 900, 3600], var.period_seconds)
    error_message = "period_seconds must be 60, 300, 900 or 3600."
  }
}

variable "evaluation_periods" {
  description = "Periods an alarm looks at; datapoints_to_alarm of them must breach."
  type        = number
  default     = 3

  validation {
    condition     = var.evaluation_periods >= 1
    error_message = "evaluation_periods must be at least 1."
  }
}

variable "datapoints_to_alarm" {
  description = "Breaching periods (out of evaluation_periods) that raise an alarm."
  type        = number
  default     = 2

  validation {
    condition     = var.datapoints_to_alarm >= 1
    error_message = "datapoints_to_alarm must be at least 1."
  }
}

variable "lambda_errors_threshold" {
  description = "Scoring function errors per period that raise an alarm (errors are crashes and timeouts; 4xx/5xx answers are not Lambda errors)."
  type        = number

  validation {
    condition     = var.lambda_errors_threshold >= 0
    error_message = "lambda_errors_threshold must not be negative."
  }
}

variable "lambda_throttles_threshold" {
  description = "Scoring function throttles per period that raise an alarm (reserved concurrency reached)."
  type        = number

  validation {
    condition     = var.lambda_throttles_threshold >= 0
    error_message = "lambda_throttles_threshold must not be negative."
  }
}

variable "lambda_duration_p99_ms" {
  description = "p99 duration of the scoring function (ms) above which an alarm is raised."
  type        = number

  validation {
    condition     = var.lambda_duration_p99_ms > 0
    error_message = "lambda_duration_p99_ms must be positive."
  }
}

variable "api_5xx_threshold" {
  description = "API 5xx responses per period that raise an alarm."
  type        = number

  validation {
    condition     = var.api_5xx_threshold >= 0
    error_message = "api_5xx_threshold must not be negative."
  }
}

variable "api_latency_p99_ms" {
  description = "p99 API latency (ms) above which an alarm is raised."
  type        = number

  validation {
    condition     = var.api_latency_p99_ms > 0
    error_message = "api_latency_p99_ms must be positive."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
