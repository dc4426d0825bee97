# ClickHouse, Langfuse's trace store: one container on ECS Fargate, its data on encrypted EFS
# (IAM-authorised, TLS), reached by the web and worker containers at clickhouse.<namespace>.
# One replica: Langfuse runs with CLICKHOUSE_CLUSTER_ENABLED=false.

resource "aws_efs_file_system" "clickhouse" {
  #checkov:skip=CKV2_AWS_18:Traces are operational data; a backup plan is added where their history must survive the loss of the file system.
  creation_token   = "${local.name}-clickhouse"
  encrypted        = true
  kms_key_id       = var.kms_key_arn
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"
  tags             = merge(var.tags, { Name = "${local.name}-clickhouse" })
}

resource "aws_efs_mount_target" "clickhouse" {
  count           = length(var.private_subnet_ids)
  file_system_id  = aws_efs_file_system.clickhouse.id
  subnet_id       = var.private_subnet_ids[count.index]
  security_groups = [aws_security_group.data.id]
}

resource "aws_efs_access_point" "clickhouse" {
  file_system_id = aws_efs_file_system.clickhouse.id
  tags           = var.tags

  # The clickhouse user of the image
  posix_user {
    uid = 101
    gid = 101
  }

  root_directory {
    path = "/clickhouse"

    creation_info {
      owner_uid   = 101
      owner_gid   = 101
      permissions = "750"
    }
  }
}

resource "aws_service_discovery_service" "clickhouse" {
  name = "clickhouse"
  tags = var.tags

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this.id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }
}

resource "aws_ecs_task_definition" "clickhouse" {
  #checkov:skip=CKV_AWS_336:ClickHouse writes its runtime files (PID, preprocessed configuration) under its image's directories besides the EFS data volume.
  family                   = "${local.name}-clickhouse"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 1024
  memory                   = 4096
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.clickhouse.arn
  tags                     = var.tags

  volume {
    name = "data"

    efs_volume_configuration {
      file_system_id     = aws_efs_file_system.clickhouse.id
      transit_encryption = "ENABLED"

      authorization_config {
        access_point_id = aws_efs_access_point.clickhouse.id
        iam             = "ENABLED"
      }
    }
  }

  container_definitions = jsonencode([{
    name         = "clickhouse"
    image        = "docker.io/clickhouse/clickhouse-server:${var.clickhouse_image_tag}"
    essential    = true
    user         = "101:101"
    portMappings = [{ containerPort = 8123 }, { containerPort = 9000 }]
    environment = [
      { name = "CLICKHOUSE_DB", value = "default" },
      { name = "CLICKHOUSE_USER", value = "langfuse" },
    ]
    secrets = [
      { name = "CLICKHOUSE_PASSWORD", valueFrom = aws_secretsmanager_secret.this["clickhouse-password"].arn },
    ]
    mountPoints = [{ sourceVolume = "data", containerPath = "/var/lib/clickhouse" }]
    ulimits     = [{ name = "nofile", softLimit = 262144, hardLimit = 262144 }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["clickhouse"].name
        awslogs-region        = var.region
        awslogs-stream-prefix = "clickhouse"
      }
    }
  }])
}

resource "aws_ecs_service" "clickhouse" {
  name                   = "clickhouse"
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.clickhouse.arn
  desired_count          = 1
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false
  # one writer on the EFS volume: stop the old task before starting the new one
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100
  tags                               = var.tags

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.data.id]
    assign_public_ip = false
  }

  service_registries {
    registry_arn = aws_service_discovery_service.clickhouse.arn
  }

  depends_on = [aws_efs_mount_target.clickhouse]
}
