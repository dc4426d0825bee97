# Dev/test: one private EC2 instance running `airflow standalone` (scheduler, API server, DAG
# processor, triggerer; SQLite and the LocalExecutor), installed at first boot from the same
# hash-pinned requirements as `make airflow-setup`. No SSH and no inbound rule at all: operators
# open a shell or forward the UI's port through SSM Session Manager. DAGs arrive from the DAG
# bucket every minute; task logs go to CloudWatch through Airflow's remote logging, the
# service's own log through the CloudWatch agent.

locals {
  ec2                     = var.mode == "ec2" ? 1 : 0
  requirements_file       = coalesce(var.airflow_requirements_file, "${path.module}/../../../tools/airflow/requirements.txt")
  requirements_key        = "tools/airflow-requirements.txt"
  task_log_group          = "${local.log_group_root}/tasks"
  service_log_group       = "${local.log_group_root}/service"
  instance_log_groups     = [local.task_log_group, local.service_log_group]
  instance_log_group_arns = [for group in local.instance_log_groups : "${local.logs_arn}:${group}"]
}

data "aws_ssm_parameter" "al2023" {
  count = local.ec2

  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

resource "aws_s3_object" "airflow_requirements" {
  count = local.ec2

  bucket      = aws_s3_bucket.dags.id
  key         = local.requirements_key
  source      = local.requirements_file
  source_hash = filemd5(local.requirements_file)
  tags        = var.tags

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.dags]
}

resource "aws_cloudwatch_log_group" "instance" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (log_retention_days): a year or more in prod, shorter in staging where the logs have no audit value.
  for_each = var.mode == "ec2" ? toset(local.instance_log_groups) : toset([])

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "ec2_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  count = local.ec2

  name                 = "${local.environment}-instance"
  description          = "Airflow on EC2: runs the match_retraining DAG against ${var.pipeline_name}"
  assume_role_policy   = data.aws_iam_policy_document.ec2_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "instance_runs_the_pipeline" {
  count = local.ec2

  name   = "run-the-pipeline"
  role   = aws_iam_role.instance[0].id
  policy = data.aws_iam_policy_document.run_pipeline.json
}

data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "ListTheDagBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.dags.arn]
  }

  statement {
    sid       = "ReadDagsAndRequirements"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.dags.arn}/${local.dag_prefix}/*", "${aws_s3_bucket.dags.arn}/${local.requirements_key}"]
  }

  statement {
    sid       = "DagBucketEncryptionThroughS3"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }

  # Remote task logs are written and read back (the UI shows them) from CloudWatch.
  statement {
    sid       = "WriteAndReadItsLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"]
    resources = concat(local.instance_log_group_arns, [for arn in local.instance_log_group_arns : "${arn}:*"])
  }
}

resource "aws_iam_role_policy" "instance" {
  count = local.ec2

  name   = "dags-and-logs"
  role   = aws_iam_role.instance[0].id
  policy = data.aws_iam_policy_document.instance.json
}

# Session Manager (shell, port forwarding) instead of SSH: AWS's policy for the SSM agent.
resource "aws_iam_role_policy_attachment" "instance_ssm" {
  count = local.ec2

  role       = aws_iam_role.instance[0].name
  policy_arn = "arn:${var.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "instance" {
  count = local.ec2

  name = "${local.environment}-instance"
  role = aws_iam_role.instance[0].name
  tags = var.tags
}

resource "aws_security_group" "instance" {
  count = local.ec2

  name        = "${local.environment}-instance"
  description = "Airflow on EC2: no inbound traffic; HTTPS out only (SSM, AWS APIs, PyPI)"
  vpc_id      = local.vpc_id
  tags        = var.tags

  egress {
    description = "HTTPS to SSM, SageMaker, S3, CloudWatch and the package index"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "airflow" {
  count = local.ec2

  ami                         = data.aws_ssm_parameter.al2023[0].value
  instance_type               = var.instance_type
  subnet_id                   = local.private_subnet_ids[0]
  vpc_security_group_ids      = [aws_security_group.instance[0].id]
  iam_instance_profile        = aws_iam_instance_profile.instance[0].name
  associate_public_ip_address = false
  monitoring                  = true
  ebs_optimized               = true
  user_data_replace_on_change = true
  user_data = templatefile("${path.module}/templates/ec2_user_data.sh.tftpl", {
    region            = var.region
    dag_bucket        = aws_s3_bucket.dags.id
    dag_prefix        = local.dag_prefix
    requirements_key  = local.requirements_key
    requirements_hash = filemd5(local.requirements_file)
    task_log_group    = "${local.logs_arn}:${local.task_log_group}"
    service_log_group = local.service_log_group
    settings          = local.settings
  })

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 30
    encrypted   = true
    kms_key_id  = var.kms_key_arn
  }

  tags = merge(var.tags, { Name = local.environment })

  depends_on = [aws_s3_object.airflow_requirements, aws_cloudwatch_log_group.instance]
}
