variable "name" {
  description = "Name of the HTTP API."
  type        = string
}

variable "function_name" {
  description = "Name of the scoring Lambda function the API invokes."
  type        = string
}

variable "function_invoke_arn" {
  description = "Invoke ARN of the scoring Lambda function."
  type        = string
}

variable "function_timeout" {
  description = "Timeout of the function in seconds; the integration waits one second longer."
  type        = number
  default     = 15

  validation {
    condition     = var.function_timeout >= 1 && var.function_timeout <= 29
    error_message = "function_timeout must be 1-29 s (HTTP API integrations time out at 30 s)."
  }
}

variable "jwt_authorizer" {
  description = "JWT authorizer (issuer URL and audiences) for the routes; null keeps IAM (SigV4) authorization, the default."
  type = object({
    issuer   = string
    audience = list(string)
  })
  default = null

  validation {
    condition     = var.jwt_authorizer == null || try(startswith(var.jwt_authorizer.issuer, "https://") && length(var.jwt_authorizer.audience) > 0, false)
    error_message = "jwt_authorizer needs an https:// issuer and at least one audience."
  }
}

variable "throttling_burst_limit" {
  description = "Stage-wide burst limit (requests)."
  type        = number

  validation {
    condition     = var.throttling_burst_limit >= 1
    error_message = "throttling_burst_limit must be at least 1."
  }
}

variable "throttling_rate_limit" {
  description = "Stage-wide steady-state limit (requests per second)."
  type        = number

  validation {
    condition     = var.throttling_rate_limit >= 1
    error_message = "throttling_rate_limit must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the access log group, in days."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts."
  }
}

variable "kms_key_arn" {
  description = "Key that encrypts the access log group."
  type        = string
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
