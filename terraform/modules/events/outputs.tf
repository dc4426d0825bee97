output "deploy_function_name" {
  description = "Name of the deploy Lambda."
  value       = aws_lambda_function.deploy.function_name
}

output "deploy_dlq_name" {
  description = "Dead-letter queue of the deploy Lambda."
  value       = aws_sqs_queue.deploy_dlq.name
}

output "schedule_rule_name" {
  description = "EventBridge rule that starts the pipeline."
  value       = aws_cloudwatch_event_rule.schedule.name
}

output "approval_rule_name" {
  description = "EventBridge rule that deploys approved models."
  value       = aws_cloudwatch_event_rule.approved.name
}
