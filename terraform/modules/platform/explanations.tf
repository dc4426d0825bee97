# /v1/explain: the LLM the scoring function may invoke, and Langfuse for its prompt and traces:
# self-hosted (a VPC, Langfuse on ECS with its stores, the function in the VPC's private
# subnets), a managed instance (its URL and a secret with the project's keys), or none.

locals {
  langfuse_self_hosted = var.langfuse.mode == "self_hosted"
  langfuse_host = (
    local.langfuse_self_hosted ? module.langfuse[0].url
    : var.langfuse.mode == "managed" ? var.langfuse.host : ""
  )
  langfuse_secret_arn = (
    local.langfuse_self_hosted ? module.langfuse[0].api_keys_secret_arn
    : var.langfuse.mode == "managed" ? var.langfuse.secret_arn : ""
  )
  langfuse_secret_kms_key_arn = (
    var.langfuse.mode == "managed" && var.langfuse.secret_kms_key_arn != ""
    ? var.langfuse.secret_kms_key_arn : module.kms.key_arn
  )
}

module "network" {
  source = "../network"
  count  = local.langfuse_self_hosted ? 1 : 0

  name_prefix          = local.name_prefix
  cidr_block           = var.langfuse.vpc_cidr
  nat_gateway_per_zone = var.environment == "prod"
  interface_endpoints  = ["secretsmanager", var.explain.backend == "sagemaker" ? "sagemaker.runtime" : "bedrock-runtime"]
  region               = var.region
  account_id           = local.account_id
  kms_key_arn          = module.kms.key_arn
  log_retention_days   = var.log_retention_days
  tags                 = var.tags
}

module "langfuse" {
  source = "../langfuse"
  count  = local.langfuse_self_hosted ? 1 : 0

  name_prefix         = local.name_prefix
  bucket_prefix       = local.bucket_prefix
  domain_name         = var.langfuse.domain_name
  certificate_arn     = var.langfuse.certificate_arn
  langfuse_image_tag  = var.langfuse.image_tag
  ui_cidr_blocks      = var.langfuse.ui_cidr_blocks
  database_multi_az   = var.environment == "prod"
  cache_replicas      = var.environment == "prod" ? 1 : 0
  deletion_protection = var.environment == "prod"
  force_destroy       = var.force_destroy
  vpc_id              = module.network[0].vpc_id
  vpc_cidr_block      = module.network[0].cidr_block
  private_subnet_ids  = module.network[0].private_subnet_ids
  access_log_bucket   = module.data_lake.access_log_bucket
  kms_key_arn         = module.kms.key_arn
  region              = var.region
  account_id          = local.account_id
  tags                = var.tags
}
