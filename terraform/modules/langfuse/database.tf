# PostgreSQL for Langfuse's projects, users, prompts and keys (RDS, private, encrypted, TLS).

resource "aws_db_subnet_group" "this" {
  name       = local.name
  subnet_ids = var.private_subnet_ids
  tags       = var.tags
}

resource "aws_db_parameter_group" "this" {
  name   = local.name
  family = "postgres17"
  tags   = var.tags

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_293:Deletion protection is a variable (deletion_protection): on in prod; staging is torn down with terraform destroy.
  #checkov:skip=CKV_AWS_118:Enhanced monitoring needs a monitoring role and adds cost; Performance Insights and the CloudWatch metrics and logs cover this small database.
  #checkov:skip=CKV_AWS_157:Multi-AZ is a variable (database_multi_az): on in prod, off in staging where a restore from the nightly snapshot is enough.
  identifier                          = local.name
  engine                              = "postgres"
  engine_version                      = "17"
  instance_class                      = var.database_instance_class
  allocated_storage                   = 20
  max_allocated_storage               = 200
  storage_type                        = "gp3"
  storage_encrypted                   = true
  kms_key_id                          = var.kms_key_arn
  db_name                             = "langfuse"
  username                            = "langfuse"
  password                            = aws_secretsmanager_secret_version.this["database-password"].secret_string
  db_subnet_group_name                = aws_db_subnet_group.this.name
  parameter_group_name                = aws_db_parameter_group.this.name
  vpc_security_group_ids              = [aws_security_group.data.id]
  publicly_accessible                 = false
  multi_az                            = var.database_multi_az
  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  backup_retention_period             = 7
  copy_tags_to_snapshot               = true
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = !var.deletion_protection
  final_snapshot_identifier           = var.deletion_protection ? "${local.name}-final" : null
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = var.kms_key_arn
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  tags                                = var.tags

  lifecycle {
    ignore_changes = [password]
  }
}
