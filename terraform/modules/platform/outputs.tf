output "api_url" {
  description = "Base URL of the scoring API (MATCH_API_URL of the integration tests)."
  value       = module.api.api_url
}

output "api_authorization" {
  description = "Authorization the API requires (AWS_IAM: sign with SigV4, service execute-api)."
  value       = module.api.authorization_type
}

output "region" {
  description = "AWS region (MATCH_REGION)."
  value       = var.region
}

output "bucket_prefix" {
  description = "Bucket prefix (MATCH_BUCKET_PREFIX)."
  value       = local.bucket_prefix
}

output "pipeline_name" {
  description = "Pipeline name (MATCH_PIPELINE_NAME), also the feature group prefix."
  value       = local.pipeline_name
}

output "pipeline_arn" {
  description = "ARN of the pipeline once make pipeline-run TARGET=aws created it."
  value       = module.sagemaker.pipeline_arn
}

output "sagemaker_role_arn" {
  description = "SageMaker execution role (MATCH_ROLE_ARN)."
  value       = module.sagemaker.execution_role_arn
}

output "pipeline_operator_role_arn" {
  description = "Role CI assumes to run make pipeline-run TARGET=aws."
  value       = module.sagemaker.pipeline_operator_role_arn
}

output "raw_bucket" {
  description = "Raw bucket."
  value       = module.data_lake.bucket_names["raw"]
}

output "curated_bucket" {
  description = "Curated bucket."
  value       = module.data_lake.bucket_names["curated"]
}

output "artifacts_bucket" {
  description = "Artifacts bucket."
  value       = module.data_lake.bucket_names["artifacts"]
}

output "offline_store_uri" {
  description = "Feature Store offline store URI."
  value       = module.feature_store.offline_store_uri
}

output "ecr_serving_url" {
  description = "Serving image repository URL."
  value       = module.ecr.repository_urls["serving"]
}

output "ecr_steps_url" {
  description = "Processing step image repository URL."
  value       = module.ecr.repository_urls["steps"]
}

output "ecr_training_url" {
  description = "Training image repository URL."
  value       = module.ecr.repository_urls["training"]
}

output "mlflow_tracking_server_arn" {
  description = "Managed MLflow tracking server ARN (MATCH_MLFLOW_TRACKING_URI)."
  value       = module.sagemaker.mlflow_tracking_server_arn
}

output "model_package_group" {
  description = "Model package group (MATCH_MODEL_PACKAGE_GROUP and MATCH_MODEL_NAME)."
  value       = module.sagemaker.model_package_group_name
}

output "serving_function_name" {
  description = "Scoring Lambda function."
  value       = module.serving.function_name
}

output "deploy_function_name" {
  description = "Lambda that deploys approved models."
  value       = module.events.deploy_function_name
}

output "alarm_topic_arn" {
  description = "SNS topic of alarms and pipeline failures."
  value       = module.monitoring.alarm_topic_arn
}

output "airflow_dag_bucket" {
  description = "Bucket Airflow reads the DAGs from (dags/); empty when airflow is none."
  value       = var.airflow == "none" ? "" : module.airflow[0].dag_bucket
}

output "airflow_instance_id" {
  description = "The Airflow EC2 instance (airflow = ec2), for SSM Session Manager; empty otherwise."
  value       = var.airflow == "none" ? "" : module.airflow[0].instance_id
}

output "airflow_mwaa_webserver_url" {
  description = "MWAA's web server, reachable from its VPC (airflow = mwaa); empty otherwise."
  value       = var.airflow == "none" ? "" : module.airflow[0].mwaa_webserver_url
}

output "langfuse_host" {
  description = "Langfuse's base URL the scoring function uses (empty without Langfuse)."
  value       = local.langfuse_host
}
