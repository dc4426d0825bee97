output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.this.id
}

output "cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets (one per zone)."
  value       = aws_subnet.private[*].id
}
