# The variables both env roots declare alike (terraform/envs/staging and terraform/envs/prod
# link to this file). Those whose default or validation differs per environment are in each
# root's environment.tf.

variable "project" {
  description = "Project name, the first part of every name."
  type        = string
  default     = "datathon-mlet03"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.project))
    error_message = "project must be 3-32 lowercase letters, digits or hyphens."
  }
}

variable "region" {
  description = "AWS region of every resource (MATCH_REGION)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "bucket_prefix" {
  description = "Prefix of the bucket names (MATCH_BUCKET_PREFIX); empty means <project>-<environment>. Bucket names are global: set it when that name is taken."
  type        = string
  default     = ""

  validation {
    condition     = var.bucket_prefix == "" || can(regex("^[a-z0-9][a-z0-9-]{1,45}[a-z0-9]$", var.bucket_prefix))
    error_message = "bucket_prefix must be empty or 3-47 lowercase letters, digits or hyphens."
  }
}

variable "serving_image_tag" {
  description = "Tag of the serving image in the serving ECR repository (CI pushes the commit SHA; tags are immutable)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.serving_image_tag))
    error_message = "serving_image_tag must be a valid image tag (letters, digits, _ . -; at most 128)."
  }
}

variable "serving_initial_model_uri" {
  description = "MATCH_MODEL_URI before the first approval; empty (the API answers 503 until a model is approved). Later approvals are deployed by the deploy Lambda, not terraform."
  type        = string
  default     = ""

  validation {
    condition     = var.serving_initial_model_uri == "" || startswith(var.serving_initial_model_uri, "s3://")
    error_message = "serving_initial_model_uri must be empty or an s3:// URI."
  }
}

variable "max_rank_applicants" {
  description = "Most applicants one /v1/rank request may name (MATCH_MAX_RANK_APPLICANTS)."
  type        = number
  default     = 1000

  validation {
    condition     = var.max_rank_applicants >= 1
    error_message = "max_rank_applicants must be at least 1."
  }
}

variable "api_jwt_authorizer" {
  description = "JWT authorizer for the API ({ issuer = \"https://...\", audience = [\"...\"] }); null keeps IAM (SigV4) authorization."
  type = object({
    issuer   = string
    audience = list(string)
  })
  default = null

  validation {
    condition     = var.api_jwt_authorizer == null || try(startswith(var.api_jwt_authorizer.issuer, "https://"), false)
    error_message = "api_jwt_authorizer.issuer must be an https:// URL."
  }
}

variable "mlflow_server_size" {
  description = "Size of the managed MLflow tracking server (Small, Medium, Large)."
  type        = string
  default     = "Small"

  validation {
    condition     = contains(["Small", "Medium", "Large"], var.mlflow_server_size)
    error_message = "mlflow_server_size must be Small, Medium or Large."
  }
}

variable "mlflow_version" {
  description = "MLflow version of the tracking server: 3.0, the newest SageMaker offers, and the minor version of the jobs' pinned client (mlflow-skinny 3.0.1 in images/*/requirements.txt; AWS asks that client and server match)."
  type        = string
  default     = "3.0"

  validation {
    condition     = can(regex("^3\\.0(\\.[0-9]+)?$", var.mlflow_version))
    error_message = "mlflow_version must be 3.0 (or 3.0.x): the jobs' MLflow client is 3.0. To move the server to another version, change the steps and training groups' mlflow-skinny pin (pyproject.toml) and tools/mlflow-server with it."
  }
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose Actions, in the GitHub environment named like this root's environment (staging, prod), may assume the pipeline operator role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of the account's GitHub Actions OIDC provider; empty means the standard ARN terraform/bootstrap creates."
  type        = string
  default     = ""

  validation {
    condition     = var.github_oidc_provider_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be empty or an IAM OIDC provider ARN."
  }
}

variable "operator_trusted_role_arns" {
  description = "Further IAM roles (e.g. an SSO administrator role) that may assume the pipeline operator role."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.operator_trusted_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "operator_trusted_role_arns must be IAM role ARNs."
  }
}

variable "schedule_expression" {
  description = "When EventBridge starts the pipeline (cron or rate expression, UTC)."
  type        = string
  default     = "cron(0 5 ? * MON *)"

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be cron(...) or rate(...)."
  }
}

variable "airflow" {
  description = "Airflow for the match_retraining DAG: none, ec2 (one private instance, for dev/test) or mwaa (Amazon MWAA). When on, the DAG owns the retraining schedule (airflow_schedule) and the EventBridge schedule is disabled."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "ec2", "mwaa"], var.airflow)
    error_message = "airflow must be none, ec2 or mwaa."
  }
}

variable "airflow_schedule" {
  description = "When the match_retraining DAG runs (Airflow cron expression, UTC), or none for manual runs; used when airflow is ec2 or mwaa."
  type        = string
  default     = "0 5 * * 1"

  validation {
    condition     = lower(var.airflow_schedule) == "none" || can(regex("^(@[a-z]+|(\\S+\\s+){4}\\S+)$", var.airflow_schedule))
    error_message = "airflow_schedule must be a cron expression such as 0 5 * * 1, an @preset, or none."
  }
}

