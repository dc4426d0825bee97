# Terraform, providers and state backend of both env roots (linked from terraform/envs/staging
# and terraform/envs/prod). Each root has its own state: its backend.hcl (or tools/tf.sh)
# sets the key.

terraform {
  # 1.10 brought S3-native state locking (use_lockfile).
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.7"
    }
  }

  # Partial configuration: bucket, key and region come from backend.hcl
  # (terraform init -backend-config=backend.hcl; see backend.hcl.example).
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
