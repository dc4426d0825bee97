# Generated once into Secrets Manager (encrypted with the operations key) and read by ECS when
# it starts a container. The random values come from Secrets Manager's GetRandomPassword at the
# first apply; later plans do not replace them (ignore_changes). None is ever an output.

locals {
  generated = {
    database-password   = { length = 40, hex = false }
    clickhouse-password = { length = 40, hex = false }
    redis-auth-token    = { length = 64, hex = false }
    nextauth-secret     = { length = 48, hex = false }
    salt                = { length = 48, hex = false }
    encryption-key      = { length = 64, hex = true } # 256 bits as 64 hex characters
    api-public-key      = { length = 32, hex = false }
    api-secret-key      = { length = 40, hex = false }
  }
}

data "aws_secretsmanager_random_password" "this" {
  for_each            = local.generated
  password_length     = each.value.length
  exclude_punctuation = true
  # hex: digits and a-f only
  exclude_characters = each.value.hex ? "ghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" : null
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:Langfuse reads these at container start and has no rotation hook; rotating one means a new version and a redeploy of the services (terraform/README.md, Langfuse).
  for_each                = setsubtract(keys(local.generated), ["api-public-key", "api-secret-key"])
  name                    = "${local.name}/${each.key}"
  description             = "Langfuse ${each.key} (generated)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each      = aws_secretsmanager_secret.this
  secret_id     = each.value.id
  secret_string = data.aws_secretsmanager_random_password.this[each.key].random_password

  lifecycle {
    ignore_changes = [secret_string]
  }
}

# The project's API key pair (created in Langfuse by LANGFUSE_INIT_PROJECT_*), as the scoring
# function reads it: {"public_key": "pk-lf-...", "secret_key": "sk-lf-..."}.
resource "aws_secretsmanager_secret" "api_keys" {
  #checkov:skip=CKV2_AWS_57:The key pair is Langfuse's; rotate it by creating a new pair in Langfuse and writing it here.
  name                    = "${local.name}/api-keys"
  description             = "Langfuse project API keys of the scoring function"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "api_keys" {
  secret_id = aws_secretsmanager_secret.api_keys.id
  secret_string = jsonencode({
    public_key = "pk-lf-${data.aws_secretsmanager_random_password.this["api-public-key"].random_password}"
    secret_key = "sk-lf-${data.aws_secretsmanager_random_password.this["api-secret-key"].random_password}"
  })

  lifecycle {
    ignore_changes = [secret_string]
  }
}

# Valkey's URL carries its token: a secret of its own, built from the two.
resource "aws_secretsmanager_secret" "redis_url" {
  #checkov:skip=CKV2_AWS_57:Derived from the auth token secret; it changes with it.
  name                    = "${local.name}/redis-url"
  description             = "Langfuse's Valkey connection string (rediss://, with the token)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = "rediss://default:${aws_secretsmanager_secret_version.this["redis-auth-token"].secret_string}@${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
}
