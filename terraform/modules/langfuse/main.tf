# Langfuse, self-hosted, for the explanation prompts and the traces of every LLM call: the web
# (UI and public API, behind an internal HTTPS load balancer) and worker containers of Langfuse
# v4 on ECS Fargate, with what Langfuse needs besides: PostgreSQL (RDS), ClickHouse (an ECS
# service on encrypted EFS), Redis-compatible Valkey (ElastiCache, TLS and auth) and an S3
# bucket for events and media. Everything sits in private subnets; the secrets are generated
# into Secrets Manager and handed to the containers by ECS, never written in a task definition.
# The scoring Lambda reaches the load balancer from clients_security_group_id, and reads the
# project's API keys from the api_keys secret. Python SDK 5 (serving/requirements.txt) needs
# a v4 server from 4.59 on: langfuse_image_tag says which one runs.

locals {
  name       = "${var.name_prefix}-langfuse"
  namespace  = "${var.name_prefix}-langfuse.internal"
  clickhouse = "clickhouse.${local.namespace}"
  url        = "https://${var.domain_name}"
  web_port   = 3000
  images = {
    web    = "docker.io/langfuse/langfuse:${var.langfuse_image_tag}"
    worker = "docker.io/langfuse/langfuse-worker:${var.langfuse_image_tag}"
  }
}

resource "aws_ecs_cluster" "this" {
  name = local.name
  tags = var.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_service_discovery_private_dns_namespace" "this" {
  name        = local.namespace
  description = "Langfuse's internal services (ClickHouse)"
  vpc         = var.vpc_id
  tags        = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (log_retention_days): a year or more in prod, shorter in staging where the logs have no audit value.
  for_each          = toset(["web", "worker", "clickhouse"])
  name              = "/ecs/${local.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# --- security groups: who may talk to whom ---------------------------------------------------

resource "aws_security_group" "clients" {
  #checkov:skip=CKV2_AWS_5:Attached to the scoring Lambda by the serving module (vpc_security_group_ids), outside this module.
  name        = "${local.name}-clients"
  description = "Langfuse clients (the scoring Lambda): may reach the internal load balancer"
  vpc_id      = var.vpc_id
  tags        = var.tags

  egress {
    description = "HTTPS to the VPC (the load balancer, interface endpoints)"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }

  egress {
    description = "HTTPS to AWS APIs through the NAT gateway (S3, Feature Store, X-Ray)"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "load_balancer" {
  name        = "${local.name}-alb"
  description = "Langfuse's internal load balancer"
  vpc_id      = var.vpc_id
  tags        = var.tags

  ingress {
    description     = "HTTPS from the Langfuse clients"
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    security_groups = [aws_security_group.clients.id]
  }

  ingress {
    description = "HTTPS from the networks people reach the UI from (VPN, peered networks)"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = var.ui_cidr_blocks
  }

  egress {
    description = "To the web containers"
    from_port   = local.web_port
    to_port     = local.web_port
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }
}

resource "aws_security_group" "tasks" {
  name        = "${local.name}-tasks"
  description = "Langfuse web and worker containers"
  vpc_id      = var.vpc_id
  tags        = var.tags

  ingress {
    description     = "Web from the load balancer"
    from_port       = local.web_port
    to_port         = local.web_port
    protocol        = "tcp"
    security_groups = [aws_security_group.load_balancer.id]
  }

  egress {
    description = "HTTPS: image pulls (NAT), S3, Secrets Manager"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "PostgreSQL, Valkey and ClickHouse inside the VPC"
    from_port   = 5432
    to_port     = 9000
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }
}

resource "aws_security_group" "data" {
  name        = "${local.name}-data"
  description = "Langfuse's stores: PostgreSQL, Valkey, ClickHouse, EFS"
  vpc_id      = var.vpc_id
  tags        = var.tags

  ingress {
    description     = "PostgreSQL from the Langfuse containers"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.tasks.id]
  }

  ingress {
    description     = "Valkey from the Langfuse containers"
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = [aws_security_group.tasks.id]
  }

  ingress {
    description     = "ClickHouse HTTP and native protocol from the Langfuse containers"
    from_port       = 8123
    to_port         = 9000
    protocol        = "tcp"
    security_groups = [aws_security_group.tasks.id]
  }

  ingress {
    description = "NFS from ClickHouse (EFS)"
    from_port   = 2049
    to_port     = 2049
    protocol    = "tcp"
    self        = true
  }

  egress {
    description = "HTTPS: the ClickHouse image pull (NAT) and EFS IAM authorisation"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "NFS to EFS"
    from_port   = 2049
    to_port     = 2049
    protocol    = "tcp"
    self        = true
  }
}
