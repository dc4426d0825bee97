variable "project" {
  description = "Project name, the first part of every name."
  type        = string
  default     = "datathon-mlet03"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.project))
    error_message = "project must be 3-32 lowercase letters, digits or hyphens."
  }
}

variable "environment" {
  description = "Environment name; this root deploys staging only."
  type        = string
  default     = "staging"

  validation {
    condition     = var.environment == "staging"
    error_message = "This is the staging root (terraform/envs/staging): environment must be staging."
  }
}

variable "region" {
  description = "AWS region of every resource (MATCH_REGION)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "bucket_prefix" {
  description = "Prefix of the bucket names (MATCH_BUCKET_PREFIX); empty means <project>-<environment>. Bucket names are global: set it when that name is taken."
  type        = string
  default     = ""

  validation {
    condition     = var.bucket_prefix == "" || can(regex("^[a-z0-9][a-z0-9-]{1,45}[a-z0-9]$", var.bucket_prefix))
    error_message = "bucket_prefix must be empty or 3-47 lowercase letters, digits or hyphens."
  }
}

variable "serving_image_tag" {
  description = "Tag of the serving image in the serving ECR repository (CI pushes the commit SHA; tags are immutable)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.serving_image_tag))
    error_message = "serving_image_tag must be a valid image tag (letters, digits, _ . -; at most 128)."
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

variable "serving_reserved_concurrency" {
  description = "Reserved concurrency of the scoring function: its guaranteed and maximum number of concurrent requests."
  type        = number
  default     = 5

  validation {
    condition     = var.serving_reserved_concurrency >= 1 && floor(var.serving_reserved_concurrency) == var.serving_reserved_concurrency
    error_message = "serving_reserved_concurrency must be a whole number, at least 1."
  }
}

variable "serving_initial_model_uri" {
  description = "MATCH_MODEL_URI before the first approval; empty (the API answers 503 until a model is approved). Later approvals are deployed by the deploy Lambda, not terraform."
  type        = string
  default     = ""

  validation {
    condition     = var.serving_initial_model_uri == "" || startswith(var.serving_initial_model_uri, "s3://")
    error_message = "serving_initial_model_uri must be empty or an s3:// URI."
  }
}

variable "max_rank_applicants" {
  description = "Most applicants one /v1/rank request may name (MATCH_MAX_RANK_APPLICANTS)."
  type        = number
  default     = 1000

  validation {
    condition     = var.max_rank_applicants >= 1
    error_message = "max_rank_applicants must be at least 1."
  }
}

variable "api_jwt_authorizer" {
  description = "JWT authorizer for the API ({ issuer = \"https://...\", audience = [\"...\"] }); null keeps IAM (SigV4) authorization."
  type = object({
    issuer   = string
    audience = list(string)
  })
  default = null

  validation {
    condition     = var.api_jwt_authorizer == null || try(startswith(var.api_jwt_authorizer.issuer, "https://"), false)
    error_message = "api_jwt_authorizer.issuer must be an https:// URL."
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

variable "mlflow_server_size" {
  description = "Size of the managed MLflow tracking server (Small, Medium, Large)."
  type        = string
  default     = "Small"

  validation {
    condition     = contains(["Small", "Medium", "Large"], var.mlflow_server_size)
    error_message = "mlflow_server_size must be Small, Medium or Large."
  }
}

variable "mlflow_version" {
  description = "MLflow version of the tracking server (the project's clients are MLflow 3)."
  type        = string
  default     = "3.0"

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)+$", var.mlflow_version))
    error_message = "mlflow_version must look like 3.0."
  }
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose Actions, in the GitHub environment \"staging\", may assume the pipeline operator role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of the account's GitHub Actions OIDC provider; empty means the standard ARN terraform/bootstrap creates."
  type        = string
  default     = ""

  validation {
    condition     = var.github_oidc_provider_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be empty or an IAM OIDC provider ARN."
  }
}

variable "operator_trusted_role_arns" {
  description = "Further IAM roles (e.g. an SSO administrator role) that may assume the pipeline operator role."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.operator_trusted_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "operator_trusted_role_arns must be IAM role ARNs."
  }
}

variable "schedule_expression" {
  description = "When EventBridge starts the pipeline (cron or rate expression, UTC)."
  type        = string
  default     = "cron(0 5 ? * MON *)"

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be cron(...) or rate(...)."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule starts the pipeline."
  type        = bool
  default     = false
}

variable "scheduled_pipeline_parameters" {
  description = "Pipeline parameters of scheduled executions, over the defaults (InputDataUrl = s3://<raw>/decision, TrainingDevice = gpu, ModelApprovalStatus = PendingManualApproval)."
  type        = map(string)
  default     = {}
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
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
