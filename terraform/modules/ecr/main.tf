# Image repositories. Tags are immutable: CI tags each image with the commit SHA, and a tag then
# always names the same image, so a model package's Image or the Lambda's image_uri is
# reproducible. Images are scanned on push (basic scanning) and encrypted with the operations key.

resource "aws_ecr_repository" "this" {
  for_each = var.repositories

  name                 = "${var.name_prefix}-${each.key}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = merge(var.tags, { Image = each.key })
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after ${var.untagged_days} days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the ${var.keep_images} most recent images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

# Lambda pulls a function's image with its service principal; for a repository in the same
# account it needs this policy (otherwise CreateFunction tries to add it, and fails without
# ecr:SetRepositoryPolicy). Only this account's functions, in this region, may pull.
data "aws_iam_policy_document" "lambda_pull" {
  statement {
    sid    = "LambdaPullsThisAccountsFunctionImages"
    effect = "Allow"
    actions = [
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:sourceArn"
      values   = ["arn:${var.partition}:lambda:${var.region}:${var.account_id}:function:*"]
    }
  }
}

resource "aws_ecr_repository_policy" "lambda_pull" {
  for_each = var.lambda_repositories

  repository = aws_ecr_repository.this[each.key].name
  policy     = data.aws_iam_policy_document.lambda_pull.json
}
