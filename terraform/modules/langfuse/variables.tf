variable "name_prefix" {
  description = "Prefix of every name (<project>-<environment>)."
  type        = string
}

variable "bucket_prefix" {
  description = "Prefix of the bucket name; the bucket is <bucket_prefix>-langfuse."
  type        = string
}

variable "domain_name" {
  description = "Name Langfuse answers at inside the VPC (a private hosted zone of that name is created), e.g. langfuse.staging.internal.example.com."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name must be a lower-case DNS name."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for domain_name (the internal load balancer's HTTPS listener)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "langfuse_image_tag" {
  description = "Tag of the langfuse/langfuse and langfuse/langfuse-worker images: a v4 release from 4.59 on (the Python SDK 5 of the scoring function needs it)."
  type        = string

  validation {
    condition     = can(regex("^4\\.(59|[6-9][0-9]|[1-9][0-9]{2,})\\.[0-9]+$", var.langfuse_image_tag))
    error_message = "langfuse_image_tag must be a 4.x.y release, 4.59.0 or later."
  }
}

variable "clickhouse_image_tag" {
  description = "Tag of the clickhouse/clickhouse-server image (Langfuse's tested version)."
  type        = string
  default     = "25.12"
}

variable "desired_count" {
  description = "Tasks of the web and of the worker service."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count >= 1
    error_message = "desired_count must be at least 1."
  }
}

variable "web_cpu" {
  description = "CPU units of a web task (1024 = 1 vCPU)."
  type        = number
  default     = 1024
}

variable "web_memory" {
  description = "Memory of a web task, in MiB."
  type        = number
  default     = 2048
}

variable "worker_cpu" {
  description = "CPU units of a worker task."
  type        = number
  default     = 1024
}

variable "worker_memory" {
  description = "Memory of a worker task, in MiB."
  type        = number
  default     = 2048
}

variable "database_instance_class" {
  description = "RDS instance class of the PostgreSQL database."
  type        = string
  default     = "db.t4g.small"
}

variable "database_multi_az" {
  description = "Run the database in two zones."
  type        = bool
  default     = false
}

variable "cache_node_type" {
  description = "ElastiCache node type of Valkey."
  type        = string
  default     = "cache.t4g.small"
}

variable "cache_replicas" {
  description = "Valkey replicas (0: one node; 1 or more: automatic failover across zones)."
  type        = number
  default     = 0

  validation {
    condition     = var.cache_replicas >= 0 && var.cache_replicas <= 5
    error_message = "cache_replicas must be 0-5."
  }
}

variable "event_retention_days" {
  description = "Days the raw trace events and media are kept in the bucket (ClickHouse keeps the traces)."
  type        = number
  default     = 90
}

variable "deletion_protection" {
  description = "Protect the database and the load balancer from deletion (a final snapshot is then taken too)."
  type        = bool
}

variable "force_destroy" {
  description = "Let terraform destroy delete the bucket with its objects."
  type        = bool
}

variable "ui_cidr_blocks" {
  description = "Networks (VPN, peered VPCs) from which people open Langfuse's UI."
  type        = list(string)
  default     = []
}

variable "vpc_id" {
  description = "VPC of the Langfuse services."
  type        = string
}

variable "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (two zones) of the services, the database, the cache and EFS."
  type        = list(string)
}

variable "access_log_bucket" {
  description = "Bucket receiving the S3 access logs of the Langfuse bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the secrets, logs, database, cache, file system and bucket."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "account_id" {
  description = "AWS account id."
  type        = string
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
