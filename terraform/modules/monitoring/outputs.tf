output "alarm_topic_arn" {
  description = "SNS topic that receives alarms and pipeline failures."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms."
  value = [
    aws_cloudwatch_metric_alarm.lambda_errors.alarm_name,
    aws_cloudwatch_metric_alarm.lambda_throttles.alarm_name,
    aws_cloudwatch_metric_alarm.lambda_duration_p99.alarm_name,
    aws_cloudwatch_metric_alarm.api_5xx.alarm_name,
    aws_cloudwatch_metric_alarm.api_latency_p99.alarm_name,
    aws_cloudwatch_metric_alarm.deploy_errors.alarm_name,
    aws_cloudwatch_metric_alarm.deploy_dead_letters.alarm_name,
    aws_cloudwatch_metric_alarm.schedule_failed.alarm_name,
  ]
}
