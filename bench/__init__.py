"""Benchmarks (see docs/benchmarks.md once they exist)."""
