variable "name_prefix" {
  description = "Prefix of every name in the environment, e.g. datathon-mlet03-staging."
  type        = string
}

variable "environment" {
  description = "Environment name (staging or prod); names the GitHub environment the operator role trusts."
  type        = string
}

variable "pipeline_name" {
  description = "SageMaker pipeline name (MATCH_PIPELINE_NAME); the pipeline is upserted by make pipeline-run TARGET=aws."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$", var.pipeline_name))
    error_message = "pipeline_name must be letters, digits and single hyphens."
  }
}

variable "model_package_group_name" {
  description = "Model package group (MATCH_MODEL_PACKAGE_GROUP); approval there drives deployment."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.model_package_group_name))
    error_message = "model_package_group_name must be 1-63 letters, digits and single hyphens."
  }
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

variable "bucket_arns" {
  description = "Lake bucket ARNs by zone (raw, curated, artifacts)."
  type        = map(string)

  validation {
    condition     = alltrue([for zone in ["raw", "curated", "artifacts"] : contains(keys(var.bucket_arns), zone)])
    error_message = "bucket_arns must hold raw, curated and artifacts."
  }
}

variable "bucket_names" {
  description = "Lake bucket names by zone (raw, curated, artifacts)."
  type        = map(string)
}

variable "lake_kms_key_arn" {
  description = "ARN of the lake key."
  type        = string
}

variable "image_repository_arns" {
  description = "ARNs of the ECR repositories the processing and training jobs pull from (steps, training)."
  type        = list(string)
}

variable "feature_store_policy_arn" {
  description = "Managed policy for this pipeline's feature groups (modules/feature_store)."
  type        = string
}

variable "job_name_prefixes" {
  description = "Prefixes of the processing and training job names the pipeline creates. SageMaker Pipelines names them pipelines-<execution>-<step>-<token> unless the definition sets custom job prefixes."
  type        = list(string)
  default     = ["pipelines-"]
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
  description = "MLflow version of the tracking server; the jobs' client is its minor version (mlflow-skinny 3.0.1, sagemaker-mlflow 0.5)."
  type        = string
  default     = "3.0"

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)+$", var.mlflow_version))
    error_message = "mlflow_version must look like 3.0."
  }
}

variable "mlflow_maintenance_window" {
  description = "Weekly maintenance window start of the tracking server, e.g. Sun:03:00 (UTC)."
  type        = string
  default     = "Sun:03:00"

  validation {
    condition     = can(regex("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.mlflow_maintenance_window))
    error_message = "mlflow_maintenance_window must look like Sun:03:00."
  }
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose Actions, in the GitHub environment named like this environment, may assume the pipeline operator role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of the account's GitHub Actions OIDC provider (terraform/bootstrap creates it)."
  type        = string
}

variable "operator_trusted_role_arns" {
  description = "Further IAM role ARNs (e.g. an SSO admin role) that may assume the pipeline operator role; empty for CI only."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
