terraform {
  # 1.10 brought S3-native state locking (use_lockfile), which the env roots use.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # The bootstrap's own state is local (terraform.tfstate here, git-ignored): the bucket it
  # creates cannot hold the state of its own creation. Keep that file safe, or move it into the
  # bucket afterwards (README: "Bootstrap").
}
