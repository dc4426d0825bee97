"""Deployment automation run on AWS (not imported by the pipeline or the API)."""
