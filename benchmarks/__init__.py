"""Benchmarks: scripts that time the pipeline and print their figures (not tests)."""
