# The network Airflow runs in, unless `network` names an existing one: a VPC with two private
# subnets in two zones (MWAA needs two; the EC2 instance uses the first) and no public address
# on anything but the NAT gateway. Private subnets reach AWS APIs and PyPI (Airflow's packages
# on the instance, MWAA's requirements) through one NAT gateway (one, not one per zone: this is
# orchestration traffic, and a zone outage only delays a retraining); S3 traffic takes a
# gateway endpoint instead. Flow logs go to an encrypted log group.

locals {
  create_network     = var.network == null
  vpc_id             = local.create_network ? aws_vpc.this[0].id : var.network.vpc_id
  private_subnet_ids = local.create_network ? aws_subnet.private[*].id : var.network.private_subnet_ids
  zones              = sort(data.aws_availability_zones.chosen.names)
}

# The two zones, named: a zone AWS adds later never moves a subnet.
data "aws_availability_zones" "chosen" {
  state = "available"

  filter {
    name   = "zone-name"
    values = coalesce(var.availability_zones, ["${var.region}a", "${var.region}b"])
  }
}

resource "aws_vpc" "this" {
  count = local.create_network ? 1 : 0

  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = local.environment })
}

# No rule at all: nothing may use the default security group.
resource "aws_default_security_group" "this" {
  count = local.create_network ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(var.tags, { Name = "${local.environment}-default-unused" })
}

resource "aws_subnet" "private" {
  count = local.create_network ? 2 : 0

  vpc_id                  = aws_vpc.this[0].id
  cidr_block              = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone       = local.zones[count.index]
  map_public_ip_on_launch = false
  tags                    = merge(var.tags, { Name = "${local.environment}-private-${local.zones[count.index]}" })
}

resource "aws_subnet" "public" {
  count = local.create_network ? 1 : 0

  vpc_id                  = aws_vpc.this[0].id
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, 255)
  availability_zone       = local.zones[0]
  map_public_ip_on_launch = false
  tags                    = merge(var.tags, { Name = "${local.environment}-nat" })
}

resource "aws_internet_gateway" "this" {
  count = local.create_network ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(var.tags, { Name = local.environment })
}

resource "aws_eip" "nat" {
  count = local.create_network ? 1 : 0

  domain = "vpc"
  tags   = merge(var.tags, { Name = "${local.environment}-nat" })
}

resource "aws_nat_gateway" "this" {
  count = local.create_network ? 1 : 0

  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
  tags          = merge(var.tags, { Name = local.environment })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  count = local.create_network ? 1 : 0

  vpc_id = aws_vpc.this[0].id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this[0].id
  }

  tags = merge(var.tags, { Name = "${local.environment}-public" })
}

resource "aws_route_table_association" "public" {
  count = local.create_network ? 1 : 0

  subnet_id      = aws_subnet.public[0].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_route_table" "private" {
  count = local.create_network ? 1 : 0

  vpc_id = aws_vpc.this[0].id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this[0].id
  }

  tags = merge(var.tags, { Name = "${local.environment}-private" })
}

resource "aws_route_table_association" "private" {
  count = local.create_network ? 2 : 0

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[0].id
}

resource "aws_vpc_endpoint" "s3" {
  count = local.create_network ? 1 : 0

  vpc_id            = aws_vpc.this[0].id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private[0].id]
  tags              = merge(var.tags, { Name = "${local.environment}-s3" })
}

# --- flow logs -----------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (log_retention_days): a year or more in prod, shorter in staging where the logs have no audit value.
  count = local.create_network ? 1 : 0

  name              = "${local.log_group_root}/vpc-flow-logs"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "flow_logs_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  count = local.create_network ? 1 : 0

  name                 = "${local.environment}-vpc-flow-logs"
  description          = "VPC Flow Logs of the Airflow network write to their log group"
  assume_role_policy   = data.aws_iam_policy_document.flow_logs_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    sid       = "WriteFlowLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${local.logs_arn}:${local.log_group_root}/vpc-flow-logs:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  count = local.create_network ? 1 : 0

  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs.json
}

resource "aws_flow_log" "this" {
  count = local.create_network ? 1 : 0

  vpc_id               = aws_vpc.this[0].id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn         = aws_iam_role.flow_logs[0].arn
  tags                 = var.tags
}
