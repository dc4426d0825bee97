output "bucket_names" {
  description = "Bucket names by zone: raw, curated, artifacts."
  value       = { for zone, bucket in aws_s3_bucket.lake : zone => bucket.id }
}

output "bucket_arns" {
  description = "Bucket ARNs by zone: raw, curated, artifacts."
  value       = { for zone, bucket in aws_s3_bucket.lake : zone => bucket.arn }
}

output "access_log_bucket" {
  description = "Bucket holding the lake buckets' S3 server access logs."
  value       = aws_s3_bucket.access_logs.id
}

output "kms_key_arn" {
  description = "ARN of the lake's customer managed key."
  value       = aws_kms_key.lake.arn
}
