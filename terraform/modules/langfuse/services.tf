# Langfuse web (UI and public API: prompts, OTLP trace ingestion) and worker (ingestion into
# ClickHouse), one image tag for both; the web behind an internal HTTPS load balancer.

locals {
  shared_environment = [
    { name = "NEXTAUTH_URL", value = local.url },
    { name = "DATABASE_HOST", value = aws_db_instance.this.endpoint },
    { name = "DATABASE_USERNAME", value = aws_db_instance.this.username },
    { name = "DATABASE_NAME", value = aws_db_instance.this.db_name },
    { name = "CLICKHOUSE_URL", value = "http://${local.clickhouse}:8123" },
    { name = "CLICKHOUSE_MIGRATION_URL", value = "clickhouse://${local.clickhouse}:9000" },
    { name = "CLICKHOUSE_USER", value = "langfuse" },
    { name = "CLICKHOUSE_CLUSTER_ENABLED", value = "false" },
    { name = "LANGFUSE_S3_EVENT_UPLOAD_BUCKET", value = aws_s3_bucket.this.id },
    { name = "LANGFUSE_S3_EVENT_UPLOAD_REGION", value = var.region },
    { name = "LANGFUSE_S3_EVENT_UPLOAD_PREFIX", value = "events/" },
    { name = "LANGFUSE_S3_MEDIA_UPLOAD_BUCKET", value = aws_s3_bucket.this.id },
    { name = "LANGFUSE_S3_MEDIA_UPLOAD_REGION", value = var.region },
    { name = "LANGFUSE_S3_MEDIA_UPLOAD_PREFIX", value = "media/" },
    { name = "TELEMETRY_ENABLED", value = "false" },
  ]
  shared_secrets = [
    { name = "DATABASE_PASSWORD", valueFrom = aws_secretsmanager_secret.this["database-password"].arn },
    { name = "CLICKHOUSE_PASSWORD", valueFrom = aws_secretsmanager_secret.this["clickhouse-password"].arn },
    { name = "REDIS_CONNECTION_STRING", valueFrom = aws_secretsmanager_secret.redis_url.arn },
    { name = "SALT", valueFrom = aws_secretsmanager_secret.this["salt"].arn },
    { name = "ENCRYPTION_KEY", valueFrom = aws_secretsmanager_secret.this["encryption-key"].arn },
  ]
  # The web creates the organisation, the project and its API key pair on first start.
  web_environment = [
    { name = "HOSTNAME", value = "0.0.0.0" },
    { name = "PORT", value = tostring(local.web_port) },
    { name = "AUTH_DISABLE_SIGNUP", value = "true" },
    { name = "LANGFUSE_INIT_ORG_ID", value = var.name_prefix },
    { name = "LANGFUSE_INIT_ORG_NAME", value = var.name_prefix },
    { name = "LANGFUSE_INIT_PROJECT_ID", value = "match-scoring" },
    { name = "LANGFUSE_INIT_PROJECT_NAME", value = "match-scoring" },
  ]
  web_secrets = [
    { name = "NEXTAUTH_SECRET", valueFrom = aws_secretsmanager_secret.this["nextauth-secret"].arn },
    { name = "LANGFUSE_INIT_PROJECT_PUBLIC_KEY", valueFrom = "${aws_secretsmanager_secret.api_keys.arn}:public_key::" },
    { name = "LANGFUSE_INIT_PROJECT_SECRET_KEY", valueFrom = "${aws_secretsmanager_secret.api_keys.arn}:secret_key::" },
  ]
  containers = {
    web = {
      environment = concat(local.shared_environment, local.web_environment)
      secrets     = concat(local.shared_secrets, local.web_secrets)
      ports       = [{ containerPort = local.web_port }]
      cpu         = var.web_cpu
      memory      = var.web_memory
    }
    worker = {
      environment = local.shared_environment
      secrets     = local.shared_secrets
      ports       = []
      cpu         = var.worker_cpu
      memory      = var.worker_memory
    }
  }
}

resource "aws_ecs_task_definition" "this" {
  #checkov:skip=CKV_AWS_336:The Langfuse images write to their file system at start (Prisma migrations' engines, Next.js cache); their documentation runs them writable.
  for_each                 = local.containers
  family                   = "${local.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.langfuse.arn
  tags                     = var.tags

  container_definitions = jsonencode([{
    name         = each.key
    image        = local.images[each.key]
    essential    = true
    portMappings = each.value.ports
    environment  = each.value.environment
    secrets      = each.value.secrets
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this[each.key].name
        awslogs-region        = var.region
        awslogs-stream-prefix = each.key
      }
    }
  }])
}

resource "aws_ecs_service" "this" {
  for_each               = local.containers
  name                   = each.key
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.this[each.key].arn
  desired_count          = var.desired_count
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false
  tags                   = var.tags

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = each.key == "web" ? [1] : []

    content {
      target_group_arn = aws_lb_target_group.web.arn
      container_name   = "web"
      container_port   = local.web_port
    }
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [aws_lb_listener.https, aws_ecs_service.clickhouse]
}

# --- the internal load balancer --------------------------------------------------------------

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_150:Deletion protection is a variable (deletion_protection): on in prod; staging is torn down with terraform destroy.
  #checkov:skip=CKV_AWS_91:Internal load balancer in front of one service whose own requests are in the web container's logs; access logs would need a bucket open to the ELB log delivery.
  #checkov:skip=CKV2_AWS_28:Internal load balancer reached only from the VPC (the scoring Lambda, VPN users): no internet traffic for a WAF to filter.
  name                       = substr("${local.name}-web", 0, 32)
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.private_subnet_ids
  security_groups            = [aws_security_group.load_balancer.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  tags                       = var.tags
}

resource "aws_lb_target_group" "web" {
  name        = substr("${local.name}-web", 0, 32)
  port        = local.web_port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  tags        = var.tags

  health_check {
    path    = "/api/public/health"
    matcher = "200"
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  tags              = var.tags

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

# The domain resolves to the load balancer inside the VPC only.
resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38:Private hosted zone: DNSSEC signing applies to public zones only.
  #checkov:skip=CKV2_AWS_39:Private hosted zone resolving one internal name; query logging applies to public zones (Resolver query logs cover VPC lookups).
  name    = var.domain_name
  comment = "Langfuse, inside ${var.name_prefix}'s VPC"
  tags    = var.tags

  vpc {
    vpc_id = var.vpc_id
  }
}

resource "aws_route53_record" "this" {
  zone_id = aws_route53_zone.this.zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}
