variable "name_prefix" {
  description = "Prefix of every name (<project>-<environment>)."
  type        = string
}

variable "cidr_block" {
  description = "CIDR block of the VPC (a /16 to /20: it is cut into /20 subnets, or smaller ones from a smaller block)."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be an IPv4 CIDR block of /20 or larger."
  }
}

variable "nat_gateway_per_zone" {
  description = "One NAT gateway per zone (survives a zone outage) instead of one in all."
  type        = bool
  default     = false
}

variable "interface_endpoints" {
  description = "AWS APIs reached through interface endpoints (service suffix, e.g. bedrock-runtime, sagemaker.runtime, secretsmanager)."
  type        = list(string)
  default     = []
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "account_id" {
  description = "AWS account id."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the flow-log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the flow logs, in days."
  type        = number
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
