output "state_bucket" {
  description = "State bucket: the bucket of every env root's backend.hcl."
  value       = aws_s3_bucket.state.id
}

output "state_kms_key_arn" {
  description = "Key that encrypts the state (kms_key_id in backend.hcl, optional)."
  value       = aws_kms_key.state.arn
}

output "region" {
  description = "Region of the state bucket (region in backend.hcl)."
  value       = var.region
}

output "github_oidc_provider_arn" {
  description = "GitHub Actions OIDC provider (github_oidc_provider_arn of the env roots; empty when not created here)."
  value       = try(aws_iam_openid_connect_provider.github[0].arn, "")
}
