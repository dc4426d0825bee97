# Valkey (Redis-compatible) for Langfuse's queues and caches: TLS, an auth token, encrypted at
# rest, and noeviction, which Langfuse's queues (BullMQ) require.

resource "aws_elasticache_subnet_group" "this" {
  name       = local.name
  subnet_ids = var.private_subnet_ids
  tags       = var.tags
}

resource "aws_elasticache_parameter_group" "this" {
  name   = local.name
  family = "valkey8"
  tags   = var.tags

  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV2_AWS_50:Automatic failover is a variable (cache_replicas > 0): on in prod; staging runs one node and loses only queued work on a failure.
  replication_group_id       = local.name
  description                = "Langfuse queues and caches"
  engine                     = "valkey"
  engine_version             = "8.0"
  node_type                  = var.cache_node_type
  num_cache_clusters         = 1 + var.cache_replicas
  automatic_failover_enabled = var.cache_replicas > 0
  multi_az_enabled           = var.cache_replicas > 0
  port                       = 6379
  parameter_group_name       = aws_elasticache_parameter_group.this.name
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.data.id]
  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  auth_token                 = aws_secretsmanager_secret_version.this["redis-auth-token"].secret_string
  snapshot_retention_limit   = 1
  auto_minor_version_upgrade = true
  tags                       = var.tags

  lifecycle {
    ignore_changes = [auth_token]
  }
}
