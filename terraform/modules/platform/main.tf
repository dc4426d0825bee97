# One environment of the match scoring system, wired from the modules. The env roots
# (terraform/envs/staging, terraform/envs/prod) call this with their own sizes and thresholds.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  name_prefix   = "${var.project}-${var.environment}"
  bucket_prefix = var.bucket_prefix != "" ? var.bucket_prefix : local.name_prefix
  # pipelines/config.py: the pipeline, the model (MLflow) and the model package group share a
  # name; the feature groups are <pipeline>-jobs and <pipeline>-applicants.
  pipeline_name       = "${local.name_prefix}-match"
  model_package_group = local.pipeline_name
  serving_function    = "${local.name_prefix}-scoring-api"
  model_prefix        = "${local.pipeline_name}/training/"
  github_oidc_provider_arn = (
    var.github_oidc_provider_arn != ""
    ? var.github_oidc_provider_arn
    : "arn:${local.partition}:iam::${local.account_id}:oidc-provider/token.actions.githubusercontent.com"
  )
  # No InputDataUrl: the schedule runs the definition's default, the data snapshot that
  # `make pipeline-run TARGET=aws` synced (or found) last when it upserted the pipeline. A fixed
  # prefix here would keep SageMaker's step cache from ever seeing new data (its key is the URI).
  scheduled_parameters = merge({
    TrainingDevice      = "gpu"
    ModelApprovalStatus = "PendingManualApproval"
  }, var.scheduled_pipeline_parameters)
}

module "kms" {
  source = "../kms"

  name_prefix = local.name_prefix
  account_id  = local.account_id
  region      = var.region
  partition   = local.partition
  tags        = var.tags
}

module "data_lake" {
  source = "../data_lake"

  name_prefix             = local.name_prefix
  bucket_prefix           = local.bucket_prefix
  account_id              = local.account_id
  partition               = local.partition
  noncurrent_version_days = var.noncurrent_version_days
  force_destroy           = var.force_destroy
  tags                    = var.tags
}

module "ecr" {
  source = "../ecr"

  name_prefix  = local.name_prefix
  account_id   = local.account_id
  region       = var.region
  partition    = local.partition
  kms_key_arn  = module.kms.key_arn
  keep_images  = var.ecr_keep_images
  force_delete = var.force_destroy
  tags         = var.tags
}

module "feature_store" {
  source = "../feature_store"

  name_prefix         = local.name_prefix
  group_prefix        = local.pipeline_name
  account_id          = local.account_id
  region              = var.region
  partition           = local.partition
  curated_bucket_name = module.data_lake.bucket_names["curated"]
  curated_bucket_arn  = module.data_lake.bucket_arns["curated"]
  lake_kms_key_arn    = module.data_lake.kms_key_arn
  tags                = var.tags
}

module "sagemaker" {
  source = "../sagemaker"

  name_prefix                = local.name_prefix
  environment                = var.environment
  pipeline_name              = local.pipeline_name
  model_package_group_name   = local.model_package_group
  account_id                 = local.account_id
  region                     = var.region
  partition                  = local.partition
  bucket_arns                = module.data_lake.bucket_arns
  bucket_names               = module.data_lake.bucket_names
  lake_kms_key_arn           = module.data_lake.kms_key_arn
  image_repository_arns      = [module.ecr.repository_arns["steps"], module.ecr.repository_arns["training"]]
  feature_store_policy_arn   = module.feature_store.writer_policy_arn
  mlflow_server_size         = var.mlflow_server_size
  mlflow_version             = var.mlflow_version
  github_repository          = var.github_repository
  github_oidc_provider_arn   = local.github_oidc_provider_arn
  operator_trusted_role_arns = var.operator_trusted_role_arns
  tags                       = var.tags
}

module "serving" {
  source = "../serving"

  function_name        = local.serving_function
  image_uri            = "${module.ecr.repository_urls["serving"]}:${var.serving_image_tag}"
  memory_size          = var.serving_memory_mb
  timeout              = 15
  reserved_concurrency = var.serving_reserved_concurrency
  model_uri            = var.serving_initial_model_uri
  model_name           = local.model_package_group
  feature_group_prefix = local.pipeline_name
  max_rank_applicants  = var.max_rank_applicants
  artifacts_bucket_arn = module.data_lake.bucket_arns["artifacts"]
  model_prefixes       = [local.model_prefix]
  lake_kms_key_arn     = module.data_lake.kms_key_arn
  ops_kms_key_arn      = module.kms.key_arn
  feature_group_arns   = values(module.feature_store.feature_group_arns)
  log_retention_days   = var.log_retention_days

