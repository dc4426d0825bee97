# What /v1/explain's LLM the scoring role may invoke (the statements are in main.tf). Only
# variables and functions here: tests/iac/test_explain_infra.py evaluates these locals with
# terraform console for each kind of model id.

locals {
  # Bedrock: a foundation model id (anthropic.claude-...), a system inference profile id with
  # its geography prefix (us.anthropic.claude-...), or an ARN of either.
  bedrock_model           = var.explain_backend == "bedrock" ? var.explain_bedrock_model_id : ""
  bedrock_is_arn          = startswith(local.bedrock_model, "arn:")
  bedrock_is_profile      = can(regex("^(arn:[^/]+:inference-profile/)?(us|eu|apac|us-gov|jp|au|ca|global)\\.", local.bedrock_model))
  bedrock_foundation_id   = replace(replace(local.bedrock_model, "/^.*(foundation-model|inference-profile)//", ""), "/^(us|eu|apac|us-gov|jp|au|ca|global)\\./", "")
  bedrock_profile_arn     = local.bedrock_is_arn ? local.bedrock_model : "arn:${var.partition}:bedrock:${var.region}:${var.account_id}:inference-profile/${local.bedrock_model}"
  bedrock_foundation_arns = ["arn:${var.partition}:bedrock:${local.bedrock_is_profile ? "*" : var.region}::foundation-model/${local.bedrock_foundation_id}"]
  bedrock_statements = local.bedrock_model == "" ? [] : (
    local.bedrock_is_profile
    ? [
      { sid = "InvokeExplanationProfile", resources = [local.bedrock_profile_arn], profile_condition = false },
      { sid = "InvokeExplanationModelThroughProfile", resources = local.bedrock_foundation_arns, profile_condition = true },
    ]
    : [{ sid = "InvokeExplanationModel", resources = local.bedrock_foundation_arns, profile_condition = false }]
  )
  sagemaker_endpoint_arn = "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:endpoint/${lower(var.explain_sagemaker_endpoint_name)}"
}
