variable "name_prefix" {
  description = "Prefix of the repository names: <prefix>-serving, <prefix>-steps, <prefix>-training."
  type        = string
}

variable "repositories" {
  description = "Repository short names: serving (Lambda image), steps (CPU processing image), training (GPU training image)."
  type        = set(string)
  default     = ["serving", "steps", "training"]
}

variable "lambda_repositories" {
  description = "Short names of the repositories Lambda pulls function images from (a repository policy lets this account's functions pull)."
  type        = set(string)
  default     = ["serving"]
}

variable "account_id" {
  description = "AWS account id (the only account whose Lambda functions may pull)."
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

variable "kms_key_arn" {
  description = "Customer managed key that encrypts the images."
  type        = string
}

variable "keep_images" {
  description = "Number of most recent images each repository keeps; older ones expire."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_images >= 1
    error_message = "keep_images must be at least 1."
  }
}

variable "untagged_days" {
  description = "Days an untagged image (an interrupted push, a replaced multi-arch index) is kept."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_days >= 1
    error_message = "untagged_days must be at least 1."
  }
}

variable "force_delete" {
  description = "Let terraform destroy delete repositories that still hold images."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