  explain_backend                 = var.explain.backend
  explain_bedrock_model_id        = var.explain.bedrock_model_id
  explain_sagemaker_endpoint_name = var.explain.sagemaker_endpoint_name
  langfuse_host                   = local.langfuse_host
  langfuse_secret_arn             = local.langfuse_secret_arn
  langfuse_secret_kms_key_arn     = local.langfuse_secret_kms_key_arn
  vpc_subnet_ids                  = local.langfuse_self_hosted ? module.network[0].private_subnet_ids : []
  vpc_security_group_ids          = local.langfuse_self_hosted ? [module.langfuse[0].clients_security_group_id] : []
  region                          = var.region
  account_id                      = local.account_id
  partition                       = local.partition
  tags                            = var.tags
}

module "api" {
  source = "../api"

  name                   = "${local.name_prefix}-scoring-api"
  function_name          = module.serving.function_name
  function_invoke_arn    = module.serving.invoke_arn
  function_timeout       = 15
  jwt_authorizer         = var.api_jwt_authorizer
  throttling_burst_limit = var.api_throttling_burst_limit
  throttling_rate_limit  = var.api_throttling_rate_limit
  log_retention_days     = var.log_retention_days
  kms_key_arn            = module.kms.key_arn
  tags                   = var.tags
}

module "events" {
  source = "../events"

  name_prefix                = local.name_prefix
  account_id                 = local.account_id
  region                     = var.region
  partition                  = local.partition
  pipeline_arn               = module.sagemaker.pipeline_arn
  schedule_expression        = var.schedule_expression
  schedule_enabled           = var.schedule_enabled
  schedule_owner             = var.airflow == "none" ? "eventbridge" : "airflow"
  pipeline_parameters        = local.scheduled_parameters
  model_package_group_name   = module.sagemaker.model_package_group_name
  serving_function_name      = module.serving.function_name
  serving_function_arn       = module.serving.function_arn
  model_uri_prefix           = "s3://${module.data_lake.bucket_names["artifacts"]}/${local.model_prefix}"
  mlflow_tracking_server_arn = module.sagemaker.mlflow_tracking_server_arn
  kms_key_arn                = module.kms.key_arn
  log_retention_days         = var.log_retention_days
  tags                       = var.tags
}

module "airflow" {
  source = "../airflow"
  count  = var.airflow == "none" ? 0 : 1

  mode                     = var.airflow
  name_prefix              = local.name_prefix
  bucket_prefix            = local.bucket_prefix
  account_id               = local.account_id
  region                   = var.region
  partition                = local.partition
  pipeline_name            = local.pipeline_name
  model_package_group_name = module.sagemaker.model_package_group_name
  raw_bucket_arn           = module.data_lake.bucket_arns["raw"]
  artifacts_bucket_arn     = module.data_lake.bucket_arns["artifacts"]
  lake_kms_key_arn         = module.data_lake.kms_key_arn
  kms_key_arn              = module.kms.key_arn
  schedule                 = var.airflow_schedule
  studio_domain_id         = var.studio_domain_id
  network                  = var.airflow_network
  log_retention_days       = var.log_retention_days
  noncurrent_version_days  = var.noncurrent_version_days
  force_destroy            = var.force_destroy
  tags                     = var.tags
}

module "monitoring" {
  source = "../monitoring"

  name_prefix                = local.name_prefix
  account_id                 = local.account_id
  region                     = var.region
  partition                  = local.partition
  kms_key_arn                = module.kms.key_arn
  alarm_emails               = var.alarm_emails
  function_name              = module.serving.function_name
  function_timeout_ms        = 15000
  api_id                     = module.api.api_id
  api_stage                  = module.api.stage_name
  deploy_function_name       = module.events.deploy_function_name
  deploy_dlq_name            = module.events.deploy_dlq_name
  schedule_rule_name         = module.events.schedule_rule_name
  pipeline_arn               = module.sagemaker.pipeline_arn
  lambda_errors_threshold    = var.alarm_thresholds.lambda_errors
  lambda_throttles_threshold = var.alarm_thresholds.lambda_throttles
  lambda_duration_p99_ms     = var.alarm_thresholds.lambda_duration_p99_ms
  api_5xx_threshold          = var.alarm_thresholds.api_5xx
  api_latency_p99_ms         = var.alarm_thresholds.api_latency_p99_ms
  tags                       = var.tags
}