variable "airflow_network" {
  description = "An existing VPC and two private subnets (two zones, internet through NAT) for Airflow; null creates a VPC with two private subnets and a NAT gateway."
  type = object({
    vpc_id             = string
    private_subnet_ids = list(string)
  })
  default = null

  validation {
    condition     = var.airflow_network == null || try(length(var.airflow_network.private_subnet_ids) == 2, false)
    error_message = "airflow_network.private_subnet_ids must name two private subnets."
  }
}

variable "studio_domain_id" {
  description = "SageMaker Studio domain id (d-...) the DAG's report links pipeline executions in; empty: the report gives the execution ARN."
  type        = string
  default     = ""

  validation {
    condition     = var.studio_domain_id == "" || can(regex("^d-[a-z0-9]+$", var.studio_domain_id))
    error_message = "studio_domain_id must be empty or a Studio domain id such as d-abc123xyz."
  }
}

variable "scheduled_pipeline_parameters" {
  description = "Pipeline parameters of scheduled executions, over the defaults (TrainingDevice = gpu, ModelApprovalStatus = PendingManualApproval; InputDataUrl is the definition's default, the data snapshot synced last: set it only to pin a snapshot)."
  type        = map(string)
  default     = {}
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "serving_reserved_concurrency" {
  description = "Reserved concurrency of the scoring function; null (the default): none, the function shares the account's unreserved concurrency. Lambda lets a function reserve at most the account's unreserved concurrency less 100, and a new account often has 10 concurrent executions in all (or 1000, 900 of them reservable), so any fixed number can fail the first apply. Set it (a whole number >= 1) once the account's quota is known and the function should be guaranteed, and capped at, that many concurrent requests."
  type        = number
  default     = null

  validation {
    condition     = coalesce(var.serving_reserved_concurrency, 1) >= 1 && floor(coalesce(var.serving_reserved_concurrency, 1)) == coalesce(var.serving_reserved_concurrency, 1)
    error_message = "serving_reserved_concurrency must be null (no reservation) or a whole number >= 1."
  }
}

variable "explain" {
  description = "The LLM of /v1/explain. backend: \"\" (the deterministic template only), \"bedrock\" (bedrock_model_id: a model id, a system inference profile id such as us.anthropic.claude-3-5-haiku-20241022-v1:0, or an ARN) or \"sagemaker\" (sagemaker_endpoint_name). The scoring role may invoke that model or endpoint only."
  type = object({
    backend                 = optional(string, "")
    bedrock_model_id        = optional(string, "")
    sagemaker_endpoint_name = optional(string, "")
  })
  default = {}

  validation {
    condition     = contains(["", "bedrock", "sagemaker"], var.explain.backend)
    error_message = "explain.backend must be \"\", \"bedrock\" or \"sagemaker\"."
  }

  validation {
    condition     = var.explain.backend != "bedrock" || var.explain.bedrock_model_id != ""
    error_message = "explain.backend = \"bedrock\" needs explain.bedrock_model_id."
  }

  validation {
    condition     = var.explain.backend != "sagemaker" || var.explain.sagemaker_endpoint_name != ""
    error_message = "explain.backend = \"sagemaker\" needs explain.sagemaker_endpoint_name."
  }
}

variable "langfuse" {
  description = "Langfuse for the explanation prompt and the LLM traces. mode: \"none\"; \"self_hosted\" (Langfuse v4 on ECS Fargate with RDS, ElastiCache, ClickHouse on EFS and S3, in a new VPC with the scoring function: domain_name and certificate_arn for its internal HTTPS endpoint, image_tag 4.59.0 or later, ui_cidr_blocks for people's access, vpc_cidr); or \"managed\" (host, an https:// URL such as https://cloud.langfuse.com, and secret_arn, a Secrets Manager secret holding {public_key, secret_key}, with secret_kms_key_arn when it is not encrypted with the operations key)."
  type = object({
    mode               = optional(string, "none")
    host               = optional(string, "")
    secret_arn         = optional(string, "")
    secret_kms_key_arn = optional(string, "")
    domain_name        = optional(string, "")
    certificate_arn    = optional(string, "")
    image_tag          = optional(string, "4.59.0")
    ui_cidr_blocks     = optional(list(string), [])
    vpc_cidr           = optional(string, "10.40.0.0/16")
  })
  default = {}

  validation {
    condition     = contains(["none", "self_hosted", "managed"], var.langfuse.mode)
    error_message = "langfuse.mode must be \"none\", \"self_hosted\" or \"managed\"."
  }

  validation {
    condition     = var.langfuse.mode != "self_hosted" || (var.langfuse.domain_name != "" && var.langfuse.certificate_arn != "")
    error_message = "langfuse.mode = \"self_hosted\" needs langfuse.domain_name and langfuse.certificate_arn (an ACM certificate for it)."
  }

  validation {
    condition     = var.langfuse.mode != "managed" || (startswith(var.langfuse.host, "https://") && can(regex("^arn:aws[a-z-]*:secretsmanager:", var.langfuse.secret_arn)))
    error_message = "langfuse.mode = \"managed\" needs langfuse.host (https://) and langfuse.secret_arn (a Secrets Manager secret ARN)."
  }
}
