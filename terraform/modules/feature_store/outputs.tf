output "writer_policy_arn" {
  description = "Managed policy that creates and writes this pipeline's feature groups and offline store (attached to the SageMaker execution role)."
  value       = aws_iam_policy.writer.arn
}

output "feature_group_names" {
  description = "Names the ingestion step gives the feature groups, by kind (jobs, applicants)."
  value       = local.group_names
}

output "feature_group_arns" {
  description = "ARNs the feature groups will have, by kind (jobs, applicants)."
  value       = local.group_arns
}

output "offline_store_uri" {
  description = "S3 URI of the offline store (MATCH_* settings: offline_store_uri)."
  value       = local.offline_store_uri
}

output "glue_database" {
  description = "Glue database of the offline store tables."
  value       = var.glue_database
}
