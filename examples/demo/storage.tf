# A small module with the mistakes policylint exists to catch.

resource "aws_s3_bucket" "assets" {
  bucket = "acme-demo-assets"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-demo-logs"
}

# Access logs of the log bucket go to the log bucket itself.
resource "aws_s3_bucket_logging" "logs" {
  bucket        = aws_s3_bucket.logs.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "self/"
}

resource "aws_s3_bucket_logging" "assets" {
  bucket        = aws_s3_bucket.assets.id
  target_bucket = aws_s3_bucket.logs.id
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket            = aws_s3_bucket.assets.id
  block_public_acls = true
}

resource "aws_s3_bucket_acl" "assets" {
  bucket = aws_s3_bucket.assets.id
  acl    = "public-read"
}
