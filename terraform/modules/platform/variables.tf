variable "project" {
  description = "Project name, the first part of every name (datathon-mlet03)."
  type        = string
}

variable "environment" {
  description = "Environment name: staging or prod."
  type        = string

  validation {
    condition     = contains(["staging", "prod"], var.environment)
    error_message = "environment must be staging or prod."
  }
}

variable "region" {
  description = "AWS region of every resource."
  type        = string
}

variable "bucket_prefix" {
  description = "Prefix of the bucket names; empty means <project>-<environment>."
  type        = string
  default     = ""
}

variable "serving_image_tag" {
  description = "Tag (the commit SHA CI pushed) of the serving image in the serving repository."
  type        = string
}

variable "serving_memory_mb" {
  description = "Memory of the scoring function (MB)."
  type        = number
}

variable "serving_reserved_concurrency" {
  description = "Reserved concurrency of the scoring function; null: none (the account's unreserved pool)."
  type        = number
  default     = null
}

variable "serving_initial_model_uri" {
  description = "MATCH_MODEL_URI before the first approval (usually empty: the API answers 503 until a model is approved)."
  type        = string
  default     = ""
}

variable "max_rank_applicants" {
  description = "MATCH_MAX_RANK_APPLICANTS of the API."
  type        = number
  default     = 1000
}

variable "api_jwt_authorizer" {
  description = "JWT authorizer for the API (issuer, audience); null for IAM (SigV4) authorization."
  type = object({
    issuer   = string
    audience = list(string)
  })
  default = null
}

variable "api_throttling_burst_limit" {
  description = "API burst limit (requests)."
  type        = number
}

variable "api_throttling_rate_limit" {
  description = "API steady-state limit (requests per second)."
  type        = number
}

variable "log_retention_days" {
  description = "Retention of the Lambda and API log groups, in days."
  type        = number
}

variable "noncurrent_version_days" {
  description = "Days replaced or deleted object versions are kept in the lake buckets."
  type        = number
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets and repositories."
  type        = bool
  default     = false
}

variable "ecr_keep_images" {
  description = "Images each ECR repository keeps."
  type        = number
  default     = 30
}

variable "mlflow_server_size" {
  description = "Size of the managed MLflow tracking server."
  type        = string
  default     = "Small"
}

variable "mlflow_version" {
  description = "MLflow version of the tracking server."
  type        = string
  default     = "3.0"
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose Actions may assume the pipeline operator role."
  type        = string
}

variable "github_oidc_provider_arn" {
  description = "ARN of the account's GitHub Actions OIDC provider; empty means the standard one, arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  type        = string
  default     = ""
}

variable "operator_trusted_role_arns" {
  description = "Further roles that may assume the pipeline operator role."
  type        = list(string)
  default     = []
}

variable "schedule_expression" {
  description = "When the pipeline runs (EventBridge cron or rate, UTC)."
  type        = string
}

variable "schedule_enabled" {
  description = "Whether the schedule starts the pipeline."
  type        = bool
}

variable "airflow" {
  description = "Airflow for the match_retraining DAG: none, ec2 (dev/test) or mwaa. When on, Airflow owns the retraining schedule and the EventBridge rule is disabled."
  type        = string
  default     = "none"
}

variable "airflow_schedule" {
  description = "Airflow cron expression of the retraining DAG (when airflow is on), or none for manual runs."
  type        = string
  default     = "0 5 * * 1"
}

variable "airflow_network" {
  description = "An existing VPC and two private subnets for Airflow; null creates a VPC with NAT."
  type = object({
    vpc_id             = string
    private_subnet_ids = list(string)
  })
  default = null
}

variable "studio_domain_id" {
  description = "SageMaker Studio domain the DAG's report links pipeline executions in; empty: the report gives the ARN."
  type        = string
  default     = ""
}

variable "scheduled_pipeline_parameters" {
  description = "Parameters of the scheduled executions, over the defaults (TrainingDevice = gpu, ModelApprovalStatus = PendingManualApproval; InputDataUrl is the definition's default, the data snapshot synced last: set it only to pin a snapshot)."
  type        = map(string)
  default     = {}
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

variable "alarm_thresholds" {
  description = "Alarm thresholds: lambda_errors and lambda_throttles and api_5xx (count per 5 minutes), lambda_duration_p99_ms and api_latency_p99_ms."
  type = object({
    lambda_errors          = number
    lambda_throttles       = number
    lambda_duration_p99_ms = number
    api_5xx                = number
    api_latency_p99_ms     = number
  })
}

variable "tags" {
  description = "Tags for every resource (the providers' default_tags add Project and Environment)."
  type        = map(string)
  default     = {}
}

variable "explain" {
  description = "The LLM of /v1/explain: backend (\"\", \"bedrock\" or \"sagemaker\"), bedrock_model_id (model id, inference profile id or ARN), sagemaker_endpoint_name."
  type = object({
    backend                 = string
    bedrock_model_id        = string
    sagemaker_endpoint_name = string
  })
}

variable "langfuse" {
  description = "Langfuse for the explanation prompt and traces: mode (none, self_hosted, managed); self_hosted: domain_name, certificate_arn, image_tag, ui_cidr_blocks, vpc_cidr; managed: host and secret_arn (and secret_kms_key_arn when not the operations key)."
  type = object({
    mode               = string
    host               = string
    secret_arn         = string
    secret_kms_key_arn = string
    domain_name        = string
    certificate_arn    = string
    image_tag          = string
    ui_cidr_blocks     = list(string)
    vpc_cidr           = string
  })
}
