output "key_arn" {
  description = "ARN of the operations key."
  value       = aws_kms_key.ops.arn
}

output "key_id" {
  description = "Id of the operations key."
  value       = aws_kms_key.ops.key_id
}

output "alias_name" {
  description = "Alias of the operations key."
  value       = aws_kms_alias.ops.name
}
