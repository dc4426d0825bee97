output "function_name" {
  description = "Name of the scoring function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the scoring function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN of the scoring function (API Gateway integration URI)."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_arn" {
  description = "Execution role of the scoring function."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Log group of the scoring function."
  value       = aws_cloudwatch_log_group.this.name
}
