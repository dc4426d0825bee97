variable "name_prefix" {
  description = "Prefix of every name in the environment, e.g. datathon-mlet03-staging."
  type        = string
}

variable "group_prefix" {
  description = "Feature group name prefix: the pipeline name; the ingestion step creates <prefix>-jobs and <prefix>-applicants."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,49}$", var.group_prefix))
    error_message = "group_prefix must be a valid feature group name stem (letters, digits, single hyphens, at most 50 characters so the suffixes fit in 64)."
  }
}

variable "account_id" {
  description = "AWS account id of the feature groups."
  type        = string
}

variable "region" {
  description = "AWS region of the feature groups."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "curated_bucket_name" {
  description = "Name of the curated bucket that holds the offline store."
  type        = string
}

variable "curated_bucket_arn" {
  description = "ARN of the curated bucket that holds the offline store."
  type        = string
}

variable "offline_store_prefix" {
  description = "Key prefix of the offline store in the curated bucket (pipelines/config.py: feature-store-offline)."
  type        = string
  default     = "feature-store-offline"

  validation {
    condition     = can(regex("^[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*$", var.offline_store_prefix))
    error_message = "offline_store_prefix must be an S3 key prefix without leading or trailing slash."
  }
}

variable "lake_kms_key_arn" {
  description = "ARN of the lake key that encrypts the curated bucket."
  type        = string
}

variable "glue_database" {
  description = "Glue database of the offline store tables. The ingestion step creates groups without a DataCatalogConfig, so SageMaker uses its default database, sagemaker_featurestore."
  type        = string
  default     = "sagemaker_featurestore"
}

variable "create_glue_database" {
  description = "Create the Glue database here. Leave false when the account already has sagemaker_featurestore (Feature Store creates it on first use, with the permission this module grants)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
