output "repository_urls" {
  description = "Repository URLs by short name (serving, steps, training); append :<tag> for an image URI."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.repository_url }
}

output "repository_arns" {
  description = "Repository ARNs by short name."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.arn }
}
