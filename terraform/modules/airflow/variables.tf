variable "mode" {
  description = "Where Airflow runs: ec2 (one private instance, dev/test) or mwaa (Amazon MWAA)."
  type        = string

  validation {
    condition     = contains(["ec2", "mwaa"], var.mode)
    error_message = "mode must be ec2 or mwaa."
  }
}

variable "name_prefix" {
  description = "Prefix of every name in the environment, e.g. datathon-mlet03-staging."
  type        = string
}

variable "bucket_prefix" {
  description = "Prefix of the bucket names (the DAG bucket is <prefix>-airflow)."
  type        = string
}

variable "account_id" {
  description = "AWS account id."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "pipeline_name" {
  description = "The SageMaker pipeline the DAG starts and describes (its name, MATCH_PIPELINE_NAME)."
  type        = string
}

variable "model_package_group_name" {
  description = "Model package group whose packages the DAG's report describes."
  type        = string
}

variable "dataset" {
  description = "Folder of one data set in the raw bucket (MATCH_DATASET): landing/<dataset>/ is synced into snapshots/<dataset>/."
  type        = string
  default     = "decision"
}

variable "raw_bucket_arn" {
  description = "ARN of the raw bucket (landing area, snapshots)."
  type        = string
}

variable "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket (the pipeline's evaluation and registration files)."
  type        = string
}

variable "lake_kms_key_arn" {
  description = "The lake's key: the DAG reads and writes raw data and reads results through S3 with it."
  type        = string
}

variable "kms_key_arn" {
  description = "Operations key: the DAG bucket, the log groups, and MWAA's own data."
  type        = string
}

variable "schedule" {
  description = "Airflow cron expression of the retraining DAG (MATCH_AIRFLOW_SCHEDULE), or none for manual runs."
  type        = string
  default     = "0 5 * * 1"
}

variable "studio_domain_id" {
  description = "SageMaker Studio domain the DAG's report links executions in (MATCH_STUDIO_DOMAIN_ID); empty: the report gives the ARN."
  type        = string
  default     = ""
}

variable "network" {
  description = "An existing VPC and two private subnets (in two zones, with a route to the internet through NAT) to run in; null creates a VPC for Airflow."
  type = object({
    vpc_id             = string
    private_subnet_ids = list(string)
  })
  default = null

  validation {
    condition     = var.network == null || try(length(var.network.private_subnet_ids) == 2, false)
    error_message = "network.private_subnet_ids must name two private subnets (MWAA needs two, in two zones)."
  }
}

variable "availability_zones" {
  description = "The two zones of the VPC created for Airflow; null: <region>a and <region>b."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones == null || try(length(var.availability_zones) == 2, false)
    error_message = "availability_zones must name two zones."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the VPC created for Airflow (when network is null)."
  type        = string
  default     = "10.42.0.0/16"
}

variable "instance_type" {
  description = "EC2 instance type of the dev/test Airflow (standalone: scheduler, API server, DAG processor, triggerer)."
  type        = string
  default     = "t3.large"
}

variable "mwaa_environment_class" {
  description = "MWAA environment class (mw1.micro, mw1.small, mw1.medium, ...)."
  type        = string
  default     = "mw1.small"
}

variable "mwaa_max_workers" {
  description = "Most MWAA workers: retraining runs one DAG run at a time."
  type        = number
  default     = 2
}

variable "log_retention_days" {
  description = "Retention of Airflow's log groups, in days."
  type        = number
}

variable "noncurrent_version_days" {
  description = "Days replaced or deleted versions of DAG files are kept."
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Let terraform destroy delete the non-empty DAG bucket."
  type        = bool
  default     = false
}

variable "airflow_requirements_file" {
  description = "Hash-pinned requirements of the Airflow environment (tools/airflow/requirements.txt) the EC2 instance installs; default: the repository's."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
