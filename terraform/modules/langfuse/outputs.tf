output "url" {
  description = "Langfuse's base URL inside the VPC (MATCH_LANGFUSE_HOST)."
  value       = local.url
}

output "api_keys_secret_arn" {
  description = "Secret holding the project's API key pair, {public_key, secret_key} (MATCH_LANGFUSE_SECRET_ARN)."
  value       = aws_secretsmanager_secret.api_keys.arn
}

output "clients_security_group_id" {
  description = "Security group that may reach Langfuse's load balancer (give it to the scoring function)."
  value       = aws_security_group.clients.id
}

output "cluster_name" {
  description = "ECS cluster of the Langfuse services."
  value       = aws_ecs_cluster.this.name
}
