output "dag_bucket" {
  description = "Bucket whose dags/ prefix Airflow reads the DAGs from (make airflow-dags-sync)."
  value       = aws_s3_bucket.dags.id
}

output "role_arn" {
  description = "Role the DAG runs under: the EC2 instance role or the MWAA execution role."
  value       = var.mode == "ec2" ? aws_iam_role.instance[0].arn : aws_iam_role.mwaa[0].arn
}

output "instance_id" {
  description = "The Airflow instance (mode ec2), for aws ssm start-session; empty on MWAA."
  value       = var.mode == "ec2" ? aws_instance.airflow[0].id : ""
}

output "mwaa_webserver_url" {
  description = "MWAA's web server (reachable from the VPC), mode mwaa; empty on EC2."
  value       = var.mode == "mwaa" ? aws_mwaa_environment.this[0].webserver_url : ""
}

output "log_groups" {
  description = "Where Airflow's logs are: the instance's task and service groups, or MWAA's airflow-<name>-* groups."
  value       = var.mode == "ec2" ? join(", ", local.instance_log_groups) : "airflow-${local.environment}-*"
}
