variable "function_name" {
  description = "Name of the scoring Lambda function."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 letters, digits, hyphens or underscores."
  }
}

variable "image_uri" {
  description = "Serving image URI in ECR, <repository url>:<tag> (serving/Dockerfile)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+(:[A-Za-z0-9_.-]{1,128}|@sha256:[a-f0-9]{64})$", var.image_uri))
    error_message = "image_uri must be an ECR image URI with a tag or a digest."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (its vCPU share grows with it); 1024-2048."
  type        = number
  default     = 1536

  validation {
    condition     = var.memory_size >= 1024 && var.memory_size <= 2048
    error_message = "memory_size must be between 1024 and 2048 MB."
  }
}

variable "timeout" {
  description = "Function timeout in seconds."
  type        = number
  default     = 15

  validation {
    condition     = var.timeout >= 3 && var.timeout <= 29
    error_message = "timeout must be 3-29 s: API Gateway HTTP APIs give up on an integration after 30 s."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions: caps the function's share of the account's concurrency (and its cost) and guarantees it that much. null: no reservation (Lambda reserves at most the account's unreserved concurrency less 100, which a new account may not have)."
  type        = number
  default     = null

  validation {
    condition     = coalesce(var.reserved_concurrency, 1) >= 1
    error_message = "reserved_concurrency must be null or at least 1 (0 would stop the function)."
  }
}

variable "model_uri" {
  description = "Initial MATCH_MODEL_URI (s3:// URI of a model.tar.gz or model folder); empty until a model is approved. Afterwards the deploy Lambda owns it and terraform leaves it alone."
  type        = string
  default     = ""

  validation {
    condition     = var.model_uri == "" || startswith(var.model_uri, "s3://")
    error_message = "model_uri must be empty or an s3:// URI."
  }
}

variable "model_version" {
  description = "Initial MATCH_MODEL_VERSION (the model package version); owned by the deploy Lambda afterwards."
  type        = string
  default     = ""
}

variable "model_name" {
  description = "MATCH_MODEL_NAME: the model's name on the model card (the model package group)."
  type        = string
}

variable "feature_group_prefix" {
  description = "MATCH_FEATURE_GROUP_PREFIX: the pipeline name; the API reads <prefix>-jobs and <prefix>-applicants."
  type        = string
}

variable "max_rank_applicants" {
  description = "MATCH_MAX_RANK_APPLICANTS: most applicants one /v1/rank request may name."
  type        = number
  default     = 1000

  validation {
    condition     = var.max_rank_applicants >= 1
    error_message = "max_rank_applicants must be at least 1."
  }
}

variable "extra_environment" {
  description = "Further environment variables (e.g. POWERTOOLS_LOG_LEVEL); may not override the MATCH_* variables this module sets."
  type        = map(string)
  default     = {}
}

variable "explain_backend" {
  description = "MATCH_EXPLAIN_BACKEND: the LLM of /v1/explain: \"\" (the template only), \"bedrock\" or \"sagemaker\". The role may invoke only the model or endpoint named below."
  type        = string
  default     = ""

  validation {
    condition     = contains(["", "bedrock", "sagemaker"], var.explain_backend)
    error_message = "explain_backend must be \"\", \"bedrock\" or \"sagemaker\"."
  }
}

variable "explain_bedrock_model_id" {
  description = "MATCH_EXPLAIN_MODEL_ID: Bedrock model id, system inference profile id (us.anthropic...) or ARN; needed when explain_backend is bedrock."
  type        = string
  default     = ""

  validation {
    condition     = var.explain_bedrock_model_id == "" || can(regex("^[A-Za-z0-9.:/_-]+$", var.explain_bedrock_model_id))
    error_message = "explain_bedrock_model_id must be a Bedrock model id, inference profile id or ARN."
  }
}

variable "explain_sagemaker_endpoint_name" {
  description = "MATCH_EXPLAIN_ENDPOINT_NAME: SageMaker endpoint of the LLM; needed when explain_backend is sagemaker."
  type        = string
  default     = ""

  validation {
    condition     = var.explain_sagemaker_endpoint_name == "" || can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.explain_sagemaker_endpoint_name))
    error_message = "explain_sagemaker_endpoint_name must be a SageMaker endpoint name."
  }
}

variable "langfuse_host" {
  description = "MATCH_LANGFUSE_HOST: Langfuse's base URL (self-hosted inside the VPC, or a managed instance); empty: the prompt from the repository, no traces."
  type        = string
  default     = ""

  validation {
    condition     = var.langfuse_host == "" || startswith(var.langfuse_host, "https://")
    error_message = "langfuse_host must be empty or an https:// URL."
  }
}

variable "langfuse_secret_arn" {
  description = "MATCH_LANGFUSE_SECRET_ARN: secret holding {public_key, secret_key} of the Langfuse project; the role may read this one secret."
  type        = string
  default     = ""
}

variable "langfuse_secret_kms_key_arn" {
  description = "KMS key the Langfuse keys secret is encrypted with."
  type        = string
  default     = ""
}

variable "vpc_subnet_ids" {
  description = "Private subnets to run the function in (to reach a self-hosted Langfuse); empty: no VPC."
  type        = list(string)
  default     = []
}

variable "vpc_security_group_ids" {
  description = "Security groups of the function in the VPC (Langfuse's clients group)."
  type        = list(string)
  default     = []
}

variable "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket that holds the models."
  type        = string
}

variable "model_prefixes" {
  description = "Key prefixes in the artifacts bucket the function may read models from (the pipeline's training output)."
  type        = list(string)

  validation {
    condition     = length(var.model_prefixes) > 0 && alltrue([for p in var.model_prefixes : p != "" && !startswith(p, "/")])
    error_message = "model_prefixes must be non-empty key prefixes without a leading slash."
  }
}

variable "lake_kms_key_arn" {
  description = "ARN of the lake key (the model archive is SSE-KMS encrypted)."
  type        = string
}

variable "ops_kms_key_arn" {
  description = "ARN of the operations key (environment variables, log group)."
  type        = string
}

variable "feature_group_arns" {
  description = "ARNs of the jobs and applicants feature groups the API reads with BatchGetRecord."
  type        = list(string)
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, ...)."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "account_id" {
  description = "AWS account id."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
