# Staging: small and cheap. The schedule is off (runs are started by CI with
# make pipeline-run TARGET=aws), buckets may be destroyed with their data, logs are kept 90 days,
# and alarms fire only on clear breakage.
#
# This file is what is staging's own: the variables whose default (or, for environment, whose
# validation) differs between the environments. The rest of this root is shared with the other
# one: main.tf, outputs.tf, variables.tf and versions.tf are links to terraform/envs/shared.

variable "environment" {
  description = "Environment name; this root deploys staging only."
  type        = string
  default     = "staging"

  validation {
    condition     = var.environment == "staging"
    error_message = "This is the staging root (terraform/envs/staging): environment must be staging."
  }
}

variable "serving_memory_mb" {
  description = "Memory of the scoring function in MB (1024-2048); Lambda's CPU share grows with it."
  type        = number
  default     = 1024

  validation {
    condition     = var.serving_memory_mb >= 1024 && var.serving_memory_mb <= 2048
    error_message = "serving_memory_mb must be between 1024 and 2048."
  }
}

variable "api_throttling_burst_limit" {
  description = "API burst limit (requests)."
  type        = number
  default     = 50

  validation {
    condition     = var.api_throttling_burst_limit >= 1
    error_message = "api_throttling_burst_limit must be at least 1."
  }
}

variable "api_throttling_rate_limit" {
  description = "API steady-state limit (requests per second)."
  type        = number
  default     = 20

  validation {
    condition     = var.api_throttling_rate_limit >= 1
    error_message = "api_throttling_rate_limit must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the Lambda and API log groups, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ...)."
  }
}

variable "noncurrent_version_days" {
  description = "Days replaced or deleted object versions are kept in the lake buckets."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be at least 1."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets and ECR repositories."
  type        = bool
  default     = true
}

variable "ecr_keep_images" {
  description = "Images each ECR repository keeps (older ones expire)."
  type        = number
  default     = 15

  validation {
    condition     = var.ecr_keep_images >= 1
    error_message = "ecr_keep_images must be at least 1."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule starts the pipeline."
  type        = bool
  default     = false
}

variable "alarm_thresholds" {
  description = "Alarm thresholds: lambda_errors, lambda_throttles and api_5xx per 5 minutes; lambda_duration_p99_ms and api_latency_p99_ms in milliseconds."
  type = object({
    lambda_errors          = number
    lambda_throttles       = number
    lambda_duration_p99_ms = number
    api_5xx                = number
    api_latency_p99_ms     = number
  })
  default = {
    lambda_errors          = 5
    lambda_throttles       = 5
    lambda_duration_p99_ms = 10000
    api_5xx                = 5
    api_latency_p99_ms     = 10000
  }

  validation {
    condition = (
      var.alarm_thresholds.lambda_errors >= 0 && var.alarm_thresholds.lambda_throttles >= 0 && var.alarm_thresholds.api_5xx >= 0
      && var.alarm_thresholds.lambda_duration_p99_ms > 0 && var.alarm_thresholds.lambda_duration_p99_ms < 15000
      && var.alarm_thresholds.api_latency_p99_ms > 0
    )
    error_message = "Counts must not be negative; latencies must be positive, the Lambda p99 below its 15 s timeout."
  }
}
