# The OCR text cache's prefix (cvtext/cache.py) in the raw zone, seeded with its FORMAT.json
# before the first run: SageMaker refuses a processing job whose input prefix holds no object
# ("No S3 objects found under S3 URL"), and Preprocess reads this prefix as an input. Every run
# writes the file back with its entries. The content is cvtext.cache's MARKER_CONTENT, byte for
# byte (tests/pipelines/test_definition.py checks it).
resource "aws_s3_object" "text_cache_marker" {
  bucket       = var.bucket_names["raw"]
  key          = "${var.pipeline_name}/text-cache/FORMAT.json"
  content      = <<-EOT
    {"format": "cv-text-cache", "layout": "<sha256[:2]>/<sha256>.json"}
  EOT
  content_type = "application/json"
  kms_key_id   = var.lake_kms_key_arn
  tags         = var.tags
}
