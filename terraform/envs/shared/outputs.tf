# The outputs of both env roots (linked from terraform/envs/staging and terraform/envs/prod):
# tools/tf_env.py, the Makefile and CI read them by name.

output "api_url" {
  description = "Base URL of the scoring API (MATCH_API_URL)."
  value       = module.platform.api_url
}

output "api_authorization" {
  description = "Authorization the API requires (AWS_IAM: SigV4, MATCH_API_AUTH=iam)."
  value       = module.platform.api_authorization
}

output "region" {
  description = "AWS region (MATCH_REGION)."
  value       = module.platform.region
}

output "bucket_prefix" {
  description = "Bucket prefix (MATCH_BUCKET_PREFIX)."
  value       = module.platform.bucket_prefix
}

output "pipeline_name" {
  description = "Pipeline name (MATCH_PIPELINE_NAME)."
  value       = module.platform.pipeline_name
}

output "pipeline_arn" {
  description = "Pipeline ARN (once make pipeline-run TARGET=aws created it)."
  value       = module.platform.pipeline_arn
}

output "sagemaker_role_arn" {
  description = "SageMaker execution role (MATCH_ROLE_ARN)."
  value       = module.platform.sagemaker_role_arn
}

output "pipeline_operator_role_arn" {
  description = "Role CI assumes to run make pipeline-run TARGET=aws."
  value       = module.platform.pipeline_operator_role_arn
}

output "raw_bucket" {
  description = "Raw bucket."
  value       = module.platform.raw_bucket
}

output "curated_bucket" {
  description = "Curated bucket."
  value       = module.platform.curated_bucket
}

output "artifacts_bucket" {
  description = "Artifacts bucket."
  value       = module.platform.artifacts_bucket
}

output "offline_store_uri" {
  description = "Feature Store offline store URI."
  value       = module.platform.offline_store_uri
}

output "ecr_serving_url" {
  description = "Serving image repository URL."
  value       = module.platform.ecr_serving_url
}

output "ecr_steps_url" {
  description = "Processing step image repository URL (MATCH_STEPS_IMAGE_URI = <url>:<tag>)."
  value       = module.platform.ecr_steps_url
}

output "ecr_training_url" {
  description = "Training image repository URL (MATCH_TRAINING_IMAGE_URI = <url>:<tag>)."
  value       = module.platform.ecr_training_url
}

output "mlflow_tracking_server_arn" {
  description = "Managed MLflow tracking server ARN (MATCH_MLFLOW_TRACKING_URI)."
  value       = module.platform.mlflow_tracking_server_arn
}

output "model_package_group" {
  description = "Model package group (MATCH_MODEL_PACKAGE_GROUP, MATCH_MODEL_NAME)."
  value       = module.platform.model_package_group
}

output "serving_function_name" {
  description = "Scoring Lambda function."
  value       = module.platform.serving_function_name
}

output "deploy_function_name" {
  description = "Lambda that deploys approved models."
  value       = module.platform.deploy_function_name
}

output "alarm_topic_arn" {
  description = "SNS topic of alarms and pipeline failures."
  value       = module.platform.alarm_topic_arn
}

output "airflow_dag_bucket" {
  description = "Bucket Airflow reads the DAGs from (AIRFLOW_DAG_BUCKET, make airflow-dags-sync); empty without Airflow."
  value       = module.platform.airflow_dag_bucket
}

output "airflow_instance_id" {
  description = "Airflow EC2 instance, for aws ssm start-session (airflow = ec2)."
  value       = module.platform.airflow_instance_id
}

output "airflow_mwaa_webserver_url" {
  description = "MWAA's web server URL, from inside its VPC (airflow = mwaa)."
  value       = module.platform.airflow_mwaa_webserver_url
}

output "langfuse_host" {
  description = "Langfuse's base URL the scoring function uses (MATCH_LANGFUSE_HOST; empty without Langfuse)."
  value       = module.platform.langfuse_host
}
