output "execution_role_arn" {
  description = "SageMaker execution role (MATCH_ROLE_ARN)."
  value       = aws_iam_role.execution.arn
}

output "execution_role_name" {
  description = "Name of the SageMaker execution role."
  value       = aws_iam_role.execution.name
}

output "pipeline_operator_role_arn" {
  description = "Role CI assumes to run make pipeline-run TARGET=aws."
  value       = aws_iam_role.pipeline_operator.arn
}

output "pipeline_arn" {
  description = "ARN the pipeline has once make pipeline-run TARGET=aws created it."
  value       = local.pipeline_arn
}

output "mlflow_tracking_server_arn" {
  description = "ARN of the managed MLflow tracking server (MATCH_MLFLOW_TRACKING_URI)."
  value       = aws_sagemaker_mlflow_tracking_server.this.arn
}

output "mlflow_tracking_server_url" {
  description = "URL of the tracking server (the MLflow UI, through a presigned URL from Studio)."
  value       = aws_sagemaker_mlflow_tracking_server.this.tracking_server_url
}

output "model_package_group_name" {
  description = "Model package group name (MATCH_MODEL_PACKAGE_GROUP)."
  value       = aws_sagemaker_model_package_group.this.model_package_group_name
}

output "model_package_group_arn" {
  description = "Model package group ARN."
  value       = aws_sagemaker_model_package_group.this.arn
}
