# The wiring both env roots share: terraform/envs/staging and terraform/envs/prod link to this
# file (and to outputs.tf, variables.tf and versions.tf here), so the two environments are the
# same configuration with different values. What differs is in each root's environment.tf.
# Edit here; terraform runs in the roots (tools/tf.sh), never in this folder. The module source
# is relative to the root, which sits at the same depth as this folder.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform"
      Repository  = var.github_repository
    }
  }
}

module "platform" {
  source = "../../modules/platform"

  project                       = var.project
  environment                   = var.environment
  region                        = var.region
  bucket_prefix                 = var.bucket_prefix
  serving_image_tag             = var.serving_image_tag
  serving_memory_mb             = var.serving_memory_mb
  serving_reserved_concurrency  = var.serving_reserved_concurrency
  serving_initial_model_uri     = var.serving_initial_model_uri
  max_rank_applicants           = var.max_rank_applicants
  api_jwt_authorizer            = var.api_jwt_authorizer
  api_throttling_burst_limit    = var.api_throttling_burst_limit
  api_throttling_rate_limit     = var.api_throttling_rate_limit
  log_retention_days            = var.log_retention_days
  noncurrent_version_days       = var.noncurrent_version_days
  force_destroy                 = var.force_destroy
  ecr_keep_images               = var.ecr_keep_images
  mlflow_server_size            = var.mlflow_server_size
  mlflow_version                = var.mlflow_version
  github_repository             = var.github_repository
  github_oidc_provider_arn      = var.github_oidc_provider_arn
  operator_trusted_role_arns    = var.operator_trusted_role_arns
  schedule_expression           = var.schedule_expression
  schedule_enabled              = var.schedule_enabled
  scheduled_pipeline_parameters = var.scheduled_pipeline_parameters
  airflow                       = var.airflow
  airflow_schedule              = var.airflow_schedule
  airflow_network               = var.airflow_network
  studio_domain_id              = var.studio_domain_id
  alarm_emails                  = var.alarm_emails
  alarm_thresholds              = var.alarm_thresholds
  explain                       = var.explain
  langfuse                      = var.langfuse
}
