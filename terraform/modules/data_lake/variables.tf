variable "name_prefix" {
  description = "Prefix of every name in the environment, e.g. datathon-mlet03-staging (key alias)."
  type        = string
}

variable "bucket_prefix" {
  description = "Prefix of the bucket names: <prefix>-raw, <prefix>-curated, <prefix>-artifacts and <prefix>-access-logs (MATCH_BUCKET_PREFIX for the pipeline)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,45}[a-z0-9]$", var.bucket_prefix))
    error_message = "bucket_prefix must be 3-47 lowercase letters, digits or hyphens, starting and ending with a letter or digit (bucket names are at most 63 characters)."
  }
}

variable "account_id" {
  description = "AWS account id (key policy root principal, log delivery source account)."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be at least 1."
  }
}

variable "abort_multipart_days" {
  description = "Days after which an incomplete multipart upload is aborted (its parts deleted)."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_multipart_days >= 1
    error_message = "abort_multipart_days must be at least 1."
  }
}

variable "infrequent_access_days" {
  description = "Days after which curated and artifacts objects move to STANDARD_IA (at least 30)."
  type        = number
  default     = 90

  validation {
    condition     = var.infrequent_access_days >= 30
    error_message = "S3 moves objects to STANDARD_IA no earlier than 30 days after creation."
  }
}

variable "archive_days" {
  description = "Days after which curated and artifacts objects move to GLACIER_IR (millisecond reads, cheaper storage)."
  type        = number
  default     = 365

  validation {
    condition     = var.archive_days >= var.infrequent_access_days + 30
    error_message = "archive_days must be at least 30 days after infrequent_access_days (S3 keeps objects 30 days in STANDARD_IA before another transition)."
  }
}

variable "access_log_days" {
  description = "Days S3 server access logs are kept in the access-log bucket."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_days >= 1
    error_message = "access_log_days must be at least 1."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets (for throw-away environments only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
